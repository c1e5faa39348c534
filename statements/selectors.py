"""A statement's figures, straight from the ledger: the opening balance is the balance
the last entry before the period left, and the closing balance must equal the one the
last entry in it left (checked, not assumed)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from bankingsystem.money import ZERO
from transactions.models import Entry


def month_parse(value: str) -> tuple[date, date]:
    """'2026-10' -> (2026-10-01, 2026-10-31); refuses anything else and months to come."""
    try:
        year, month = (int(part) for part in value.split("-"))
        start = date(year, month, 1)
    except (ValueError, TypeError) as error:
        raise ApplicationError("invalid_month", "Give the month as YYYY-MM.", status=400, field="month") from error
    if len(value) != 7 or start > timezone.localdate():
        raise ApplicationError("invalid_month", "Give a month as YYYY-MM, not one to come.", status=400, field="month")
    return start, date(year, month, calendar.monthrange(year, month)[1])


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class StatementData:
    account: Account
    period_start: date
    period_end: date
    opening_balance: Decimal
    lines: list[Entry] = field(default_factory=list)
    total_credits: Decimal = ZERO
    total_debits: Decimal = ZERO

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.total_credits - self.total_debits


def statement_entries_between(*, account: Account, start: date, end: date) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(
            account=account,
            created_at__gte=_local_midnight(start),
            created_at__lt=_local_midnight(end + timedelta(days=1)),
        )
        .select_related("journal")
        .order_by("pk")
    )


def statement_compute(*, account: Account, start: date, end: date) -> StatementData:
    before = (
        Entry.objects.filter(account=account, created_at__lt=_local_midnight(start))
        .order_by("-pk")
        .values_list("balance_after", flat=True)
        .first()
    )
    data = StatementData(account=account, period_start=start, period_end=end, opening_balance=before or ZERO)
    data.lines = list(statement_entries_between(account=account, start=start, end=end))
    data.total_credits = sum((e.amount for e in data.lines if e.amount > 0), ZERO)
    data.total_debits = -sum((e.amount for e in data.lines if e.amount < 0), ZERO)
    if data.lines and data.lines[-1].balance_after != data.closing_balance:
        # Cannot happen while the ledger's invariants hold; never issue a statement that disagrees.
        raise ApplicationError(
            "statement_mismatch", f"Account {account.number}'s entries do not add up for {start:%Y-%m}.", status=500
        )
    return data
