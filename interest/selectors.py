"""Reads: what an account has accrued and been paid, the rate in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import Account
from bankingsystem.money import CURRENCY_EXPONENTS

from .conventions import parts_to_decimal, split_posting
from .models import InterestAccountState, InterestAccrual, InterestPosting, InterestProduct, InterestRate


@dataclass
class InterestSummary:
    account: Account
    product: InterestProduct | None
    rate: InterestRate | None
    posted_through: date | None
    accrued_from: date | None
    accrued_through: date | None
    accrued_parts: int
    carry_parts: int
    accrued_to_date: Decimal  # what would post now: accrued plus carried, rounded to the minor unit
    accrued_exact: Decimal  # accrued since the last posting, to ten decimal places
    carried_forward: Decimal
    posted_total: Decimal


def rate_in_force(*, account_type_id: int, day: date) -> InterestRate | None:
    return InterestRate.objects.filter(account_type_id=account_type_id, effective_from__lte=day).first()


def interest_summary(*, account: Account, today: date) -> InterestSummary:
    state = InterestAccountState.objects.filter(account=account).first()
    posted_through = state.posted_through if state else None
    carry = int(state.carry_parts) if state else 0
    window = InterestAccrual.objects.filter(account=account)
    if posted_through is not None:
        window = window.filter(day__gt=posted_through)
    # Unposted rows are one period's worth: summed in Python, exact on any database.
    rows = list(window.order_by("day").values_list("day", "amount_parts"))
    accrued = sum(int(parts) for _, parts in rows)
    posted = sum(InterestPosting.objects.filter(account=account).values_list("amount", flat=True), Decimal("0.00"))
    return InterestSummary(
        account=account,
        product=InterestProduct.objects.filter(account_type_id=account.account_type_id).first(),
        rate=rate_in_force(account_type_id=account.account_type_id, day=today),
        posted_through=posted_through,
        accrued_from=rows[0][0] if rows else None,
        accrued_through=rows[-1][0] if rows else None,
        accrued_parts=accrued,
        carry_parts=carry,
        accrued_to_date=split_posting(accrued + carry, CURRENCY_EXPONENTS[account.currency])[0],
        accrued_exact=parts_to_decimal(accrued),
        carried_forward=parts_to_decimal(carry),
        posted_total=posted,
    )


def interest_postings_of(*, account: Account) -> QuerySet[InterestPosting]:
    return InterestPosting.objects.filter(account=account).select_related("journal").order_by("-period_end")
