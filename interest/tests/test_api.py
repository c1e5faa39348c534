"""What customers see of interest: accrued to date and posted, on their own accounts only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conftest import client_for
from interest.services import interest_accrue_through, interest_post_period

from .conftest import account_on, on, product_create

D = Decimal


def test_customer_sees_accrued_to_date_and_postings(customer, api):
    kind = product_create(rate="1", posting_period="monthly")
    account = account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="100.00")
    with on(date(2026, 2, 11)):
        interest_accrue_through(through=date(2026, 2, 10), start=date(2026, 1, 1))
        interest_post_period(period_end=date(2026, 1, 31))
        summary = api.get(f"/api/v1/accounts/{account.number}/interest/")
        postings = api.get(f"/api/v1/accounts/{account.number}/interest/postings/")
    assert summary.status_code == 200, summary.json()
    body = summary.json()
    assert body["product"] == {
        "calculation_method": "daily_balance",
        "posting_period": "monthly",
        "day_count": "actual_365",
        "minimum_balance_for_interest": "0.00",
    }
    assert body["annual_rate"] == "1.0000"
    assert body["posted_through"] == "2026-01-31"
    assert (body["accrued_from"], body["accrued_through"]) == ("2026-02-01", "2026-02-10")
    # 10 days of 100.00 x 1% / 365 = 0.0273972602..., plus January's carried 0.0049315068...
    assert body["accrued_exact"] == "0.0273972603"
    assert body["carried_forward"] == "0.0049315068"
    assert body["accrued_to_date"] == "0.03"
    assert body["posted_total"] == "0.08"
    assert postings.status_code == 200
    [january] = postings.json()["results"]
    assert (january["period_start"], january["period_end"], january["days"]) == ("2026-01-01", "2026-01-31", 31)
    assert january["amount"] == "0.08" and january["accrued"] == "0.0849315068"
    assert january["journal"].startswith("INT")


def test_another_customers_account_is_not_found(other_customer, api, saver):
    theirs = account_on(date(2025, 12, 31), owner=other_customer, account_type=saver, balance="100.00")
    for path in ("interest/", "interest/postings/"):
        response = api.get(f"/api/v1/accounts/{theirs.number}/{path}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_staff_see_any_account_and_a_type_without_interest_says_so(customer, teller, account):
    response = client_for(teller).get(f"/api/v1/accounts/{account.number}/interest/")
    assert response.status_code == 200
    body = response.json()
    assert body["product"] is None and body["annual_rate"] is None
    assert body["accrued_to_date"] == "0.00" and body["posted_total"] == "0.00"
