"""Reads for identity and security: lockout state, second factors, login history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuthSession, LoginEvent, TransactionPin

# Failures that count towards a lockout. Refusals while locked do not (they would keep
# the lock alive forever), nor do OTP throttling refusals (no code was even checked).
COUNTED_FAILURES = (LoginEvent.Reason.BAD_CREDENTIALS, LoginEvent.Reason.OTP_INVALID)


@dataclass(frozen=True)
class Lockout:
    scope: str  # "username" or "ip"
    until: datetime.datetime

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)


def _lockout_for(events: QuerySet[LoginEvent], *, limit: int, scope: str) -> Lockout | None:
    """Locked while `limit` counted failures lie within the window after the last reset
    (a successful login or a lift by staff); it ends when the oldest of them leaves it."""
    window = settings.LOGIN_LOCKOUT_WINDOW
    since = timezone.now() - window
    reset = (
        events.filter(created_at__gte=since)
        .filter(Q(kind=LoginEvent.Kind.LOGIN, success=True) | Q(kind=LoginEvent.Kind.UNLOCK))
        .aggregate(at=Max("created_at"))["at"]
    )
    failures = list(
        events.filter(
            kind=LoginEvent.Kind.LOGIN, success=False, reason__in=COUNTED_FAILURES, created_at__gte=reset or since
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if limit <= 0 or len(failures) < limit:
        return None
    return Lockout(scope=scope, until=failures[-1] + window)


def login_lockout_get(*, username: str, ip_address: str | None) -> Lockout | None:
    """The lockout that refuses a login for this username or from this address, if any."""
    by_user = _lockout_for(
        LoginEvent.objects.filter(username=username.lower()),
        limit=settings.LOGIN_LOCKOUT_USER_FAILURES,
        scope="username",
    )
    if by_user or not ip_address:
        return by_user
    return _lockout_for(
        LoginEvent.objects.filter(ip_address=ip_address), limit=settings.LOGIN_LOCKOUT_IP_FAILURES, scope="ip"
    )


def otp_totp_device_confirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def otp_is_enabled(*, user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_backup_codes_remaining(*, user: AbstractBaseUser) -> int:
    return sum(device.token_set.count() for device in StaticDevice.objects.filter(user=user, confirmed=True))


def pin_is_set(*, user: AbstractBaseUser) -> bool:
    return TransactionPin.objects.filter(user=user).exists()


def step_up_methods_for(*, user: AbstractBaseUser) -> list[str]:
    """How this user proves a sensitive action: a fresh OTP when enrolled, otherwise the
    transaction PIN when set, otherwise nothing yet."""
    if otp_is_enabled(user=user):
        return ["otp"]
    if pin_is_set(user=user):
        return ["pin"]
    return []


def login_event_list_for(*, user: AbstractBaseUser) -> QuerySet[LoginEvent]:
    """The user's own sign-ins, failed attempts and sign-outs, newest first."""
    return LoginEvent.objects.filter(user=user).exclude(kind=LoginEvent.Kind.UNLOCK).order_by("-pk")


def session_is_open(*, session_id: str | None, user_id: int | str | None) -> bool:
    """A token is good only while the sign-in session it was minted for is open."""
    if not session_id:
        return False
    try:
        return AuthSession.objects.filter(pk=session_id, user_id=user_id, ended_at__isnull=True).exists()
    except (ValueError, ValidationError):  # not a UUID: a forged or foreign token
        return False
