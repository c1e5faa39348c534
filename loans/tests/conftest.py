"""Fixtures for the loans tests: a real trained model (small and fast: two candidates,
three folds) shared by the session, a product, and applications made through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from customers import roles
from customers.tests.factories import staff_user_create
from loans import services
from loans.ml import training
from loans.models import Loan, LoanProduct

D = Decimal
DISBURSED_ON = date(2026, 1, 15)  # first instalment due 2026-02-15

APPLICANT: dict[str, Any] = {
    "checking_balance": D("15000.00"),
    "savings_balance": D("60000.00"),
    "employment_years": 5,
    "monthly_income": D("85000.00"),
    "credit_history": "existing_paid_duly",
    "other_debtors": "none",
    "residence_years": 3,
    "property": "car_or_other",
    "age": 34,
    "other_installment_plans": "none",
    "housing": "own",
    "existing_credits": 1,
    "job": "skilled",
    "dependants": 1,
    "has_telephone": True,
}


def applicant_json() -> dict[str, Any]:
    """APPLICANT as an API body sends it (money as decimal strings)."""
    return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in APPLICANT.items()}


@pytest.fixture(scope="session")
def risk_model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("loan-model")
    training.train(output_dir=directory, currency_per_dm="100", only=["logistic_regression", "xgboost"], folds=3)
    return directory


@pytest.fixture
def risk_model(settings, risk_model_dir):
    settings.LOAN_MODEL_DIR = risk_model_dir
    settings.LOAN_RISK_CURRENCY_PER_DM = "100"
    settings.LOAN_MAKER_CHECKER_AMOUNT = D("500000.00")
    return risk_model_dir


def product_create(code: str = "personal", **overrides: Any) -> LoanProduct:
    values = {
        "name": "Personal loan",
        "kind": "personal",
        "currency": "INR",
        "annual_rate": D("10.5000"),
        "min_term_months": 6,
        "max_term_months": 60,
        "min_amount": D("25000.00"),
        "max_amount": D("1500000.00"),
        "amortization": "emi",
        "late_fee": D("500.00"),
        "grace_days": 5,
        "is_active": True,
        **overrides,
    }
    product, _ = LoanProduct.objects.update_or_create(code=code, defaults=values)
    return product


@pytest.fixture
def product(db):
    return product_create()


@pytest.fixture
def officer(db):
    return staff_user_create(username="lata", role=roles.LOAN_OFFICER)


@pytest.fixture
def second_officer(db):
    return staff_user_create(username="mohan", role=roles.LOAN_OFFICER)


def loan_apply(customer, account, product, amount: str = "120000.00", term: int = 12, **applicant: Any) -> Loan:  # type: ignore[no-untyped-def]
    return services.loan_apply(
        customer=customer,
        product=product,
        account=account,
        amount=D(amount),
        term_months=term,
        purpose="furniture",
        applicant={**APPLICANT, **applicant},
    )


def loan_disbursed(customer, account, product, officer, amount: str = "120000.00", term: int = 12) -> Loan:  # type: ignore[no-untyped-def]
    loan = loan_apply(customer, account, product, amount, term)
    services.loan_decide(loan=loan, officer=officer, outcome="approve", reason="Income covers the EMI")
    return services.loan_disburse(loan=loan, initiated_by=officer, today=DISBURSED_ON)
