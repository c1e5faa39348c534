"""The request throttle (bankingsystem.throttling): DRF's anon, user and scope rates, one
Redis round trip. Real Redis (REDIS_URL), real endpoints, each test in its own key prefix."""

from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from bankingsystem.throttling import RequestRateThrottle
from conftest import client_for
from transactions.tests.test_batch import item

redis_only = pytest.mark.skipif(
    settings.CACHES["default"]["BACKEND"] != "bankingsystem.cache.RedisCache", reason="needs REDIS_URL"
)


@pytest.fixture
def rates(settings):  # type: ignore[no-untyped-def]
    """Set some rates, keeping the others as configured."""

    def set_rates(**changed: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **changed},
        }

    return set_rates


def transfer(api, source, destination):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/v1/transfers/", item(source, destination, "1.00"), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )


@redis_only
def test_money_rate_refuses_with_the_problem_shape_and_moves_nothing(api, account, other_account, rates):
    rates(money="3/min")
    assert [transfer(api, account, other_account).status_code for _ in range(3)] == [201] * 3
    refused = transfer(api, account, other_account)
    assert refused.status_code == 429
    body = refused.json()
    assert refused["Content-Type"] == "application/problem+json"
    assert (body["code"], body["status"], body["type"]) == ("throttled", 429, "urn:bankingsystem:problem:throttled")
    assert 0 < int(refused["Retry-After"]) <= 60
    account.refresh_from_db()
    assert account.balance == Decimal("997.00")
    # Reads are not in the "money" scope: still answered.
    assert api.get("/api/v1/accounts/").status_code == 200


@redis_only
def test_user_rate_counts_every_endpoint_and_users_apart(api, account, other_account, other_customer, rates):
    rates(user="4/min")
    assert transfer(api, account, other_account).status_code == 201
    assert [api.get("/api/v1/accounts/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert transfer(api, account, other_account).status_code == 429
    assert client_for(other_customer.user).get("/api/v1/accounts/").status_code == 200


@redis_only
def test_the_window_slides_and_refusals_do_not_count(api, account, rates):
    rates(user="2/s")
    assert [api.get("/api/v1/accounts/").status_code for _ in range(4)] == [200, 200, 429, 429]
    time.sleep(1.05)
    # The two refused requests did not count: the window has room for two again.
    assert [api.get("/api/v1/accounts/").status_code for _ in range(3)] == [200, 200, 429]


@redis_only
def test_callers_not_signed_in_are_counted_by_address(db, rates):
    rates(anon="2/min")
    here, there = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    reset = "/api/v1/auth/password/reset/"
    assert [here.post(reset, {"email": "x@example.in"}).status_code for _ in range(3)] == [202, 202, 429]
    assert there.post(reset, {"email": "x@example.in"}).status_code == 202


@redis_only
def test_concurrent_requests_cannot_overrun_a_rate(customer, rates):
    """Check and record are one script: of 40 requests at once with room for 15, exactly 15
    get through (DRF's read-then-write let concurrent requests overwrite each other's count)."""
    rates(user="15/min")

    class View(APIView):
        throttle_scope = None

    factory = APIRequestFactory()
    allowed: list[bool] = []
    start = threading.Barrier(8)

    def client() -> None:
        start.wait()
        for _ in range(5):
            request = View().initialize_request(factory.get("/"))
            request.user = customer.user
            allowed.append(RequestRateThrottle().allow_request(request, View()))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 15
    assert len(allowed) == 40


@redis_only
def test_one_round_trip_a_request(api, account, monkeypatch):
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    commands: list[str] = []
    original = client.execute_command

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        commands.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "execute_command", counting)
    assert api.get("/api/v1/accounts/").status_code == 200
    assert commands.count("EVALSHA") == 1
    assert [c for c in commands if c not in ("EVALSHA", "SCRIPT LOAD")] == []


def test_other_caches_keep_drfs_throttles(api, account, rates, settings):
    """The embedded default (per-process memory cache) runs DRF's own throttle classes."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    caches["default"].clear()
    rates(user="2/min")
    assert [api.get("/api/v1/accounts/").status_code for _ in range(3)] == [200, 200, 429]
