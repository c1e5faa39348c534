"""Transaction PIN, password change and emailed reset, contact history, recent logins."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from bankingsystem.celery import app as celery_app
from customers.models import LoginEvent, TransactionPin
from customers.services import pin_set
from customers.tests.factories import TEST_PASSWORD
from customers.tests.helpers import sign_in, signed_in_client

PIN = "/api/v1/auth/pin/"


def test_pin_is_stored_hashed_and_never_returned(customer, api):
    response = api.post(PIN, {"pin": "4826", "password": TEST_PASSWORD})
    assert response.status_code == 204
    record = TransactionPin.objects.get(user=customer.user)
    assert "4826" not in record.pin_hash and record.pin_hash.count("$") >= 1
    assert api.get(PIN).json() == {"is_set": True}
    assert "4826" not in str(api.get("/api/v1/auth/me/").json())


BAD_PINS = [
    ("12", "validation_error"),
    ("abcd", "invalid_pin"),
    ("1111", "weak_pin"),
    ("1234", "weak_pin"),
    ("9876", "weak_pin"),
    ("1234567", "validation_error"),
]


@pytest.mark.parametrize(("pin", "code"), BAD_PINS)
def test_bad_pins_are_400(customer, api, pin, code):
    response = api.post(PIN, {"pin": pin, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not TransactionPin.objects.exists()


def test_setting_a_pin_needs_the_password(customer, api):
    assert api.post(PIN, {"pin": "4826", "password": "nope"}).json()["code"] == "invalid_password"


def test_changing_the_pin_needs_the_old_one(customer, api):
    pin_set(user=customer.user, pin="4826")
    assert api.post(PIN, {"pin": "5937", "password": TEST_PASSWORD}).json()["code"] == "step_up_required"
    assert api.post(PIN, {"pin": "5937", "password": TEST_PASSWORD}, HTTP_X_TRANSACTION_PIN="4826").status_code == 204
    assert api.post("/api/v1/auth/pin/verify/", {"pin": "5937"}).status_code == 204


def test_wrong_pins_lock_it(customer, api, settings):
    settings.TRANSACTION_PIN_MAX_ATTEMPTS = 3
    pin_set(user=customer.user, pin="4826")
    lefts = [api.post("/api/v1/auth/pin/verify/", {"pin": "0000"}).json().get("attempts_left") for _ in range(3)]
    assert lefts == [2, 1, 0]
    locked = api.post("/api/v1/auth/pin/verify/", {"pin": "4826"})
    assert locked.status_code == 429
    assert locked.json()["code"] == "pin_locked"


def test_verify_without_a_pin_is_409(customer, api):
    assert api.post("/api/v1/auth/pin/verify/", {"pin": "4826"}).json()["code"] == "pin_not_set"


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"old_password": "wrong", "new_password": "a-Brand-new-passw0rd"}, "invalid_password"),
        ({"old_password": TEST_PASSWORD, "new_password": "short"}, "weak_password"),
        ({"old_password": TEST_PASSWORD, "new_password": "password123"}, "weak_password"),
        ({"old_password": TEST_PASSWORD, "new_password": TEST_PASSWORD}, "password_unchanged"),
        ({"old_password": TEST_PASSWORD}, "validation_error"),
    ],
)
def test_password_change_refusals(customer, api, body, code):
    response = api.post("/api/v1/auth/password/change/", body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    customer.user.refresh_from_db()
    assert customer.user.check_password(TEST_PASSWORD)


def test_new_passwords_are_hashed_with_argon2(customer, api, settings):
    from bankingsystem import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The test users' hashes are MD5 (fast tests); Django upgrades what it can still verify.
    settings.PASSWORD_HASHERS = [*project_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
    api.post("/api/v1/auth/password/change/", {"old_password": TEST_PASSWORD, "new_password": "a-Brand-new-passw0rd"})
    customer.user.refresh_from_db()
    assert customer.user.password.startswith("argon2")


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def reset_link(django_capture_on_commit_callbacks, email: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        assert APIClient().post("/api/v1/auth/password/reset/", {"email": email}).status_code == 202
    (message,) = mail.outbox
    uid, token = re.search(r"uid=([\w-]+)&token=([\w-]+)", message.body).groups()
    return uid, token


def test_reset_by_emailed_link_works_once_and_ends_sessions(customer, eager_celery, django_capture_on_commit_callbacks):
    client, _ = signed_in_client("asha")
    uid, token = reset_link(django_capture_on_commit_callbacks, customer.user.email.upper())
    assert mail.outbox[0].to == [customer.user.email]
    confirm = "/api/v1/auth/password/reset/confirm/"
    body = {"uid": uid, "token": token, "new_password": "a-Brand-new-passw0rd"}
    assert APIClient().post(confirm, body).status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401
    assert sign_in("asha", "a-Brand-new-passw0rd").status_code == 200
    again = APIClient().post(confirm, {**body, "new_password": "another-Passw0rd-9"})
    assert again.status_code == 400
    assert again.json()["code"] == "reset_link_invalid"


@pytest.mark.parametrize("broken", ["uid", "token"])
def test_reset_with_a_broken_link_is_400(customer, eager_celery, django_capture_on_commit_callbacks, broken):
    uid, token = reset_link(django_capture_on_commit_callbacks, customer.user.email)
    body = {"uid": uid, "token": token, "new_password": "a-Brand-new-passw0rd", broken: "Zm9v"}
    response = APIClient().post("/api/v1/auth/password/reset/confirm/", body)
    assert response.status_code == 400
    assert response.json()["code"] == "reset_link_invalid"


def test_reset_for_an_unknown_address_answers_the_same(db, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/auth/password/reset/", {"email": "nobody@example.in"})
    assert response.status_code == 202
    assert mail.outbox == []


def test_auth_endpoints_are_throttled(db):
    client = APIClient()
    statuses = [client.post("/api/v1/auth/password/reset/", {"email": "x@example.in"}).status_code for _ in range(21)]
    assert statuses[:20] == [202] * 20
    assert statuses[20] == 429
    response = client.post("/api/v1/auth/password/reset/", {"email": "x@example.in"})
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


# --- Recent logins ---------------------------------------------------------------------------


def test_customers_see_their_own_recent_logins(customer, other_customer):
    sign_in("asha", "wrong-password")
    sign_in("vikram")
    client, _ = signed_in_client("asha")
    events = client.get("/api/v1/auth/logins/").json()["results"]
    assert [(e["kind"], e["success"], e["reason"]) for e in events] == [
        ("login", True, "ok"),
        ("login", False, "bad_credentials"),
    ]
    assert events[0]["ip_address"] == "127.0.0.1"
    assert LoginEvent.objects.filter(user=other_customer.user).exists()  # not shown to asha
