"""Spending analytics against a hand-built history: every figure computed by hand."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from accounts.tests.factories import account_create
from conftest import client_for
from transactions.services import deposit_create, transfer_create, withdrawal_create

IST = ZoneInfo("Asia/Kolkata")
D = Decimal


def at(day: str, hour: int = 10):  # type: ignore[no-untyped-def]
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=hour, tzinfo=IST), tick=False)


def test_months_categories_forecast_and_own_transfers(customer, other_customer, branch, savings_type):
    with at("2026-09-01"):
        a = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("10000.00"))
        b = account_create(owner=customer, account_type=savings_type, branch=branch)
        elsewhere = account_create(owner=other_customer, account_type=savings_type, branch=branch, balance=D("900.00"))
    with at("2026-10-05"):
        deposit_create(account=a, amount=D("5000.00"))
    with at("2026-10-20"):
        withdrawal_create(account=a, amount=D("1200.00"))
    with at("2026-11-03"):
        transfer_create(source=a, destination=b, amount=D("300.00"))  # between own accounts: neither
    with at("2026-11-10"):
        transfer_create(source=a, destination=elsewhere, amount=D("450.50"))
    with at("2026-11-15", hour=23):  # 23:00 IST is still the 15th locally (17:30 UTC)
        transfer_create(source=elsewhere, destination=a, amount=D("200.00"))

    with at("2026-11-20", hour=12):
        body = client_for(customer.user).get("/api/v1/risk/spending/?months=3").json()
    assert body["months"] == [
        {"month": "2026-09", "income": "10000.00", "expenses": "0.00", "net": "10000.00"},
        {"month": "2026-10", "income": "5000.00", "expenses": "1200.00", "net": "3800.00"},
        {"month": "2026-11", "income": "200.00", "expenses": "450.50", "net": "-250.50"},
    ]
    assert body["categories"] == [{"category": "Transfers", "amount": "450.50"}]
    # 90 days before 20 Nov: 1,200.00 + 450.50 = 1,650.50, 18.3389 a day; 10 days left:
    # 450.50 + 183.39 = 633.89
    assert body["forecast"] == {
        "spent_so_far": "450.50",
        "daily_average": "18.34",
        "days_left": 10,
        "projected_month_expenses": "633.89",
        "method": "spent so far + average daily spending of the previous 90 days × days left",
    }
    assert body["alerts"] == []


def test_spending_is_the_callers_own_and_months_are_bounded(api, account, other_account):
    assert api.get("/api/v1/risk/spending/?months=0").status_code == 400
    assert api.get("/api/v1/risk/spending/?months=abc").json()["code"] == "invalid_months"
    body = api.get("/api/v1/risk/spending/?months=1").json()
    assert len(body["months"]) == 1 and body["months"][0]["income"] == "1000.00"  # the opening deposit only
