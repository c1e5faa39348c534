"""JWT authentication bound to a sign-in session.

Every token minted at sign-in carries the session id (`sid`). A token is accepted only
while its session is open, so logging out, changing or resetting the password, or staff
revoking a session stops the access token at once, not when it expires.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import OuterRef
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from .models import AuthSession
from .roles import roles_remember
from .selectors import session_is_open

SESSION_ENDED = "This session has ended (signed out or password changed); sign in again."


class SessionJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):  # type: ignore[no-untyped-def]
        user = self._open_session_user(validated_token)
        if user is not None:
            return user
        # The long way, which says what is wrong: no such user, inactive, password changed,
        # or the session ended.
        user = super().get_user(validated_token)
        if not session_is_open(session_id=validated_token.get("sid"), user_id=user.pk):
            raise exceptions.AuthenticationFailed({"detail": SESSION_ENDED, "code": "session_ended"})
        return user

    def _open_session_user(self, validated_token):  # type: ignore[no-untyped-def]
        """The token's user when its session is open and the user passes simplejwt's checks,
        read in one query with the session and, on PostgreSQL, the user's roles (three
        queries on every authenticated request before); None otherwise."""
        session_id = validated_token.get("sid")
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if not session_id or user_id is None:
            return None
        sessions = AuthSession.objects.select_related("user").filter(
            pk=session_id, ended_at__isnull=True, **{f"user__{api_settings.USER_ID_FIELD}": user_id}
        )
        if connection.vendor == "postgresql":
            groups = Group.objects.filter(user=OuterRef("user_id")).values("name")
            sessions = sessions.annotate(group_names=ArraySubquery(groups))
        try:
            session = sessions.first()
        except (ValueError, ValidationError):  # not a UUID: a forged or foreign token
            return None
        if session is None:
            return None
        user = session.user
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            return None
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            return None
        if hasattr(session, "group_names"):
            roles_remember(user, session.group_names)
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
