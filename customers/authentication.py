"""JWT authentication bound to a sign-in session.

Every token minted at sign-in carries the session id (`sid`). A token is accepted only
while its session is open, so logging out, changing or resetting the password, or staff
revoking a session stops the access token at once, not when it expires.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .models import AuthSession
from .selectors import session_is_open

SESSION_ENDED = "This session has ended (signed out or password changed); sign in again."


class SessionJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):  # type: ignore[no-untyped-def]
        user = super().get_user(validated_token)
        if not session_is_open(session_id=validated_token.get("sid"), user_id=user.pk):
            raise exceptions.AuthenticationFailed({"detail": SESSION_ENDED, "code": "session_ended"})
        return user


class SessionTokenRefreshSerializer(TokenRefreshSerializer):
    """Refresh (with rotation) only while the token's session is open."""

    def validate(self, attrs):  # type: ignore[no-untyped-def]
        token = RefreshToken(attrs["refresh"])  # raises TokenError (401) when expired or blacklisted
        if not session_is_open(session_id=token.get("sid"), user_id=token.get(api_settings.USER_ID_CLAIM)):
            raise exceptions.AuthenticationFailed({"detail": SESSION_ENDED, "code": "session_ended"})
        return super().validate(attrs)


def current_session(request: Request) -> AuthSession | None:
    token = request.auth
    sid = token.get("sid") if token is not None and hasattr(token, "get") else None
    return AuthSession.objects.filter(pk=sid).select_related("user").first() if sid else None
