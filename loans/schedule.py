"""Amortization schedules: pure Decimal arithmetic, no database, no floats.

Interest is charged on the declining balance at the nominal annual rate / 12 per monthly
instalment (the usual EMI convention in Indian retail lending), rounded half-up to the
currency's minor unit each month. Two shapes:

- equal instalments (EMI): P·r·(1+r)^n / ((1+r)^n - 1), rounded to the minor unit; each
  month interest is taken first and the rest of the EMI repays principal;
- equal principal: P/n (rounded down) each month plus that month's interest.

Either way the last instalment repays whatever principal is left, so rounding is absorbed
there and the principal parts always sum exactly to the amount lent.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

EMI = "emi"
EQUAL_PRINCIPAL = "equal_principal"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ScheduledInstalment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    outstanding: Decimal  # principal still owed after this instalment

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def monthly_rate(annual_rate_percent: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 34
        return annual_rate_percent / Decimal(1200)


def emi_amount(*, principal: Decimal, annual_rate_percent: Decimal, months: int, quantum: Decimal) -> Decimal:
    """The equal monthly instalment, rounded half-up to `quantum` (0.01 for INR)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    r = monthly_rate(annual_rate_percent)
    with localcontext() as ctx:
        ctx.prec = 34
        if r == 0:
            exact = principal / months
        else:
            growth = (1 + r) ** months
            exact = principal * r * growth / (growth - 1)
    return exact.quantize(quantum, rounding=ROUND_HALF_UP)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb).

    Always counted from the anchor date, so a schedule never drifts after a short month.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def build_schedule(
    *,
    principal: Decimal,
    annual_rate_percent: Decimal,
    months: int,
    method: str,
    first_due_date: date,
    quantum: Decimal = Decimal("0.01"),
) -> list[ScheduledInstalment]:
    """The whole schedule for `principal` over `months` monthly instalments."""
    if principal <= 0:
        raise ValueError("principal must be positive")
    if method not in (EMI, EQUAL_PRINCIPAL):
        raise ValueError(f"unknown amortization method {method!r}")
    r = monthly_rate(annual_rate_percent)
    if method == EMI:
        instalment = emi_amount(
            principal=principal, annual_rate_percent=annual_rate_percent, months=months, quantum=quantum
        )
    else:
        equal_part = (principal / months).quantize(quantum, rounding=ROUND_DOWN)
    balance = principal
    rows = []
    for number in range(1, months + 1):
        interest = (balance * r).quantize(quantum, rounding=ROUND_HALF_UP)
        if number == months:
            part = balance  # the last instalment absorbs every rounding difference
        elif method == EMI:
            # Never negative (tiny loans over long terms) and never past what is owed.
            part = min(max(instalment - interest, ZERO), balance)
        else:
            part = min(equal_part, balance)
        balance -= part
        rows.append(
            ScheduledInstalment(
                number=number,
                due_date=add_months(first_due_date, number - 1),
                principal=part,
                interest=interest,
                outstanding=balance,
            )
        )
    return rows
