from __future__ import annotations

import pytest
from django.test import Client

from customers import roles
from customers.tests.factories import staff_user_create
from customers.tests.helpers import admin_client
from loans.models import Loan
from loans.tests.conftest import loan_apply

pytestmark = pytest.mark.usefixtures("risk_model")


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    return admin_client(user)  # staff pass the admin's one-time code step


def test_officers_decide_in_the_admin_with_maker_checker(customer, account, product, officer, second_officer):
    loan = loan_apply(customer, account, product, amount="700000.00", term=36)
    url = f"/admin/loans/loan/{loan.pk}/decide/"
    first = signed_in(officer)
    page = first.get(url)
    assert page.status_code == 200 and b"default probability" in page.content
    first.post(url, {"outcome": "approve", "reason": "Verified"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.UNDER_REVIEW
    again = first.post(url, {"outcome": "approve", "reason": "Me again"}, follow=True)
    assert b"different officer" in again.content
    loan.refresh_from_db()
    assert loan.status == Loan.Status.UNDER_REVIEW and loan.decisions.count() == 1
    signed_in(second_officer).post(url, {"outcome": "approve", "reason": "Checked"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.APPROVED


def test_tellers_cannot_decide_in_the_admin(customer, account, product, teller):
    loan = loan_apply(customer, account, product)
    signed_in(teller).post(f"/admin/loans/loan/{loan.pk}/decide/", {"outcome": "approve", "reason": "x"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SUBMITTED


def test_admin_pages_render_and_products_are_editable(customer, account, product):
    loan = loan_apply(customer, account, product)
    admin = signed_in(staff_user_create(username="boss", role=roles.ADMIN))
    for url in (
        "/admin/loans/loanproduct/",
        f"/admin/loans/loanproduct/{product.pk}/change/",
        "/admin/loans/loan/",
        f"/admin/loans/loan/{loan.pk}/change/",
        "/admin/loans/repayment/",
        "/admin/loans/instalment/",
        "/admin/loans/loandecision/",
    ):
        assert admin.get(url).status_code == 200, url
    assert b"Approve or reject" in admin.get(f"/admin/loans/loan/{loan.pk}/change/").content
    response = admin.post(
        f"/admin/loans/loanproduct/{product.pk}/change/",
        {
            "code": "personal",
            "name": "Personal loan",
            "kind": "personal",
            "currency": "INR",
            "annual_rate": "11.2500",
            "min_term_months": 6,
            "max_term_months": 60,
            "min_amount": "25000.00",
            "max_amount": "1500000.00",
            "amortization": "emi",
            "late_fee": "500.00",
            "grace_days": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    product.refresh_from_db()
    assert str(product.annual_rate) == "11.2500"
    loan.refresh_from_db()
    assert str(loan.annual_rate) == "10.5000"  # a loan keeps the terms it was offered
