"""JWT authentication bound to a sign-in session.

Every token minted at sign-in carries the session id (`sid`). A token is accepted only
while its session is open, so logging out, changing or resetting the password, or staff
revoking a session stops the access token at once, not when it expires.
"""

from __future__ import annotations

import functools
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import connection
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
        if connection.vendor == "postgresql":
            user = _open_session_user_postgresql(session_id, user_id)
        else:
            user = _open_session_user_orm(session_id, user_id)
        if user is None:
            return None
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            return None
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            return None
        return user


def _open_session_user_orm(session_id: object, user_id: object) -> AbstractBaseUser | None:
    sessions = AuthSession.objects.select_related("user").filter(
        pk=session_id, ended_at__isnull=True, **{f"user__{api_settings.USER_ID_FIELD}": user_id}
    )
    try:
        session = sessions.first()
    except (ValueError, ValidationError):  # not a UUID: a forged or foreign token
        return None
    return session.user if session is not None else None


@functools.cache
def _open_session_sql() -> tuple[str, list[str]]:
    """The user's columns and group names for an open session, as one statement (the ORM's
    select_related with an ArraySubquery cost more to build than to run, on every request)."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    fields = [field.attname for field in user_model._meta.concrete_fields]
    columns = ", ".join(f"u.{quote(field.column)}" for field in user_model._meta.concrete_fields)
    through = user_model._meta.get_field("groups").remote_field.through._meta
    membership_user = quote(through.get_field("user").column)
    membership_group = quote(through.get_field("group").column)
    sql = f"""
        SELECT {columns}, ARRAY(
            SELECT g.{quote("name")} FROM {quote(Group._meta.db_table)} g
            JOIN {quote(through.db_table)} m ON m.{membership_group} = g.{quote("id")}
            WHERE m.{membership_user} = u.{quote(user_model._meta.pk.column)}
        )
        FROM {quote(AuthSession._meta.db_table)} s
        JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = s.{quote("user_id")}
        WHERE s.{quote("id")} = %s AND s.{quote("ended_at")} IS NULL
          AND u.{quote(user_model._meta.get_field(api_settings.USER_ID_FIELD).column)} = %s
    """  # noqa: S608 (names from the models, values are parameters)
    return sql, fields


def _open_session_user_postgresql(session_id: object, user_id: object) -> AbstractBaseUser | None:
    user_model = get_user_model()
    try:
        session_uuid = uuid.UUID(str(session_id))
        user_key = user_model._meta.get_field(api_settings.USER_ID_FIELD).to_python(user_id)
    except (ValueError, ValidationError):  # not a UUID or not a key: a forged or foreign token
        return None
    sql, fields = _open_session_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_uuid, user_key])
        row = cursor.fetchone()
    if row is None:
        return None
    user = user_model.from_db(connection.alias, fields, row[:-1])
    roles_remember(user, row[-1])
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
