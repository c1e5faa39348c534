"""The Django admin asks staff for a one-time code, shares the lockout, and shows login history."""

from __future__ import annotations

import pytest
from django.test import Client

from customers.models import LoginEvent
from customers.tests.factories import TEST_PASSWORD
from customers.tests.helpers import admin_client, otp_enrol, sign_in, totp_code

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Admin pages without `collectstatic` (the manifest storage needs its manifest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def admin_login(username: str, otp_token: str = "") -> object:
    return Client().post(LOGIN, {"username": username, "password": TEST_PASSWORD, "otp_token": otp_token})


def test_staff_need_a_one_time_code_for_the_admin(admin_user):
    device, _ = otp_enrol(admin_user)
    without = admin_login("root")
    assert without.status_code == 200  # the form again, with an error
    client = Client()
    form = {"username": "root", "password": TEST_PASSWORD, "otp_device": device.persistent_id}
    response = client.post(LOGIN, {**form, "otp_token": totp_code(device)})
    assert response.status_code == 302
    assert client.get("/admin/customers/loginevent/").status_code == 200
    assert list(LoginEvent.objects.filter(channel="admin").values_list("success", flat=True)) == [True, False]


def test_staff_without_a_device_cannot_enter_the_admin(admin_user):
    assert admin_login("root", "123456").status_code == 200
    assert not LoginEvent.objects.filter(success=True).exists()


def test_admin_login_shares_the_lockout(admin_user, settings):
    settings.LOGIN_LOCKOUT_USER_FAILURES = 2
    sign_in("root", "wrong")
    sign_in("root", "wrong")
    assert admin_login("root").status_code == 429


@pytest.mark.parametrize("path", ["/admin/customers/loginevent/", "/admin/customers/authsession/"])
def test_auditors_read_login_history_but_cannot_unlock(auditor, customer, path):
    sign_in("asha", "wrong")
    client = admin_client(auditor)
    assert client.get(path).status_code == 200
    changelist = client.get("/admin/customers/loginevent/")
    assert b"unlock_usernames" not in changelist.content
