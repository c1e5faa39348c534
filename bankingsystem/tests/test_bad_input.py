"""A corpus of hostile input at every money and auth endpoint (issue 12).

Each case is sent over the real stack (JWT authentication included) and must get a clear
4xx in problem JSON and change nothing: no journal, no entry, no balance, no new user.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Account
from customers.models import TransactionPin
from customers.services import ClientInfo, session_start
from customers.tests.factories import TEST_PASSWORD
from transactions.models import Entry, Journal

MONEY_ENDPOINTS = ["/api/v1/deposits/", "/api/v1/withdrawals/", "/api/v1/transfers/"]

BAD_AMOUNTS = [
    "-1.00", "0", "0.00", "-0.00", "0.001", "10.005", "NaN", "nan", "Infinity", "-Infinity", "1e3", "1E-2",
    "1" + "0" * 30, "10000000000000000000.00", " 10.00 ", "10,00", "₹10", "١٠", "0x10", "ten", "", None, [],
    ["10.00"], {"value": "10.00"}, True, 1e308, float("1e-5"),
]  # fmt: skip

HOSTILE_TEXT = [
    "'; DROP TABLE transactions_entry; --",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",  # right-to-left override
    "a\u0000b",  # NUL byte: PostgreSQL text cannot hold it
    "x" * 141,
    "\ud800",  # a lone surrogate
]


@pytest.fixture
def bank(customer, other_customer, account, other_account, teller):
    return {"customer": customer, "account": account, "other_account": other_account, "teller": teller}


def signed_in(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    session = session_start(user=user, client=ClientInfo(ip_address="127.0.0.1", user_agent="corpus"))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session.access}")
    return client


def snapshot() -> tuple:
    return (
        Journal.objects.count(),
        Entry.objects.count(),
        Account.objects.aggregate(total=Sum("balance"))["total"],
        list(Account.objects.order_by("pk").values_list("balance", flat=True)),
        get_user_model().objects.count(),
    )


def assert_refused(response, *, allowed=(400, 401, 403, 404, 413, 415, 422)):  # type: ignore[no-untyped-def]
    assert response.status_code in allowed, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    assert body["status"] == response.status_code
    return body


def post_json(client, url, payload, **headers):  # type: ignore[no-untyped-def]
    raw = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.generic("POST", url, raw, content_type="application/json", **headers)


def money_body(url: str, bank, **override):  # type: ignore[no-untyped-def]
    if url.endswith("transfers/"):
        body = {
            "source_account": bank["account"].number,
            "destination_account": bank["other_account"].number,
            "amount": "10.00",
        }
    else:
        body = {"account": bank["account"].number, "amount": "10.00"}
    return {**body, **override}


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=repr)
def test_bad_amounts_are_refused_and_change_nothing(bank, url, amount):
    client = signed_in(bank["customer"].user)
    before = snapshot()
    body = assert_refused(post_json(client, url, money_body(url, bank, amount=amount)))
    assert "amount" in body.get("errors", {}) or body["code"] == "malformed_request", body
    assert snapshot() == before


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=["sql", "script", "rtl", "nul", "too-long", "surrogate"])
def test_hostile_descriptions_are_refused_or_stored_verbatim(bank, url, text):
    """Injection strings are data: either refused with a 400, or stored exactly as sent and
    never interpreted (the tables are still there, the text comes back unchanged)."""
    client = signed_in(bank["customer"].user)
    before = snapshot()
    response = post_json(
        client, url, money_body(url, bank, description=text), HTTP_IDEMPOTENCY_KEY=f"desc-{hash((url, text))}"
    )
    if response.status_code == 201:
        assert text not in {"a\u0000b", "x" * 141, "\ud800"}, "must have been refused"
        journal = Journal.objects.get(reference=response.json()["reference"])
        assert journal.description == text
        assert Entry.objects.filter(journal=journal).count() == 2
    else:
        assert_refused(response)
        assert snapshot() == before


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        "",
        "null",
        "[]",
        '"10.00"',
        "{",
        '{"amount": "10.00"',
        "\x00",
        '{"amount": 1e999999}',
        "[" * 5000 + "]" * 5000,
        '{"a":' * 3000 + "1" + "}" * 3000,
    ],
    ids=["empty", "null", "array", "string", "truncated", "unclosed", "nul", "huge-exponent", "deep-array", "deep-obj"],
)
def test_malformed_json_is_refused(bank, url, raw):
    client = signed_in(bank["customer"].user)
    before = snapshot()
    assert_refused(post_json(client, url, raw))
    assert snapshot() == before


def test_duplicated_keys_are_refused_not_resolved_silently(bank):
    """{"amount": "1.00", "amount": "900.00"}: which one did the customer mean? Neither is guessed."""
    client = signed_in(bank["customer"].user)
    raw = (
        f'{{"source_account": "{bank["account"].number}", "destination_account": "{bank["other_account"].number}",'
        ' "amount": "1.00", "amount": "900.00"}'
    )
    before = snapshot()
    body = assert_refused(post_json(client, "/api/v1/transfers/", raw))
    assert body["code"] == "malformed_request" and "more than once" in body["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
def test_oversize_bodies_are_refused_with_413(bank, url):
    client = signed_in(bank["customer"].user)
    before = snapshot()
    payload = money_body(url, bank, description="x" * (3 * 1024 * 1024))
    assert_refused(post_json(client, url, payload), allowed=(413,))
    assert snapshot() == before


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_wrong_content_types_are_refused_with_415(bank, url, content_type):
    client = signed_in(bank["customer"].user)
    before = snapshot()
    response = client.generic("POST", url, json.dumps(money_body(url, bank)), content_type=content_type)
    assert_refused(response, allowed=(415,))
    assert snapshot() == before


@pytest.mark.parametrize("url", MONEY_ENDPOINTS)
def test_another_customers_account_is_not_found(bank, url):
    """A customer naming someone else's account as the one to debit learns nothing about it."""
    client = signed_in(bank["customer"].user)
    before = snapshot()
    if url.endswith("transfers/"):
        payload = money_body(
            url, bank, source_account=bank["other_account"].number, destination_account=bank["account"].number
        )
    else:
        payload = money_body(url, bank, account=bank["other_account"].number)
    assert_refused(post_json(client, url, payload), allowed=(404,))
    assert snapshot() == before


@pytest.mark.parametrize(
    "number", ["", "0" * 16, "1" * 64, "' OR 1=1 --", "../../etc/passwd", "１２３４", None, 12345678901234]
)
def test_bad_account_numbers_are_refused(bank, number):
    client = signed_in(bank["customer"].user)
    before = snapshot()
    payload = money_body("/api/v1/transfers/", bank, destination_account=number)
    assert_refused(post_json(client, "/api/v1/transfers/", payload), allowed=(400, 404, 422))
    assert snapshot() == before


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[:-4]}{'AAAA' if not signature.endswith('AAAA') else 'BBBB'}"


@pytest.mark.parametrize("kind", ["expired", "tampered", "garbage", "none-alg", "refresh-as-access", "empty"])
def test_bad_tokens_are_401_and_move_no_money(bank, kind):
    user = bank["customer"].user
    session = session_start(user=user, client=ClientInfo(ip_address="127.0.0.1", user_agent="corpus"))
    if kind == "expired":
        token = AccessToken.for_user(user)
        token["sid"] = str(session.session.pk)
        token.set_exp(lifetime=-timedelta(minutes=1))
        value = str(token)
    elif kind == "tampered":
        value = _tampered(session.access)
    elif kind == "garbage":
        value = "not.a.token"
    elif kind == "none-alg":
        _header, payload, _signature = session.access.split(".")
        value = f"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."
    elif kind == "refresh-as-access":
        value = session.refresh
    else:
        value = ""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    before = snapshot()
    for url in MONEY_ENDPOINTS:
        assert_refused(post_json(client, url, money_body(url, bank)), allowed=(401,))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/auth/token/", {"username": "asha", "password": None}),
        ("/api/v1/auth/token/", {"username": ["asha"], "password": "x"}),
        ("/api/v1/auth/token/", {"username": "' OR '1'='1", "password": "' OR '1'='1"}),
        ("/api/v1/auth/token/", {"username": "a" * 10000, "password": "x"}),
        ("/api/v1/auth/token/", {"username": "asha\u0000", "password": "x"}),
        ("/api/v1/auth/token/otp/", {"challenge": "forged", "code": "123456"}),
        ("/api/v1/auth/token/refresh/", {"refresh": "not.a.token"}),
        ("/api/v1/auth/register/", {"username": "<script>", "password": "short", "email": "not-an-email"}),
        ("/api/v1/auth/register/", {"username": "new\u0000user", "password": "Correct-Horse-9", "email": "a@b.in"}),
        ("/api/v1/auth/register/", {"username": "asha", "password": "Correct-Horse-9", "email": "a@b.in"}),
        ("/api/v1/auth/password/reset/confirm/", {"uid": "MQ", "token": "forged", "new_password": "Correct-Horse-9"}),
    ],
    ids=[
        "null-password", "array-username", "sql", "huge-username", "nul-username", "forged-challenge",
        "garbage-refresh", "weak-register", "nul-register", "taken-username", "forged-reset",
    ],
)  # fmt: skip
def test_hostile_auth_requests_are_refused(bank, url, payload):
    before = snapshot()
    body = assert_refused(post_json(APIClient(), url, payload), allowed=(400, 401, 404, 409, 422))
    assert "password" not in json.dumps(body.get("errors", {})).lower() or "Correct-Horse-9" not in json.dumps(body)
    assert snapshot() == before


@pytest.mark.parametrize("pin", ["", "12", "1234567", "12 34", "1234\u0000", None, ["1234"], {"pin": "1234"}])
def test_bad_pins_are_refused(bank, pin):
    client = signed_in(bank["customer"].user)
    response = post_json(client, "/api/v1/auth/pin/", {"pin": pin, "password": TEST_PASSWORD})
    assert_refused(response, allowed=(400, 422))
    assert not TransactionPin.objects.filter(user=bank["customer"].user).exists()


def test_admin_keeps_its_html_error_pages(client):
    """Problem JSON is the API's shape; an oversize form post to the admin gets Django's page."""
    body = "username=" + "x" * (3 * 1024 * 1024)
    response = client.generic("POST", "/admin/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_nothing_here_changed_the_ledger_invariants(bank):
    """The corpus's own guard: the integrity check is clean after hostile traffic."""
    client = signed_in(bank["customer"].user)
    for amount in BAD_AMOUNTS[:10]:
        post_json(client, "/api/v1/transfers/", money_body("/api/v1/transfers/", bank, amount=amount))
    from transactions.selectors import ledger_integrity_report

    assert ledger_integrity_report().ok
    assert Decimal(bank["account"].__class__.objects.get(pk=bank["account"].pk).balance) == Decimal("1000.00")
