"""Lockout after repeated failures: per username and per address; lifted by time or staff."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import LoginEvent
from customers.services import ClientInfo, login_start, login_unlock
from customers.tests.factories import TEST_PASSWORD, CustomerFactory
from customers.tests.helpers import in_threads, otp_enrol, sign_in, totp_code


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_LOCKOUT_USER_FAILURES = 3
    settings.LOGIN_LOCKOUT_IP_FAILURES = 6
    settings.LOGIN_LOCKOUT_WINDOW = datetime.timedelta(minutes=15)


def fail(username: str, times: int, **extra) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert sign_in(username, "wrong-password", **extra).status_code == 401


def test_repeated_failures_lock_the_account_even_for_the_right_password(customer):
    fail("asha", 3)
    locked = sign_in("asha")
    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "login_locked"
    assert 0 < body["retry_after"] <= 15 * 60 + 1
    assert locked["Content-Type"] == "application/problem+json"
    assert LoginEvent.objects.filter(reason="locked").count() == 1
    # Usernames are matched regardless of case.
    assert sign_in("ASHA").json()["code"] == "login_locked"


def test_success_resets_the_count(customer):
    fail("asha", 2)
    assert sign_in("asha").status_code == 200
    fail("asha", 2)
    assert sign_in("asha").status_code == 200


def test_lockout_ends_when_the_failures_leave_the_window(customer):
    fail("asha", 3)
    LoginEvent.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in("asha").status_code == 200


def test_staff_unlock_lifts_it(customer, admin_user):
    fail("asha", 3)
    login_unlock(actor=admin_user, username="Asha")
    assert sign_in("asha").status_code == 200
    assert LoginEvent.objects.get(kind="unlock").actor == admin_user


def test_unlock_command(customer):
    fail("asha", 3)
    call_command("login_unlock", username="asha")
    assert sign_in("asha").status_code == 200


def test_one_address_guessing_many_usernames_is_locked(customer, other_customer):
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"]:
        fail(name, 1)
    response = sign_in("vikram")  # a real user with the right password, from the same address
    assert response.json()["code"] == "login_locked"
    assert sign_in("vikram", REMOTE_ADDR="10.1.1.1").status_code == 200  # another address is fine
    login_unlock(actor=None, ip_address="127.0.0.1")
    assert sign_in("vikram").status_code == 200


def test_wrong_one_time_codes_count_too(customer):
    device, _ = otp_enrol(customer.user)
    from rest_framework.test import APIClient

    for _ in range(3):
        challenge = sign_in("asha").json()["otp_token"]
        bad = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        # Each challenge fails once; the device is unlocked between tries by resetting its back-off.
        APIClient().post("/api/v1/auth/token/otp/", {"otp_token": challenge, "code": bad})
        device.refresh_from_db()
        device.throttle_reset()
    assert sign_in("asha").json()["code"] == "login_locked"


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_check_at_most_the_limit_of_passwords():
    CustomerFactory(user__username="ravi")
    client = ClientInfo(ip_address="10.9.9.9")

    def guess():  # type: ignore[no-untyped-def]
        return login_start(username="ravi", password="wrong-password", client=client)

    results = in_threads(8, guess)
    codes = sorted(error.code for error in results)
    assert codes.count("no_active_account") == 3, codes  # exactly the limit were checked
    assert codes.count("login_locked") == 5
    assert LoginEvent.objects.filter(reason="bad_credentials").count() == 3
    with pytest.raises(Exception) as info:
        login_start(username="ravi", password=TEST_PASSWORD, client=client)
    assert info.value.code == "login_locked"
