"""Two-step sign-in: password, then a one-time code for users with two-factor on."""

from __future__ import annotations

import threading

import pytest
from rest_framework.test import APIClient

from customers.models import AuthSession, LoginEvent
from customers.services import ClientInfo, login_complete_otp, login_start
from customers.tests.factories import TEST_PASSWORD, CustomerFactory
from customers.tests.helpers import bearer, in_threads, otp_enrol, sign_in, totp_code

OTP_URL = "/api/v1/auth/token/otp/"


def otp_step(challenge: str, code: str):  # type: ignore[no-untyped-def]
    return APIClient().post(OTP_URL, {"otp_token": challenge, "code": code})


def test_password_only_user_gets_tokens_and_a_recorded_session(customer):
    response = sign_in("asha", HTTP_USER_AGENT="pytest-browser")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["otp_required"] is False and body["access"] and body["refresh"]
    assert bearer(body["access"]).get("/api/v1/auth/me/").json()["username"] == "asha"
    event = LoginEvent.objects.get()
    assert (event.success, event.reason, event.user, event.user_agent) == (True, "ok", customer.user, "pytest-browser")
    assert event.ip_address == "127.0.0.1" and event.session.user == customer.user


def test_wrong_password_and_unknown_user_look_the_same(customer):
    wrong = sign_in("asha", "not-the-password")
    unknown = sign_in("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "no_active_account"
    assert wrong["Content-Type"] == "application/problem+json"
    assert list(LoginEvent.objects.values_list("username", "reason", "user")) == [
        ("nobody", "bad_credentials", None),
        ("asha", "bad_credentials", customer.user.pk),
    ]
    assert not AuthSession.objects.exists()


def test_inactive_user_cannot_sign_in(customer):
    customer.user.is_active = False
    customer.user.save()
    assert sign_in("asha").json()["code"] == "no_active_account"


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "asha"}, {"username": "asha", "password": TEST_PASSWORD, "otp": "1"}, {"username": ["a"]}],
)
def test_bad_sign_in_input_is_400(customer, body):
    response = APIClient().post("/api/v1/auth/token/", body)
    assert response.status_code == 400
    assert response.json()["code"] in {"validation_error", "unknown_field"}
    assert not LoginEvent.objects.exists()


def test_two_factor_user_gets_no_token_before_the_code(customer):
    device, _ = otp_enrol(customer.user)
    first = sign_in("asha").json()
    assert first["otp_required"] is True
    assert "access" not in first and "refresh" not in first
    assert set(first["otp_methods"]) == {"totp", "static"}
    assert LoginEvent.objects.get().reason == "otp_challenge"

    second = otp_step(first["otp_token"], totp_code(device))
    assert second.status_code == 200, second.json()
    assert bearer(second.json()["access"]).get("/api/v1/auth/me/").status_code == 200
    session = AuthSession.objects.get()
    assert session.otp_method == "totp"
    assert LoginEvent.objects.filter(success=True, otp_method="totp").count() == 1


def test_wrong_code_is_refused_and_recorded(customer):
    device, _ = otp_enrol(customer.user)
    challenge = sign_in("asha").json()["otp_token"]
    good = totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = otp_step(challenge, wrong)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"
    assert LoginEvent.objects.filter(reason="otp_invalid", user=customer.user).count() == 1
    assert not AuthSession.objects.exists()


def test_a_code_works_once(customer):
    device, _ = otp_enrol(customer.user)
    code = totp_code(device)
    assert otp_step(sign_in("asha").json()["otp_token"], code).status_code == 200
    replay = otp_step(sign_in("asha").json()["otp_token"], code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "otp_invalid"
    assert AuthSession.objects.count() == 1


def test_backup_code_works_once(customer):
    _, codes = otp_enrol(customer.user)
    assert otp_step(sign_in("asha").json()["otp_token"], codes[0].upper()).status_code == 200
    again = otp_step(sign_in("asha").json()["otp_token"], codes[0])
    assert again.json()["code"] == "otp_invalid"
    event = LoginEvent.objects.filter(success=True).get()
    assert event.otp_method == "static"


def test_wrong_codes_throttle_the_device(customer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 600  # the back-off outlasts the test by far
    device, _ = otp_enrol(customer.user)
    challenge = sign_in("asha").json()["otp_token"]
    good = totp_code(device)
    assert otp_step(challenge, f"{(int(good) + 1) % 1_000_000:06d}").status_code == 401
    throttled = otp_step(challenge, good)  # even the right code waits out the back-off
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "otp_throttled"
    assert throttled.json()["retry_after"] > 500
    assert not AuthSession.objects.exists()


@pytest.mark.parametrize("tamper", ["garbage", "extra"])
def test_forged_challenge_is_refused(customer, tamper):
    device, _ = otp_enrol(customer.user)
    challenge = sign_in("asha").json()["otp_token"]
    forged = "garbage" if tamper == "garbage" else challenge + "x"
    response = otp_step(forged, totp_code(device))
    assert response.status_code == 401
    assert response.json()["code"] == "otp_challenge_invalid"


def test_challenge_dies_with_the_password(customer):
    device, _ = otp_enrol(customer.user)
    challenge = sign_in("asha").json()["otp_token"]
    customer.user.set_password("another-Passw0rd-xyz")
    customer.user.save()
    assert otp_step(challenge, totp_code(device)).json()["code"] == "otp_challenge_invalid"


def test_expired_challenge_is_refused(customer, settings):
    device, _ = otp_enrol(customer.user)
    challenge = sign_in("asha").json()["otp_token"]
    settings.OTP_LOGIN_CHALLENGE_SECONDS = -1  # every challenge is already too old
    assert otp_step(challenge, totp_code(device)).json()["code"] == "otp_challenge_invalid"


@pytest.mark.django_db(transaction=True)
def test_the_same_code_sent_twice_at_once_signs_in_once():
    user = CustomerFactory(user__username="meera").user
    device, _ = otp_enrol(user)
    client = ClientInfo(ip_address="10.0.0.7")
    challenges = [login_start(username="meera", password=TEST_PASSWORD, client=client).token for _ in range(4)]
    code = totp_code(device)
    iterator = iter(challenges)
    lock = threading.Lock()

    def attempt():  # type: ignore[no-untyped-def]
        with lock:
            challenge = next(iterator)
        return login_complete_otp(challenge=challenge, code=code, client=client)

    results = in_threads(4, attempt)
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    # The first loser is refused as a reused code; it then throttles the device for the rest.
    assert {getattr(e, "code", repr(e)) for e in losers} <= {"otp_invalid", "otp_throttled"}
    assert AuthSession.objects.count() == 1
