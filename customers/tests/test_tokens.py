"""Tokens: short-lived access, rotating refresh, revoked on logout and password change."""

from __future__ import annotations

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from customers.models import AuthSession, LoginEvent
from customers.tests.factories import TEST_PASSWORD
from customers.tests.helpers import bearer, signed_in_client

REFRESH = "/api/v1/auth/token/refresh/"


def refresh(token: str):  # type: ignore[no-untyped-def]
    return APIClient().post(REFRESH, {"refresh": token})


def test_refresh_rotates_and_keeps_the_session(customer):
    _, tokens = signed_in_client("asha")
    first = refresh(tokens["refresh"])
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh"] != tokens["refresh"]
    assert bearer(rotated["access"]).get("/api/v1/auth/me/").status_code == 200
    # The old refresh token was blacklisted on rotation.
    assert refresh(tokens["refresh"]).status_code == 401


def test_logout_revokes_access_and_refresh_at_once(customer):
    client, tokens = signed_in_client("asha")
    assert client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 204
    after = client.get("/api/v1/auth/me/")
    assert after.status_code == 401
    assert after.json()["code"] == "session_ended"
    assert refresh(tokens["refresh"]).status_code == 401
    session = AuthSession.objects.get()
    assert session.end_reason == "logout"
    assert LoginEvent.objects.filter(kind="logout", user=customer.user).count() == 1


def test_logout_without_refresh_token_still_ends_the_session(customer):
    client, tokens = signed_in_client("asha")
    other, _ = signed_in_client("asha")
    assert client.post("/api/v1/auth/logout/", {}).status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401
    assert refresh(tokens["refresh"]).json()["code"] == "session_ended"
    assert other.get("/api/v1/auth/me/").status_code == 200  # another device stays signed in


def test_logout_refuses_someone_elses_refresh_token(customer, other_customer):
    client, _ = signed_in_client("asha")
    _, theirs = signed_in_client("vikram")
    response = client.post("/api/v1/auth/logout/", {"refresh": theirs["refresh"]})
    assert response.status_code == 400
    assert response.json()["code"] == "token_not_valid"


def test_password_change_revokes_every_session(customer):
    client, tokens = signed_in_client("asha")
    other, _ = signed_in_client("asha")
    response = client.post(
        "/api/v1/auth/password/change/", {"old_password": TEST_PASSWORD, "new_password": "a-Brand-new-passw0rd"}
    )
    assert response.status_code == 204, response.json()
    assert client.get("/api/v1/auth/me/").status_code == 401
    assert other.get("/api/v1/auth/me/").status_code == 401
    assert refresh(tokens["refresh"]).status_code == 401
    assert AuthSession.objects.filter(ended_at__isnull=True).count() == 0


def test_a_token_minted_outside_sign_in_is_refused(customer):
    """Tokens without a session (sid) are not ours: refused."""
    access = str(RefreshToken.for_user(customer.user).access_token)
    response = bearer(access).get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"


def test_garbage_bearer_token_is_401(db):
    response = bearer("not.a.jwt").get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_is_checked_in_one_query_that_brings_the_roles(customer):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from customers import roles
    from customers.authentication import SessionJWTAuthentication

    customer.user.groups.add(Group.objects.get_or_create(name=roles.TELLER)[0])
    _, tokens = signed_in_client("asha")
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}"))
    with CaptureQueriesContext(connection) as ctx:
        user, _ = SessionJWTAuthentication().authenticate(request)
        assert user.pk == customer.user.pk and user.username == "asha"
        assert roles.user_roles(user) == {roles.TELLER}
    assert len(ctx) == 1


def test_a_signed_token_with_a_foreign_session_id_is_refused(customer):
    """Not a UUID, or another user's session: 401, never a 500."""
    from rest_framework_simplejwt.tokens import AccessToken

    _, tokens = signed_in_client("asha")
    for sid in ("not-a-uuid", AccessToken(tokens["access"])["sid"]):
        token = AccessToken.for_user(customer.user)
        token["sid"] = sid
        if sid != "not-a-uuid":
            token["user_id"] = str(customer.user.pk + 1000)
        assert bearer(str(token)).get("/api/v1/auth/me/").status_code == 401


def test_an_inactive_user_with_an_open_session_is_refused(customer):
    client, _ = signed_in_client("asha")
    assert client.get("/api/v1/auth/me/").status_code == 200
    customer.user.is_active = False
    customer.user.save(update_fields=["is_active"])
    assert client.get("/api/v1/auth/me/").status_code == 401
