"""The arithmetic of interest, kept exact: day counts, posting periods, and the unit
accruals are counted in. Pure functions, no database; the SQL in services.py computes the
same formula set-based and the tests hold the two against each other.

Why "parts": a day's interest, balance x rate x days / 365, is not a finite decimal
(1/365 and 1/360 repeat), so storing it as a Decimal would round every row and lose or
invent fractions over time. Instead every accrual is an integer number of parts:

    parts = balance in cents x rate in ten-thousandths of a percent x days counted x (26280 / year days)

where 26280 = lcm(365, 360), so the factor is 72 (Actual/365) or 73 (Actual/360, 30/360).
One currency unit is PARTS_PER_UNIT parts. Sums of parts are exact integers on any
database, and posting divides by PARTS_PER_UNIT exactly once, with the remainder carried.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

YEAR_DAYS_LCM = 26_280  # lcm(365, 360); a new convention (366 days) would change it, and PARTS_PER_UNIT with it
CENTS = 100  # the ledger stores two decimal places whatever the currency
RATE_SCALE = 10_000  # rates are percent with four decimal places
PARTS_PER_UNIT = CENTS * RATE_SCALE * 100 * YEAR_DAYS_LCM  # 100: the rate is a percent


class DayCount:
    ACTUAL_365 = "actual_365"
    ACTUAL_360 = "actual_360"
    THIRTY_360 = "30_360"

    CHOICES = [(ACTUAL_365, "Actual/365"), (ACTUAL_360, "Actual/360"), (THIRTY_360, "30/360")]
    YEAR_DAYS = {ACTUAL_365: 365, ACTUAL_360: 360, THIRTY_360: 360}


class Period:
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"

    CHOICES = [(MONTHLY, "Monthly"), (QUARTERLY, "Quarterly"), (ANNUALLY, "Annually")]
    MONTHS = {MONTHLY: 1, QUARTERLY: 3, ANNUALLY: 12}


def year_days(day_count: str) -> int:
    return DayCount.YEAR_DAYS[day_count]


def day_weight(day_count: str, day: date) -> int:
    """How many days of interest `day` carries under the convention.

    Actual conventions: 1. 30/360 (every month counts 30 days): 1 on most days, 0 on the
    31st, and 3 (2 in a leap year) on the last day of February, so that every month sums
    to exactly 30 and a period of whole months to 30 per month.
    """
    if day_count != DayCount.THIRTY_360:
        return 1
    if day.day == 31:
        return 0
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day == last and last < 30:
        return 1 + 30 - last
    return 1


def rate_units(rate: Decimal) -> int:
    """An annual percent rate (four decimal places at most) as an integer of ten-thousandths."""
    scaled = rate * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than four decimal places")
    return int(scaled)


def balance_cents(balance: Decimal) -> int:
    scaled = balance * CENTS
    if scaled != scaled.to_integral_value():
        raise ValueError(f"balance {balance} has more than two decimal places")
    return int(scaled)


def accrual_parts(
    *,
    balance: Decimal,
    annual_rate: Decimal,
    overdraft_rate: Decimal,
    daily_minimum: Decimal | None,
    day_count: str,
    day: date,
) -> tuple[Decimal, int]:
    """(rate applied, exact interest in parts) for one account and day; negative is owed by
    the customer. `daily_minimum` is the minimum balance for interest under the daily
    balance method (None under average daily balance, where posting applies it)."""
    factor = YEAR_DAYS_LCM // year_days(day_count)
    days = day_weight(day_count, day)
    if balance < 0:
        return overdraft_rate, balance_cents(balance) * rate_units(overdraft_rate) * days * factor
    if daily_minimum is not None and balance < daily_minimum:
        return annual_rate, 0
    return annual_rate, balance_cents(balance) * rate_units(annual_rate) * days * factor


def parts_to_decimal(parts: int, places: int = 10) -> Decimal:
    """Parts as a currency amount, rounded (half even) to `places` for people to read."""
    return Decimal(round(Fraction(parts, PARTS_PER_UNIT) * 10**places)).scaleb(-places)


def split_posting(total_parts: int, exponent: int) -> tuple[Decimal, int]:
    """Round `total_parts` to the currency's minor unit (half even): (amount, carry parts).

    amount x PARTS_PER_UNIT + carry == total_parts exactly, and |carry| is at most half a
    minor unit, so nothing is created or lost: the carry joins the next posting.
    """
    per_minor = PARTS_PER_UNIT // 10**exponent
    minor = round(Fraction(total_parts, per_minor))
    return Decimal(minor).scaleb(-exponent), total_parts - minor * per_minor


def parts_of_amount(amount: Decimal) -> int:
    """The parts in a posted amount (two decimal places at most)."""
    return balance_cents(amount) * (PARTS_PER_UNIT // CENTS)


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """The calendar posting period (month, quarter or year) that contains `day`."""
    months = Period.MONTHS[period]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return (
        date(day.year, first_month, 1),
        date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]),
    )


def is_period_end(period: str, day: date) -> bool:
    return period_bounds(period, day)[1] == day


def month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def previous_month_end(day: date) -> date:
    return day.replace(day=1) - timedelta(days=1)
