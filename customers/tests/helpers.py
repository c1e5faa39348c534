"""Test helpers for sign-in and two-factor."""

from __future__ import annotations

import threading
import time

from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from customers.services import otp_totp_begin, otp_totp_confirm_by_staff
from customers.tests.factories import TEST_PASSWORD


def totp_code(device: TOTPDevice, offset: int = 0) -> str:
    """What an authenticator app shows `offset` time steps from now (no drift: the app
    knows only the clock; the device accepts -1..+1 around its learned drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def otp_enrol(user) -> tuple[TOTPDevice, list[str]]:  # type: ignore[no-untyped-def]
    """A confirmed authenticator device and backup codes for `user`."""
    enrolment = otp_totp_begin(user=user)
    codes = otp_totp_confirm_by_staff(user=user)
    enrolment.device.refresh_from_db()
    return enrolment.device, codes


def sign_in(username: str, password: str = TEST_PASSWORD, client: APIClient | None = None, **extra):  # type: ignore[no-untyped-def]
    client = client or APIClient()
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def signed_in_client(username: str, device: TOTPDevice | None = None, offset: int = 0) -> tuple[APIClient, dict]:
    """A client holding real tokens from the two-step sign-in."""
    body = sign_in(username).json()
    if body["otp_required"]:
        body = (
            APIClient()
            .post("/api/v1/auth/token/otp/", {"otp_token": body["otp_token"], "code": totp_code(device, offset)})
            .json()
        )
    return bearer(body["access"]), body


def in_threads(count: int, work) -> list:  # type: ignore[no-untyped-def]
    """Run `work()` in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def admin_client(user) -> Client:  # type: ignore[no-untyped-def]
    """A test client signed in to the Django admin as `user`, past its one-time code step
    (the admin is django-otp's: a session counts only once a device has verified it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or otp_enrol(user)[0]
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
