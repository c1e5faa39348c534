"""Loans from application to the last repayment. The rules live here.

Money only moves through `transactions.services.journal_create`, as one balanced journal
per disbursement or repayment:

- disbursement: loan receivable (GL) -amount, customer account +amount;
- repayment: customer account -amount, loan receivable +principal, interest income +interest,
  fee income +fees. Interest and fees are recognised when collected (cash basis).

Every writer locks the loan row first (then the ledger locks accounts in key order), so a
loan's state and its money cannot drift apart under concurrent officers, customers and
the collection task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.db import lock_rows, retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.money import ZERO, minor_unit
from customers import roles
from customers.models import Customer
from transactions.models import Journal
from transactions.services import Leg, amount_validate, journal_create

from . import schedule
from .ml import features, registry
from .models import Instalment, Loan, LoanDecision, LoanProduct, Repayment

User = AbstractBaseUser


# --- Terms and scoring ------------------------------------------------------------------


def loan_terms_validate(*, product: LoanProduct, amount: Decimal, term_months: int) -> Decimal:
    """Refuse terms the product does not offer (400); the amount at the ledger's scale."""
    if not product.is_active:
        raise ApplicationError(
            "product_unavailable", f"Loan product {product.code} is not offered any more.", status=400, field="product"
        )
    amount = amount_validate(amount=amount, currency=product.currency)
    if not product.min_amount <= amount <= product.max_amount:
        raise ApplicationError(
            "amount_out_of_range",
            f"{product.name} lends {product.min_amount} to {product.max_amount} {product.currency}.",
            status=400,
            field="amount",
        )
    if not product.min_term_months <= term_months <= product.max_term_months:
        raise ApplicationError(
            "term_out_of_range",
            f"{product.name} runs {product.min_term_months} to {product.max_term_months} months.",
            status=400,
            field="term_months",
        )
    return amount


def loan_first_instalment(*, product: LoanProduct, amount: Decimal, term_months: int) -> Decimal:
    """What the first monthly instalment would be (the EMI, or the largest equal-principal one)."""
    rows = schedule.build_schedule(
        principal=amount,
        annual_rate_percent=product.annual_rate,
        months=term_months,
        method=product.amortization,
        first_due_date=timezone.localdate(),
        quantum=minor_unit(product.currency),
    )
    return rows[0].amount


def loan_score(
    *, product: LoanProduct, amount: Decimal, term_months: int, purpose: str, applicant: dict[str, Any]
) -> registry.RiskScore:
    """Score an application with the saved model (nothing is written)."""
    amount = loan_terms_validate(product=product, amount=amount, term_months=term_months)
    try:
        row = features.feature_row(
            amount=amount,
            term_months=term_months,
            purpose=purpose,
            emi=loan_first_instalment(product=product, amount=amount, term_months=term_months),
            applicant=applicant,
            currency_per_dm=Decimal(settings.LOAN_RISK_CURRENCY_PER_DM),
        )
        return registry.score(row)
    except features.MissingFeatures as error:
        raise ApplicationError(
            "missing_features",
            f"The risk model needs these applicant attributes: {', '.join(error.missing)}.",
            status=400,
            extra={"missing": error.missing},
        ) from error
    except registry.ModelUnavailable as error:
        raise ApplicationError("risk_model_unavailable", str(error), status=503) from error


# --- Application and review ---------------------------------------------------------------


@transaction.atomic
def loan_apply(
    *,
    customer: Customer,
    product: LoanProduct,
    account: Account,
    amount: Decimal,
    term_months: int,
    purpose: str,
    applicant: dict[str, Any],
) -> Loan:
    """Submit an application; the model scores it and the score is stored with it."""
    if account.owner_id != customer.pk or account.kind != Account.Kind.CUSTOMER:
        raise ApplicationError("account_not_found", "No such account of yours.", status=400, field="account")
    if account.status != Account.Status.ACTIVE:
        raise ApplicationError(
            "account_not_active", f"Account {account.number} is {account.status}.", status=400, field="account"
        )
    if account.currency != product.currency:
        raise ApplicationError(
            "currency_mismatch",
            f"{product.name} is lent in {product.currency}; account {account.number} holds {account.currency}.",
            status=400,
            field="account",
        )
    risk = loan_score(product=product, amount=amount, term_months=term_months, purpose=purpose, applicant=applicant)
    amount = amount.quantize(Decimal("0.01"))
    return Loan.objects.create(
        customer=customer,
        product=product,
        account=account,
        amount=amount,
        currency=product.currency,
        term_months=term_months,
        annual_rate=product.annual_rate,
        amortization=product.amortization,
        purpose=purpose,
        **{name: applicant[name] for name in features.APPLICANT_FIELDS},
        risk_probability=risk.probability,
        risk_band=risk.band,
        risk_advice=risk.advice,
        risk_threshold=risk.threshold,
        model_version=risk.model_version,
        model_inputs=risk.features,
        approvals_required=2 if amount >= settings.LOAN_MAKER_CHECKER_AMOUNT else 1,
    )


def _loan_lock(loan: Loan) -> Loan:
    return Loan.objects.select_for_update(of=("self",)).select_related("product").get(pk=loan.pk)


@retry_on_conflict
@transaction.atomic
def loan_decide(*, loan: Loan, officer: User, outcome: str, reason: str) -> Loan:
    """A loan officer approves or rejects, with a reason. At or above the maker-checker
    amount a second, different officer must approve too; any rejection ends it."""
    if not roles.has_role(officer, roles.LOAN_OFFICER, roles.ADMIN):
        raise ApplicationError("permission_denied", "Only loan officers decide on loans.", status=403)
    if not reason.strip():
        raise ApplicationError("reason_required", "Give a reason for the decision.", status=400, field="reason")
    loan = _loan_lock(loan)
    if loan.customer.user_id == officer.pk:
        raise ApplicationError("own_loan", "Officers cannot decide on their own loans.", status=403)
    if loan.status not in (Loan.Status.SUBMITTED, Loan.Status.UNDER_REVIEW):
        raise ApplicationError(
            "loan_already_decided", f"This loan is {loan.status}.", status=409, extra={"loan_status": loan.status}
        )
    if loan.decisions.filter(officer=officer).exists():
        raise ApplicationError(
            "second_officer_required",
            "You have already approved this loan; a different officer must make the second decision.",
            status=409,
        )
    try:
        with transaction.atomic():
            LoanDecision.objects.create(loan=loan, officer=officer, outcome=outcome, reason=reason.strip())
    except IntegrityError as error:  # unreachable under the loan lock; the constraint is the backstop
        raise ApplicationError("second_officer_required", "One decision per officer.", status=409) from error
    if outcome == LoanDecision.Outcome.REJECT:
        loan.status = Loan.Status.REJECTED
    elif loan.decisions.filter(outcome=LoanDecision.Outcome.APPROVE).count() >= loan.approvals_required:
        loan.status = Loan.Status.APPROVED
    else:
        loan.status = Loan.Status.UNDER_REVIEW
    loan.save(update_fields=["status", "updated_at"])
    return loan


# --- Disbursement -----------------------------------------------------------------------------


@retry_on_conflict
@transaction.atomic
def loan_disburse(*, loan: Loan, initiated_by: User | None, today: date | None = None) -> Loan:
    """Pay an approved loan into the customer's account (one journal) and store its schedule."""
    loan = _loan_lock(loan)
    if loan.status != Loan.Status.APPROVED:
        code = "loan_already_disbursed" if loan.disbursement_journal_id else "loan_not_approved"
        raise ApplicationError(code, f"This loan is {loan.status}.", status=409, extra={"loan_status": loan.status})
    today = today or timezone.localdate()
    receivable = gl_account_get_or_create(code=Account.GlCode.LOAN_RECEIVABLE, currency=loan.currency)
    journal = journal_create(
        kind=Journal.Kind.LOAN,
        legs=[Leg(receivable.pk, -loan.amount), Leg(loan.account_id, loan.amount)],
        description=f"Loan {loan.pk} disbursement",
        initiated_by=initiated_by,
    )
    rows = schedule.build_schedule(
        principal=loan.amount,
        annual_rate_percent=loan.annual_rate,
        months=loan.term_months,
        method=loan.amortization,
        first_due_date=schedule.add_months(today, 1),
        quantum=minor_unit(loan.currency),
    )
    Instalment.objects.bulk_create(
        Instalment(
            loan=loan,
            number=row.number,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            outstanding=row.outstanding,
        )
        for row in rows
    )
    loan.status = Loan.Status.DISBURSED
    loan.disbursement_journal = journal
    loan.disbursed_at = timezone.now()
    loan.principal_outstanding = loan.amount
    loan.emi = rows[0].amount if loan.amortization == LoanProduct.Amortization.EMI else None
    loan.save()
    return loan


# --- Repayment --------------------------------------------------------------------------------


@dataclass
class Allocation:
    fee: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO  # of due instalments
    prepaid: Decimal = ZERO  # principal ahead of the schedule

    @property
    def total(self) -> Decimal:
        return self.fee + self.interest + self.principal + self.prepaid


def _due_instalments(loan: Loan, today: date) -> list[Instalment]:
    return list(loan.instalments.filter(due_date__lte=today, paid_on__isnull=True).order_by("number"))


def amount_due(instalments: list[Instalment]) -> Decimal:
    return sum((i.amount_unpaid for i in instalments), ZERO)


def loan_payoff_amount(*, loan: Loan, today: date | None = None) -> Decimal:
    """Everything needed to close the loan today: what is due, plus the principal not yet due
    (future interest is not owed on a declining balance once the principal is repaid)."""
    due = _due_instalments(loan, today or timezone.localdate())
    due_principal = sum((i.principal - i.paid_principal for i in due), ZERO)
    return amount_due(due) + loan.principal_outstanding - due_principal


def _allocate(due: list[Instalment], amount: Decimal, prepayable: Decimal, today: date) -> Allocation:
    """Fees first, then interest, then principal, each oldest instalment first; what is left
    repays principal ahead of the schedule. Updates the instalments in memory."""
    allocation, left = Allocation(), amount
    for part in ("fee", "interest", "principal"):
        for instalment in due:
            paid = f"paid_{part}"
            take = min(left, getattr(instalment, part) - getattr(instalment, paid))
            if take > 0:
                setattr(instalment, paid, getattr(instalment, paid) + take)
                setattr(allocation, part, getattr(allocation, part) + take)
                left -= take
    for instalment in due:
        if instalment.amount_unpaid == 0:
            instalment.paid_on = today
    allocation.prepaid = min(left, prepayable)
    return allocation


def _reschedule_future(loan: Loan, today: date, prepaid: Decimal) -> None:
    """After a prepayment, spread the smaller principal over the instalments not yet due,
    keeping their dates (the tenor stays; the instalment shrinks). Interest is recomputed
    on the new declining balance."""
    future = list(loan.instalments.filter(due_date__gt=today).order_by("number"))
    remaining = sum((i.principal for i in future), ZERO) - prepaid
    if remaining == 0:
        for instalment in future:
            instalment.delete()
        loan.emi = None
        return
    rows = schedule.build_schedule(
        principal=remaining,
        annual_rate_percent=loan.annual_rate,
        months=len(future),
        method=loan.amortization,
        first_due_date=future[0].due_date,
        quantum=minor_unit(loan.currency),
    )
    for instalment, row in zip(future, rows, strict=True):
        instalment.principal, instalment.interest, instalment.outstanding = row.principal, row.interest, row.outstanding
        instalment.save(update_fields=["principal", "interest", "outstanding"])
    if loan.amortization == LoanProduct.Amortization.EMI:
        loan.emi = rows[0].amount


def _spendable(account: Account) -> Decimal:
    account_type = account.account_type
    minimum = account_type.minimum_balance if account_type else ZERO
    return account.balance - account.held_amount - minimum + account.overdraft_limit


def _repay_locked(
    *, loan: Loan, amount: Decimal, source: str, initiated_by: User | None, today: date, account: Account
) -> Repayment:
    due = _due_instalments(loan, today)
    due_principal = sum((i.principal - i.paid_principal for i in due), ZERO)
    allocation = _allocate(due, amount, loan.principal_outstanding - due_principal, today)
    assert allocation.total == amount, (allocation, amount)
    legs = [Leg(account.pk, -amount)]
    for code, part in (
        (Account.GlCode.FEE_INCOME, allocation.fee),
        (Account.GlCode.INTEREST_INCOME, allocation.interest),
        (Account.GlCode.LOAN_RECEIVABLE, allocation.principal + allocation.prepaid),
    ):
        if part:
            legs.append(Leg(gl_account_get_or_create(code=code, currency=loan.currency).pk, part))
    journal = journal_create(
        kind=Journal.Kind.LOAN,
        legs=legs,
        description=f"Loan {loan.pk} repayment" + (" (automatic)" if source == Repayment.Source.AUTO else ""),
        initiated_by=initiated_by,
    )
    for instalment in due:
        instalment.save(update_fields=["paid_fee", "paid_interest", "paid_principal", "paid_on"])
    loan.principal_outstanding -= allocation.principal + allocation.prepaid
    if allocation.prepaid:
        _reschedule_future(loan, today, allocation.prepaid)
    if (
        loan.principal_outstanding == 0
        and not loan.instalments.filter(paid_on__isnull=True).exclude(due_date__gt=today).exists()
    ):
        loan.instalments.filter(due_date__gt=today).delete()  # nothing left to pay on them
        loan.status, loan.closed_at = Loan.Status.CLOSED, timezone.now()
        loan.days_past_due, loan.bucket = 0, Loan.Bucket.CURRENT
    loan.save()
    return Repayment.objects.create(
        loan=loan,
        journal=journal,
        amount=amount,
        fee_part=allocation.fee,
        interest_part=allocation.interest,
        principal_part=allocation.principal + allocation.prepaid,
        prepaid_principal=allocation.prepaid,
        source=source,
        initiated_by=initiated_by,
    )


def _refuse_unless_repayable(loan: Loan) -> None:
    if loan.status != Loan.Status.DISBURSED:
        raise ApplicationError(
            "loan_not_active", f"This loan is {loan.status}.", status=409, extra={"loan_status": loan.status}
        )


@retry_on_conflict
@transaction.atomic
def loan_repay(*, loan: Loan, amount: Decimal, initiated_by: User | None, today: date | None = None) -> Repayment:
    """A manual repayment from the loan's account: partial, exact or early (up to the payoff)."""
    loan = _loan_lock(loan)
    _refuse_unless_repayable(loan)
    amount = amount_validate(amount=amount, currency=loan.currency)
    today = today or timezone.localdate()
    payoff = loan_payoff_amount(loan=loan, today=today)
    if amount > payoff:
        raise ApplicationError(
            "repayment_exceeds_payoff",
            f"Only {payoff} {loan.currency} is needed to repay this loan in full.",
            field="amount",
            extra={"payoff": str(payoff)},
        )
    account = lock_rows(Account.objects.select_related("account_type"), [loan.account_id])[loan.account_id]
    if account.status != Account.Status.ACTIVE:
        raise ApplicationError(
            "account_not_active", f"Account {account.number} is {account.status} and cannot pay.", field="account"
        )
    if amount > _spendable(account):
        available = max(_spendable(account), ZERO)
        raise ApplicationError(
            "insufficient_funds",
            f"Account {account.number} has {available} {account.currency} available.",
            field="amount",
            extra={"available": str(available)},
        )
    return _repay_locked(
        loan=loan,
        amount=amount,
        source=Repayment.Source.MANUAL,
        initiated_by=initiated_by,
        today=today,
        account=account,
    )


@retry_on_conflict
@transaction.atomic
def loan_collect_due(*, loan: Loan, today: date | None = None) -> Repayment | None:
    """Automatic collection: take what is due today (or as much of it as the account can
    pay) from the loan's account. Running it again collects nothing more: what was due is
    paid, and nothing beyond what is due is ever taken."""
    today = today or timezone.localdate()
    loan = _loan_lock(loan)
    if loan.status != Loan.Status.DISBURSED:
        return None
    due = amount_due(_due_instalments(loan, today))
    if due == 0:
        return None
    account = lock_rows(Account.objects.select_related("account_type"), [loan.account_id])[loan.account_id]
    if account.status != Account.Status.ACTIVE:
        return None
    amount = min(due, max(_spendable(account), ZERO))
    if amount == 0:
        return None
    return _repay_locked(
        loan=loan, amount=amount, source=Repayment.Source.AUTO, initiated_by=None, today=today, account=account
    )


# --- Late fees and delinquency ------------------------------------------------------------------


BUCKETS = [
    (0, Loan.Bucket.CURRENT),
    (30, Loan.Bucket.DPD_1_30),
    (60, Loan.Bucket.DPD_31_60),
    (90, Loan.Bucket.DPD_61_90),
]


def bucket_for(days_past_due: int) -> str:
    for upper, bucket in BUCKETS:
        if days_past_due <= upper:
            return bucket
    return Loan.Bucket.NPA


@retry_on_conflict
@transaction.atomic
def loan_refresh_delinquency(*, loan: Loan, today: date | None = None) -> Loan:
    """Charge the product's late fee once on every instalment unpaid past its grace days,
    and set days past due (from the oldest unpaid instalment) and the bucket."""
    today = today or timezone.localdate()
    loan = _loan_lock(loan)
    if loan.status != Loan.Status.DISBURSED:
        return loan
    overdue = [i for i in _due_instalments(loan, today) if i.due_date < today]
    late_fee = loan.product.late_fee
    for instalment in overdue:
        past_grace = (today - instalment.due_date).days > loan.product.grace_days
        if past_grace and instalment.late_fee_charged_on is None and late_fee > 0:
            instalment.fee += late_fee
            instalment.late_fee_charged_on = today
            instalment.save(update_fields=["fee", "late_fee_charged_on"])
    loan.days_past_due = (today - overdue[0].due_date).days if overdue else 0
    loan.bucket = bucket_for(loan.days_past_due)
    loan.save(update_fields=["days_past_due", "bucket", "updated_at"])
    return loan


def loan_ids_to_collect(*, today: date) -> list[int]:
    return list(
        Loan.objects.filter(
            status=Loan.Status.DISBURSED, instalments__due_date__lte=today, instalments__paid_on__isnull=True
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def loans_collect_due(*, today: date | None = None) -> int:
    """Collect on every loan with something due; each loan in its own transaction, so one
    failure (say a closed account) does not stop the rest. Returns repayments made."""
    today = today or timezone.localdate()
    made = 0
    for loan_id in loan_ids_to_collect(today=today):
        if loan_collect_due(loan=Loan(pk=loan_id), today=today) is not None:
            made += 1
    return made


def loans_refresh_delinquency(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    ids = list(Loan.objects.filter(status=Loan.Status.DISBURSED).order_by("pk").values_list("pk", flat=True))
    for loan_id in ids:
        loan_refresh_delinquency(loan=Loan(pk=loan_id), today=today)
    return len(ids)
