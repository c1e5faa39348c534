from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from customers.models import Customer
from customers.tests.factories import TEST_PASSWORD
from transactions.tests.test_api import assert_problem

User = get_user_model()

REGISTRATION = {
    "username": "meera",
    "password": "saffron-kite-2026",
    "email": "meera@example.in",
    "first_name": "Meera",
    "last_name": "Iyer",
    "phone": "+91 98450 12345",
    "date_of_birth": "1994-03-12",
    "annual_income": "1200000.00",
    "address": {"line1": "4 Residency Road", "city": "Bengaluru", "postal_code": "560025"},
}


@pytest.fixture
def anonymous():
    return APIClient()


def test_register_creates_login_and_profile(anonymous, db):
    response = anonymous.post("/api/v1/auth/register/", REGISTRATION, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "meera"
    assert body["roles"] == ["customer"]
    assert body["customer"]["kyc_status"] == "pending"
    assert body["customer"]["address"]["city"] == "Bengaluru"
    assert "password" not in body
    customer = Customer.objects.get(user__username="meera")
    assert customer.user.check_password("saffron-kite-2026")
    assert str(customer.annual_income) == "1200000.00"


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"password": "password"}, "weak_password", "password"),
        ({"password": "12345678901"}, "weak_password", "password"),
        ({"email": "not-an-email"}, "validation_error", "email"),
        ({"username": "a b"}, "validation_error", "username"),
        ({"date_of_birth": "2999-01-01"}, "invalid_date_of_birth", "date_of_birth"),
        ({"annual_income": "-1"}, "invalid_income", "annual_income"),
        ({"annual_income": "NaN"}, "validation_error", "annual_income"),
        ({"address": {"line1": "x"}}, "validation_error", "address.city"),
        ({"is_superuser": True}, "unknown_field", "is_superuser"),
    ],
)
def test_register_refuses_bad_input(anonymous, db, override, code, field):
    body = {**REGISTRATION, **override}
    problem = assert_problem(anonymous.post("/api/v1/auth/register/", body, format="json"), 400, code)
    assert field in problem["errors"]
    assert not User.objects.filter(username=body["username"]).exists() or code == "username_taken"


def test_register_refuses_taken_username_and_email(anonymous, customer):
    taken = {**REGISTRATION, "username": customer.user.username.upper()}
    assert_problem(anonymous.post("/api/v1/auth/register/", taken, format="json"), 400, "username_taken")
    taken = {**REGISTRATION, "email": customer.user.email}
    assert_problem(anonymous.post("/api/v1/auth/register/", taken, format="json"), 400, "email_taken")


def test_token_refresh_me_and_logout(anonymous, customer):
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": customer.user.username, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    tokens = response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = client.get("/api/v1/auth/me/").json()
    assert me["username"] == customer.user.username
    assert me["customer"]["kyc_status"] == "verified"

    refreshed = anonymous.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    new_refresh = refreshed.json()["refresh"]
    # Rotation blacklists the old refresh token.
    assert_problem(
        anonymous.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"),
        401,
        "token_not_valid",
    )
    assert client.post("/api/v1/auth/logout/", {"refresh": new_refresh}, format="json").status_code == 204
    assert_problem(
        anonymous.post("/api/v1/auth/token/refresh/", {"refresh": new_refresh}, format="json"), 401, "token_not_valid"
    )
    # Logging out ended the session: its access token is revoked too, not just the refresh token.
    assert_problem(client.get("/api/v1/auth/me/"), 401, "session_ended")
    again = anonymous.post(
        "/api/v1/auth/token/", {"username": customer.user.username, "password": TEST_PASSWORD}, format="json"
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {again['access']}")
    assert_problem(client.post("/api/v1/auth/logout/", {"refresh": "garbage"}, format="json"), 400, "token_not_valid")


def test_wrong_password_is_401(anonymous, customer):
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": customer.user.username, "password": "nope"}, format="json"
    )
    assert_problem(response, 401, "no_active_account")


def test_me_requires_authentication(anonymous, db):
    assert_problem(anonymous.get("/api/v1/auth/me/"), 401, "not_authenticated")
    anonymous.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    assert_problem(anonymous.get("/api/v1/auth/me/"), 401, "token_not_valid")


def test_staff_me_shows_roles(teller):
    client = APIClient()
    client.force_authenticate(teller)
    me = client.get("/api/v1/auth/me/").json()
    assert me["roles"] == ["teller"]
    assert me["customer"] is None
