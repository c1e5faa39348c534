from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.models import Account
from accounts.tests.factories import AccountTypeFactory, account_create
from bankingsystem.errors import ApplicationError
from customers import roles
from customers.tests.factories import staff_user_create
from loans import services, tasks
from loans.ml import features, registry
from loans.models import Instalment, Loan, Repayment
from loans.tests.conftest import APPLICANT, loan_apply, loan_disbursed, product_create
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import deposit_create, withdrawal_create

D = Decimal
FIRST_DUE = date(2026, 2, 15)

pytestmark = pytest.mark.usefixtures("risk_model")


def refused(code: str, call, **kwargs) -> ApplicationError:  # type: ignore[no-untyped-def]
    """Call a service expecting refusal `code`; assert nothing was written."""
    counts = (Loan.objects.count(), Journal.objects.count(), Repayment.objects.count())
    with pytest.raises(ApplicationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value.detail
    assert (Loan.objects.count(), Journal.objects.count(), Repayment.objects.count()) == counts
    return info.value


def gl_balance(code: str) -> Decimal:
    account = Account.objects.filter(kind="gl", gl_code=code, currency="INR").first()
    return account.balance if account else D("0.00")


def assert_ledger_consistent() -> None:
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()


def instalments(loan: Loan) -> list[Instalment]:
    return list(loan.instalments.order_by("number"))


# --- Application -----------------------------------------------------------------------------


def test_apply_scores_and_stores_the_inputs(customer, account, product):
    loan = loan_apply(customer, account, product)
    model = registry.model_load()
    assert loan.status == Loan.Status.SUBMITTED
    assert D(0) <= loan.risk_probability <= D(1)
    assert loan.risk_band in {"low", "medium", "high"}
    assert loan.model_version == model.version
    assert loan.risk_threshold == D(str(model.card["threshold"]))
    assert list(loan.model_inputs) == features.FEATURES
    assert loan.model_inputs["credit_amount"] == 1200.0
    assert (loan.annual_rate, loan.amortization, loan.approvals_required) == (D("10.5000"), "emi", 1)
    assert loan.monthly_income == APPLICANT["monthly_income"]
    assert loan_apply(customer, account, product, amount="500000.00").approvals_required == 2


def test_riskier_applicants_score_higher(customer, account, product):
    safe = loan_apply(customer, account, product)
    risky = loan_apply(
        customer,
        account,
        product,
        amount="900000.00",
        term=60,
        checking_balance=D("-5000.00"),
        savings_balance=None,
        credit_history="no_credits",
        employment_years=0,
        monthly_income=D("20000.00"),
        property="none",
        housing="rent",
        other_installment_plans="bank",
        age=21,
    )
    assert risky.risk_probability > safe.risk_probability


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": D("1000.00")}, "amount_out_of_range"),
        ({"amount": D("1500000.01")}, "amount_out_of_range"),
        ({"amount": D("-5")}, "amount_not_positive"),
        ({"amount": D("100000.001")}, "too_many_decimal_places"),
        ({"term_months": 5}, "term_out_of_range"),
        ({"term_months": 61}, "term_out_of_range"),
    ],
)
def test_apply_refuses_terms_the_product_does_not_offer(customer, account, product, changes, code):
    kwargs = {
        "customer": customer,
        "product": product,
        "account": account,
        "amount": D("100000.00"),
        "term_months": 12,
        "purpose": "other",
        "applicant": APPLICANT,
        **changes,
    }
    error = refused(code, services.loan_apply, **kwargs)
    assert error.status == 400


def test_apply_refuses_other_accounts_currencies_and_withdrawn_products(
    customer, account, other_account, product, branch
):
    base = {"customer": customer, "amount": D("100000"), "term_months": 12, "purpose": "other", "applicant": APPLICANT}
    refused("account_not_found", services.loan_apply, product=product, account=other_account, **base)
    usd = account_create(owner=customer, account_type=AccountTypeFactory(code="usd", currency="USD"), branch=branch)
    refused("currency_mismatch", services.loan_apply, product=product, account=usd, **base)
    withdrawn = product_create("old", is_active=False)
    refused("product_unavailable", services.loan_apply, product=withdrawn, account=account, **base)


def test_apply_without_a_model_is_a_clear_503(settings, tmp_path, customer, account, product):
    settings.LOAN_MODEL_DIR = tmp_path
    error = refused(
        "risk_model_unavailable",
        services.loan_apply,
        customer=customer,
        product=product,
        account=account,
        amount=D("100000"),
        term_months=12,
        purpose="other",
        applicant=APPLICANT,
    )
    assert error.status == 503 and "train_loan_model" in error.detail


# --- Review ----------------------------------------------------------------------------------


def test_one_officer_approves_below_the_maker_checker_amount(customer, account, product, officer):
    loan = loan_apply(customer, account, product, amount="499999.99")
    loan = services.loan_decide(loan=loan, officer=officer, outcome="approve", reason="Stable income")
    assert loan.status == Loan.Status.APPROVED
    assert list(loan.decisions.values_list("officer__username", "outcome", "reason")) == [
        ("lata", "approve", "Stable income")
    ]


def test_maker_checker_needs_a_second_different_officer(customer, account, product, officer, second_officer):
    loan = loan_apply(customer, account, product, amount="500000.00", term=36)
    loan = services.loan_decide(loan=loan, officer=officer, outcome="approve", reason="Looks fine")
    assert loan.status == Loan.Status.UNDER_REVIEW
    error = refused(
        "second_officer_required", services.loan_decide, loan=loan, officer=officer, outcome="approve", reason="again"
    )
    assert error.status == 409
    refused("loan_not_approved", services.loan_disburse, loan=loan, initiated_by=officer)
    loan = services.loan_decide(loan=loan, officer=second_officer, outcome="approve", reason="Checked")
    assert loan.status == Loan.Status.APPROVED
    refused(
        "loan_already_decided",
        services.loan_decide,
        loan=loan,
        officer=staff_user_create(username="x", role=roles.ADMIN),
        outcome="reject",
        reason="late",
    )


def test_rejection_ends_it(customer, account, product, officer, second_officer):
    loan = loan_apply(customer, account, product, amount="600000.00", term=36)
    services.loan_decide(loan=loan, officer=officer, outcome="approve", reason="ok")
    loan = services.loan_decide(loan=loan, officer=second_officer, outcome="reject", reason="Too much debt")
    assert loan.status == Loan.Status.REJECTED
    refused("loan_not_approved", services.loan_disburse, loan=loan, initiated_by=officer)


def test_only_loan_officers_decide(customer, account, product, teller):
    loan = loan_apply(customer, account, product)
    for user in (customer.user, teller):
        assert (
            refused(
                "permission_denied", services.loan_decide, loan=loan, officer=user, outcome="approve", reason="x"
            ).status
            == 403
        )
    refused(
        "reason_required",
        services.loan_decide,
        loan=loan,
        officer=staff_user_create(username="o", role=roles.LOAN_OFFICER),
        outcome="approve",
        reason="  ",
    )


# --- Disbursement --------------------------------------------------------------------------------


def test_disbursement_is_one_balanced_journal_and_stores_the_schedule(customer, account, product, officer):
    receivable_before = gl_balance("loan_receivable")
    loan = loan_disbursed(customer, account, product, officer)
    account.refresh_from_db()
    assert loan.status == Loan.Status.DISBURSED
    assert account.balance == D("121000.00")
    assert gl_balance("loan_receivable") == receivable_before - D("120000.00")
    journal = loan.disbursement_journal
    assert journal.kind == Journal.Kind.LOAN
    assert sorted(journal.entries.values_list("amount", flat=True)) == [D("-120000.00"), D("120000.00")]
    rows = instalments(loan)
    assert len(rows) == 12
    assert rows[0].due_date == FIRST_DUE and rows[-1].due_date == date(2027, 1, 15)
    assert sum(r.principal for r in rows) == D("120000.00")
    assert loan.emi == D("10577.83") and rows[0].interest == D("1050.00")
    assert loan.principal_outstanding == D("120000.00")
    refused("loan_already_disbursed", services.loan_disburse, loan=loan, initiated_by=officer)
    assert_ledger_consistent()


# --- Repayment -----------------------------------------------------------------------------------


def test_repayment_on_the_due_date_pays_the_instalment(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    interest_before = gl_balance("interest_income")
    repayment = services.loan_repay(loan=loan, amount=D("10577.83"), initiated_by=customer.user, today=FIRST_DUE)
    assert (repayment.fee_part, repayment.interest_part, repayment.principal_part) == (
        D("0.00"),
        D("1050.00"),
        D("9527.83"),
    )
    assert repayment.prepaid_principal == 0
    first = instalments(loan)[0]
    assert first.paid_on == FIRST_DUE and first.amount_unpaid == 0
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("120000.00") - D("9527.83")
    assert gl_balance("interest_income") == interest_before + D("1050.00")
    assert_ledger_consistent()


def test_late_fee_once_then_fees_interest_principal(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    late = FIRST_DUE + timedelta(days=6)  # past the 5 grace days
    services.loan_refresh_delinquency(loan=loan, today=FIRST_DUE + timedelta(days=5))
    assert instalments(loan)[0].fee == 0  # still within grace
    for _ in range(3):
        services.loan_refresh_delinquency(loan=loan, today=late)
    first = instalments(loan)[0]
    assert (first.fee, first.late_fee_charged_on) == (D("500.00"), late)
    fees_before = gl_balance("fee_income")

    partial = services.loan_repay(loan=loan, amount=D("1000.00"), initiated_by=None, today=late)
    assert (partial.fee_part, partial.interest_part, partial.principal_part) == (D("500.00"), D("500.00"), D("0.00"))
    first = instalments(loan)[0]
    assert first.paid_on is None and first.amount_unpaid == D("10077.83")
    rest = services.loan_repay(loan=loan, amount=D("10077.83"), initiated_by=None, today=late)
    assert (rest.fee_part, rest.interest_part, rest.principal_part) == (D("0.00"), D("550.00"), D("9527.83"))
    assert instalments(loan)[0].paid_on == late
    assert gl_balance("fee_income") == fees_before + D("500.00")
    services.loan_refresh_delinquency(loan=loan, today=late + timedelta(days=10))
    assert instalments(loan)[0].fee == D("500.00")  # paid instalments are never charged again
    assert_ledger_consistent()


def test_early_repayment_reduces_principal_and_reshapes_the_schedule(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    services.loan_repay(loan=loan, amount=D("10577.83"), initiated_by=None, today=FIRST_DUE)
    extra = services.loan_repay(loan=loan, amount=D("30000.00"), initiated_by=None, today=FIRST_DUE + timedelta(days=3))
    assert (extra.principal_part, extra.prepaid_principal, extra.interest_part) == (D("30000.00"), D("30000.00"), 0)
    loan.refresh_from_db()
    rows = instalments(loan)
    assert loan.principal_outstanding == D("120000.00") - D("9527.83") - D("30000.00")
    future = [r for r in rows if r.paid_on is None]
    assert len(future) == 11  # the tenor stays; the instalment shrinks
    assert sum(r.principal for r in future) == loan.principal_outstanding
    prepaid = loan.repayments.aggregate(total=Sum("prepaid_principal"))["total"]
    assert sum(r.principal for r in rows) + prepaid == D("120000.00")
    assert loan.emi < D("10577.83")
    assert future[0].interest == (loan.principal_outstanding * D("0.00875")).quantize(D("0.01"))
    assert [r.due_date for r in rows] == [date(2026, m, 15) for m in range(2, 13)] + [date(2027, 1, 15)]


def test_paying_the_payoff_closes_the_loan(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    deposit_create(account=account, amount=D("20000.00"))
    receivable_before = gl_balance("loan_receivable")
    day = FIRST_DUE + timedelta(days=1)
    payoff = services.loan_payoff_amount(loan=loan, today=day)
    assert payoff == D("10577.83") + D("120000.00") - D("9527.83")  # due instalment + principal not yet due
    error = refused(
        "repayment_exceeds_payoff",
        services.loan_repay,
        loan=loan,
        amount=payoff + D("0.01"),
        initiated_by=None,
        today=day,
    )
    assert error.extra["payoff"] == str(payoff)
    services.loan_repay(loan=loan, amount=payoff, initiated_by=None, today=day)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED and loan.closed_at is not None
    assert loan.principal_outstanding == 0
    assert not loan.instalments.filter(paid_on__isnull=True).exists()
    assert gl_balance("loan_receivable") == receivable_before + D("120000.00")
    refused("loan_not_active", services.loan_repay, loan=loan, amount=D("1"), initiated_by=None, today=day)
    assert_ledger_consistent()


def test_repaying_every_instalment_on_time_closes_the_loan(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer, amount="60000.00", term=6)
    deposit_create(account=account, amount=D("5000.00"))
    for row in instalments(loan):
        services.loan_repay(loan=loan, amount=row.amount_due, initiated_by=None, today=row.due_date)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    paid = loan.repayments.aggregate(p=Sum("principal_part"), i=Sum("interest_part"))
    assert paid["p"] == D("60000.00")
    assert paid["i"] == sum(r.interest for r in instalments(loan))


def test_repayment_refusals(customer, account, product, officer):
    submitted = loan_apply(customer, account, product)
    refused("loan_not_active", services.loan_repay, loan=submitted, amount=D("10"), initiated_by=None)
    loan = loan_disbursed(customer, account, product, officer)
    refused("amount_not_positive", services.loan_repay, loan=loan, amount=D("0"), initiated_by=None, today=FIRST_DUE)
    error = refused(
        "insufficient_funds", services.loan_repay, loan=loan, amount=D("121000.01"), initiated_by=None, today=FIRST_DUE
    )
    assert error.extra["available"] == "121000.00"
    Account.objects.filter(pk=account.pk).update(status="frozen")
    refused("account_not_active", services.loan_repay, loan=loan, amount=D("10"), initiated_by=None, today=FIRST_DUE)


# --- Collection and delinquency ----------------------------------------------------------------


def test_collection_task_run_twice_collects_once(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    assert services.loans_collect_due(today=FIRST_DUE - timedelta(days=1)) == 0  # nothing due yet
    assert services.loans_collect_due(today=FIRST_DUE) == 1
    assert services.loans_collect_due(today=FIRST_DUE) == 0
    assert tasks.collect_due.apply(kwargs={"today": str(FIRST_DUE)}).get() == {"repayments": 0}  # the beat task
    repayment = loan.repayments.get()
    assert (repayment.source, repayment.amount) == ("auto", D("10577.83"))
    assert instalments(loan)[0].paid_on == FIRST_DUE


def test_collection_takes_what_the_account_can_pay(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    account.account_type.per_transaction_limit = D("1000000.00")
    account.account_type.save()
    withdrawal_create(account=account, amount=D("115000.00"))  # leaves 6,000.00
    services.loans_collect_due(today=FIRST_DUE)
    assert loan.repayments.get().amount == D("6000.00")
    assert instalments(loan)[0].amount_unpaid == D("4577.83")
    assert services.loans_collect_due(today=FIRST_DUE) == 0  # the account is empty now
    Account.objects.filter(pk=account.pk).update(status="frozen")
    assert services.loans_collect_due(today=FIRST_DUE + timedelta(days=1)) == 0


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
    ],
)
def test_delinquency_buckets(days, bucket):
    assert services.bucket_for(days) == bucket


def test_delinquency_refresh_counts_from_the_oldest_unpaid_instalment(customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    services.loans_refresh_delinquency(today=FIRST_DUE)
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (0, "current")
    assert tasks.refresh_delinquency.apply(kwargs={"today": str(FIRST_DUE)}).get() == {"loans": 1}
    services.loans_refresh_delinquency(today=FIRST_DUE + timedelta(days=45))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (45, "31-60")
    services.loans_refresh_delinquency(today=FIRST_DUE + timedelta(days=120))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket) == (120, "90+")
    assert loan.instalments.exclude(late_fee_charged_on=None).count() == 4  # Feb..May are past grace
