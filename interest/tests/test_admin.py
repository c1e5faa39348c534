"""Staff see runs, totals and failures in the admin; admins edit products and the rate table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from customers.tests.helpers import admin_client
from interest.models import InterestRate
from interest.services import interest_accrue_through, interest_post_period
from transactions.services import withdrawal_create

from .conftest import account_on, on, product_create

MODELS = [
    "interestproduct",
    "interestrate",
    "accrualrun",
    "interestaccrual",
    "interestaccountstate",
    "postingrun",
    "interestposting",
    "postingfailure",
]


@pytest.fixture
def staff_client(admin_user) -> Client:
    return admin_client(admin_user)


def test_every_interest_page_renders_for_staff(staff_client, auditor, customer):
    kind = product_create(code="current", rate="0", overdraft_rate="12", overdraft_limit="100")
    overdrawn = account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="0")
    with on(date(2025, 12, 31), hour=11):
        withdrawal_create(account=overdrawn, amount=Decimal("100"))
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=date(2026, 1, 31), start=date(2026, 1, 1))
        interest_post_period(period_end=date(2026, 1, 31))  # fails: past the overdraft limit
    auditor_client = admin_client(auditor)
    for client in (staff_client, auditor_client):
        for model in MODELS:
            response = client.get(f"/admin/interest/{model}/")
            assert response.status_code == 200, model
    assert b"insufficient_funds" in staff_client.get("/admin/interest/postingfailure/").content


def test_admin_adds_a_rate_but_not_for_a_day_already_accrued(staff_client, saver):
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=date(2026, 1, 31), start=date(2026, 1, 1))
        form = {"account_type": saver.pk, "annual_rate": "4.5", "overdraft_rate": "0"}
        refused = staff_client.post("/admin/interest/interestrate/add/", {**form, "effective_from": "2026-01-31"})
        assert refused.status_code == 200 and b"accrued through 2026-01-31" in refused.content
        added = staff_client.post("/admin/interest/interestrate/add/", {**form, "effective_from": "2026-02-01"})
        assert added.status_code == 302
    rate = InterestRate.objects.get(account_type=saver, effective_from=date(2026, 2, 1))
    assert rate.created_by is not None
