"""Concurrent officers, customers and collection runs against real PostgreSQL: a loan is
disbursed once, repaid exactly, and the ledger balances afterwards."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from customers import roles
from customers.tests.factories import staff_user_create
from loans import services
from loans.models import Loan, Repayment
from loans.tests.conftest import DISBURSED_ON, loan_apply, loan_disbursed
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.tests.test_concurrency import in_thread

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.usefixtures("risk_model"),
]

D = Decimal
CLIENTS = 6
FIRST_DUE = DISBURSED_ON.replace(month=2)


def attempt(call, **kwargs) -> str:  # type: ignore[no-untyped-def]
    try:
        call(**kwargs)
    except ApplicationError as error:
        return error.code
    return "ok"


def assert_ledger_consistent() -> None:
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()


def test_concurrent_disbursements_pay_out_once(transactional_db, customer, account, product, officer):
    loan = loan_apply(customer, account, product)
    services.loan_decide(loan=loan, officer=officer, outcome="approve", reason="ok")
    barrier = threading.Barrier(CLIENTS)

    @in_thread
    def disburse(_: int) -> str:
        barrier.wait()
        return attempt(services.loan_disburse, loan=loan, initiated_by=officer, today=DISBURSED_ON)

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = Counter(pool.map(disburse, range(CLIENTS)))
    assert outcomes == {"ok": 1, "loan_already_disbursed": CLIENTS - 1}
    assert Journal.objects.filter(kind="loan").count() == 1
    account.refresh_from_db()
    assert account.balance == D("121000.00")
    assert loan.instalments.count() == 12
    assert_ledger_consistent()


def test_concurrent_approvals_and_disbursements(transactional_db, customer, account, product):
    """Two officers approve a maker-checker loan while others try to disburse it: it is paid
    out at most once, and only after both approvals."""
    loan = loan_apply(customer, account, product, amount="900000.00", term=36)
    officers = [staff_user_create(username=f"officer{i}", role=roles.LOAN_OFFICER) for i in range(2)]
    barrier = threading.Barrier(CLIENTS)

    @in_thread
    def act(index: int) -> str:
        barrier.wait()
        if index < 2:
            return attempt(services.loan_decide, loan=loan, officer=officers[index], outcome="approve", reason="ok")
        outcome = "loan_not_approved"
        for _ in range(50):  # keep trying until the approvals land, as an impatient officer would
            outcome = attempt(services.loan_disburse, loan=loan, initiated_by=officers[0], today=DISBURSED_ON)
            if outcome != "loan_not_approved":
                break
        return outcome

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = Counter(pool.map(act, range(CLIENTS)))
    loan.refresh_from_db()
    disbursements = Journal.objects.filter(kind="loan").count()
    assert outcomes["ok"] == 2 + disbursements  # both approvals, and each disbursement that happened
    assert disbursements <= 1
    assert set(outcomes) <= {"ok", "loan_already_disbursed", "loan_not_approved"}, outcomes
    if disbursements:
        assert loan.status == Loan.Status.DISBURSED and loan.decisions.count() == 2
    assert_ledger_consistent()


def test_concurrent_repayments_add_up(transactional_db, customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    day = FIRST_DUE + timedelta(days=1)
    barrier = threading.Barrier(CLIENTS)

    @in_thread
    def repay(_: int) -> list[str]:
        barrier.wait()
        return [
            attempt(services.loan_repay, loan=loan, amount=D("4000.00"), initiated_by=None, today=day) for _ in range(6)
        ]

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = Counter(code for codes in pool.map(repay, range(CLIENTS)) for code in codes)
    assert outcomes["ok"] == Repayment.objects.count() == 30  # 36 x 4,000 would pass the payoff
    assert set(outcomes) == {"ok", "repayment_exceeds_payoff"}, outcomes
    loan.refresh_from_db()
    account.refresh_from_db()
    repaid = loan.repayments.aggregate(total=Sum("amount"), principal=Sum("principal_part"))
    assert repaid["total"] == D("120000.00")
    assert account.balance == D("121000.00") - repaid["total"]
    assert loan.principal_outstanding == D("120000.00") - repaid["principal"]
    instalments = loan.instalments.aggregate(p=Sum("paid_principal"), i=Sum("paid_interest"), f=Sum("paid_fee"))
    parts = loan.repayments.aggregate(i=Sum("interest_part"), f=Sum("fee_part"), pre=Sum("prepaid_principal"))
    assert instalments["i"] == parts["i"] and instalments["f"] == parts["f"]
    assert instalments["p"] + parts["pre"] == repaid["principal"]
    assert_ledger_consistent()


def test_concurrent_collection_runs_collect_once(transactional_db, customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    barrier = threading.Barrier(CLIENTS)

    @in_thread
    def collect(_: int) -> int:
        barrier.wait()
        return services.loans_collect_due(today=FIRST_DUE)

    with ThreadPoolExecutor(CLIENTS) as pool:
        assert sum(pool.map(collect, range(CLIENTS))) == 1
    assert loan.repayments.get().amount == loan.emi
    assert Account.objects.get(pk=account.pk).balance == D("121000.00") - loan.emi
    assert_ledger_consistent()
