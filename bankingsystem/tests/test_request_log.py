"""The request log lines (bankingsystem.middleware.RequestLogMiddleware, django-structlog's):
request_id, ip and user_id on request_started and request_finished."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from customers.client import ClientInfo
from customers.services import session_start


@pytest.fixture
def lines(caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="django_structlog.middlewares.request")

    def events() -> dict[str, dict]:
        return {r.msg["event"]: r.msg for r in caplog.records if isinstance(r.msg, dict) and "request_id" in r.msg}

    return events


def test_a_bearer_request_is_logged_with_its_user_address_and_id(customer, lines):
    token = session_start(user=customer.user, client=ClientInfo(user_agent="t")).access
    response = Client().get("/api/v1/accounts/", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    started, finished = lines()["request_started"], lines()["request_finished"]
    assert started["request_id"] == finished["request_id"]
    assert (started["ip"], started["user_id"]) == ("203.0.113.9", None)  # not authenticated yet
    assert (finished["ip"], finished["user_id"], finished["code"]) == ("203.0.113.9", customer.user.pk, 200)
    assert finished["request"] == "GET /api/v1/accounts/"


def test_a_forwarded_address_counts_only_from_our_proxy(db, lines, settings):
    Client().get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert lines()["request_finished"]["ip"] == "10.0.0.5"  # a client-written header is not believed
    settings.TRUST_X_FORWARDED_FOR = True
    Client().get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.7")
    assert lines()["request_finished"]["ip"] == "192.0.2.7"  # the hop our proxy added


def test_a_session_request_is_logged_with_its_user_from_the_start(admin_user, lines):
    client = Client()
    client.force_login(admin_user)
    client.get("/admin/")  # answered or sent to the second factor: either way signed in by session
    assert lines()["request_started"]["user_id"] == admin_user.pk
    assert lines()["request_finished"]["user_id"] == admin_user.pk
