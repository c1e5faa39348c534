"""Enrolling in two-factor from the API: QR code, confirmation, backup codes, turning it off."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import png
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import client_for
from customers.tests.factories import TEST_PASSWORD
from customers.tests.helpers import otp_enrol, totp_code

BEGIN, CONFIRM = "/api/v1/auth/otp/totp/", "/api/v1/auth/otp/totp/confirm/"


def test_enrol_shows_uri_and_qr_then_confirm_turns_it_on(customer, api):
    begin = api.post(BEGIN, {"password": TEST_PASSWORD})
    assert begin.status_code == 201, begin.json()
    body = begin.json()
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["Bankingsystem Bank"]
    assert body["qr_code"].startswith("data:image/png;base64,")
    width, height, _, _ = png.Reader(bytes=base64.b64decode(body["qr_code"].split(",", 1)[1])).read()
    assert width == height > 100  # a real, square QR image
    assert api.get("/api/v1/auth/otp/").json() == {"enabled": False, "backup_codes_remaining": 0}

    device = TOTPDevice.objects.get(user=customer.user, confirmed=False)
    confirm = api.post(CONFIRM, {"code": totp_code(device)})
    assert confirm.status_code == 201, confirm.json()
    codes = confirm.json()["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert api.get("/api/v1/auth/otp/").json() == {"enabled": True, "backup_codes_remaining": 10}
    assert api.get("/api/v1/auth/me/").json()["otp_enabled"] is True


def test_enrolment_needs_the_password(customer, api):
    response = api.post(BEGIN, {"password": "wrong"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_password"
    assert not TOTPDevice.objects.exists()


def test_confirm_with_a_wrong_code_leaves_it_off(customer, api):
    api.post(BEGIN, {"password": TEST_PASSWORD})
    for code in ["000000", "abc", "12345678"]:
        response = api.post(CONFIRM, {"code": code})
        assert response.status_code in {422, 429}, response.json()
        assert response.json()["code"] in {"otp_invalid", "otp_throttled"}
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_confirm_before_begin_is_409(customer, api):
    assert api.post(CONFIRM, {"code": "123456"}).json()["code"] == "otp_enrolment_not_started"


def test_beginning_again_replaces_the_unconfirmed_device(customer, api):
    first = api.post(BEGIN, {"password": TEST_PASSWORD}).json()["secret"]
    second = api.post(BEGIN, {"password": TEST_PASSWORD}).json()["secret"]
    assert first != second
    assert TOTPDevice.objects.filter(user=customer.user).count() == 1


def test_cannot_enrol_twice(customer, api):
    otp_enrol(customer.user)
    response = api.post(BEGIN, {"password": TEST_PASSWORD})
    assert response.status_code == 409
    assert response.json()["code"] == "otp_already_enabled"


def test_disable_needs_password_and_a_fresh_code(customer, api):
    device, codes = otp_enrol(customer.user)
    missing = api.post("/api/v1/auth/otp/disable/", {"password": TEST_PASSWORD})
    assert missing.status_code == 403
    assert missing.json()["code"] == "step_up_required"
    assert missing.json()["methods"] == ["otp"]
    wrong_password = api.post("/api/v1/auth/otp/disable/", {"password": "nope"}, HTTP_X_OTP=totp_code(device))
    assert wrong_password.json()["code"] == "invalid_password"
    ok = api.post("/api/v1/auth/otp/disable/", {"password": TEST_PASSWORD}, HTTP_X_OTP=codes[0])
    assert ok.status_code == 204
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()


def test_regenerating_backup_codes_voids_the_old_ones(customer, api):
    device, old = otp_enrol(customer.user)
    response = api.post("/api/v1/auth/otp/backup-codes/", {"password": TEST_PASSWORD}, HTTP_X_OTP=totp_code(device))
    assert response.status_code == 201
    new = response.json()["backup_codes"]
    assert not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_staff_enrol_from_the_command_line(teller):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("otp_enroll", "tara", "--no-qr", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.get(user=teller).confirmed
    assert client_for(teller).get("/api/v1/auth/otp/").json()["backup_codes_remaining"] == 10
