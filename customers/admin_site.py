"""The Django admin for staff: django-otp's admin site (password and a one-time code),
with the same lockout and login history as the API."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite

from .client import client_info
from .models import LoginEvent
from .selectors import login_lockout_get


class BankAdminSite(OTPAdminSite):
    site_header = "Bankingsystem administration"
    site_title = "Bankingsystem admin"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        client = client_info(request)  # type: ignore[arg-type]
        username = request.POST.get("username", "").strip().lower()[:150]
        lockout = login_lockout_get(username=username, ip_address=client.ip_address)
        if lockout is not None:
            LoginEvent.objects.create(
                username=username, reason=LoginEvent.Reason.LOCKED, channel="admin",
                ip_address=client.ip_address, user_agent=client.user_agent,
            )  # fmt: skip
            return HttpResponse(
                "Too many failed sign-in attempts; try again later or ask an administrator to unlock it.",
                status=429,
                headers={"Retry-After": str(lockout.retry_after_seconds)},
                content_type="text/plain",
            )
        response = super().login(request, extra_context)
        signed_in = request.user.is_authenticated and response.status_code == 302
        user = request.user if signed_in else None
        # A wrong password or a wrong code: the admin form does not say which; both count.
        LoginEvent.objects.create(
            user=user, username=username, success=signed_in,
            reason=LoginEvent.Reason.OK if signed_in else LoginEvent.Reason.BAD_CREDENTIALS,
            otp_method="totp" if signed_in else "", channel="admin",
            ip_address=client.ip_address, user_agent=client.user_agent,
        )  # fmt: skip
        return response
