"""Fixtures shared by every app's tests. The database is the real one (PostgreSQL in
`make test`); nothing of ours is mocked."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from customers import roles
from customers.tests.factories import CustomerFactory, staff_user_create


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic` first; tests render pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """Test clients and the live server speak plain HTTP; production settings would
    redirect them to HTTPS. Set before any server (live_server) loads its middleware."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test counts throttles in a cache namespace of its own."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _migration_data(request):
    """A transactional test ends by flushing every table, and under xdist's per-file
    scheduling a database test from another file can run after it on the same worker:
    put back what data migrations made (the head office, the GL accounts; idempotent)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    importlib.import_module("accounts.migrations.0002_head_office_and_gl_accounts").create(apps, None)


def _is_transactional(request) -> bool:  # type: ignore[no-untyped-def]
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture
def branch(db):
    return BranchFactory()


@pytest.fixture
def savings_type(db):
    return AccountTypeFactory(code="savings", minimum_balance=Decimal("0.00"))


@pytest.fixture
def customer(db):
    return CustomerFactory(user__username="asha")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(user__username="vikram")


@pytest.fixture
def account(customer, branch, savings_type):
    return account_create(owner=customer, account_type=savings_type, branch=branch, balance=Decimal("1000.00"))


@pytest.fixture
def second_account(customer, branch, savings_type):
    return account_create(owner=customer, account_type=savings_type, branch=branch, balance=Decimal("0.00"))


@pytest.fixture
def other_account(other_customer, branch, savings_type):
    return account_create(owner=other_customer, account_type=savings_type, branch=branch, balance=Decimal("500.00"))


@pytest.fixture
def teller(db):
    return staff_user_create(username="tara", role=roles.TELLER)


@pytest.fixture
def auditor(db):
    return staff_user_create(username="anil", role=roles.AUDITOR)


@pytest.fixture
def admin_user(db):
    return staff_user_create(username="root", role=roles.ADMIN)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def api(customer):
    """An API client signed in as `customer`."""
    return client_for(customer.user)
