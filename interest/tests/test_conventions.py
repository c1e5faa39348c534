"""The arithmetic, by hand-computed examples and by properties (no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interest.conventions import (
    PARTS_PER_UNIT,
    DayCount,
    Period,
    accrual_parts,
    day_weight,
    parts_of_amount,
    parts_to_decimal,
    period_bounds,
    split_posting,
)

D = Decimal


def accrue(balance: str, rate: str, day_count: str, first: date, days: int, minimum: str | None = None) -> int:
    total = 0
    for offset in range(days):
        _, parts = accrual_parts(
            balance=D(balance),
            annual_rate=D(rate),
            overdraft_rate=D("12"),
            daily_minimum=None if minimum is None else D(minimum),
            day_count=day_count,
            day=first + timedelta(days=offset),
        )
        total += parts
    return total


@pytest.mark.parametrize(
    ("day_count", "first", "days", "exact", "posted"),
    [
        # 100,000.00 x 4% x 31 / 365 = 339.7260...
        (DayCount.ACTUAL_365, date(2026, 1, 1), 31, Fraction(100_000 * 4 * 31, 100 * 365), "339.73"),
        # 100,000.00 x 4% x 31 / 360 = 344.4444...
        (DayCount.ACTUAL_360, date(2026, 1, 1), 31, Fraction(100_000 * 4 * 31, 100 * 360), "344.44"),
        # 30/360: January counts 30 days: 100,000.00 x 4% x 30 / 360 = 333.3333...
        (DayCount.THIRTY_360, date(2026, 1, 1), 31, Fraction(100_000 * 4 * 30, 100 * 360), "333.33"),
        # ... and so does February, though it has 28 days
        (DayCount.THIRTY_360, date(2026, 2, 1), 28, Fraction(100_000 * 4 * 30, 100 * 360), "333.33"),
        # Actual/365 in February: 28 days = 306.8493...
        (DayCount.ACTUAL_365, date(2026, 2, 1), 28, Fraction(100_000 * 4 * 28, 100 * 365), "306.85"),
    ],
)
def test_hand_computed_month_of_interest(day_count, first, days, exact, posted):
    parts = accrue("100000.00", "4", day_count, first, days)
    assert Fraction(parts, PARTS_PER_UNIT) == exact  # exact, not merely close
    amount, carry = split_posting(parts, 2)
    assert amount == D(posted)
    assert parts_of_amount(amount) + carry == parts


def test_thirty_360_weights_make_every_month_thirty_days():
    assert day_weight(DayCount.THIRTY_360, date(2026, 1, 30)) == 1
    assert day_weight(DayCount.THIRTY_360, date(2026, 1, 31)) == 0
    assert day_weight(DayCount.ACTUAL_360, date(2026, 1, 31)) == 1
    assert day_weight(DayCount.THIRTY_360, date(2026, 2, 28)) == 3
    assert day_weight(DayCount.THIRTY_360, date(2028, 2, 29)) == 2  # leap year
    day = date(2025, 1, 1)
    while day.year < 2029:
        start, end = period_bounds(Period.MONTHLY, day)
        weights = sum(day_weight(DayCount.THIRTY_360, start + timedelta(d)) for d in range((end - start).days + 1))
        assert weights == 30, start
        day = end + timedelta(days=1)


def test_negative_balance_accrues_overdraft_rate_and_minimum_balance_gates_credit():
    rate, parts = accrual_parts(
        balance=D("-20000.00"),
        annual_rate=D("4"),
        overdraft_rate=D("12"),
        daily_minimum=D("1000"),
        day_count=DayCount.ACTUAL_365,
        day=date(2026, 1, 1),
    )
    assert rate == D("12")
    assert Fraction(parts, PARTS_PER_UNIT) == Fraction(-20_000 * 12, 100 * 365)
    assert accrue("999.99", "4", DayCount.ACTUAL_365, date(2026, 1, 1), 1, minimum="1000") == 0
    assert accrue("1000.00", "4", DayCount.ACTUAL_365, date(2026, 1, 1), 1, minimum="1000") > 0


@pytest.mark.parametrize(
    ("period", "day", "bounds"),
    [
        (Period.MONTHLY, date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29))),
        (Period.QUARTERLY, date(2026, 5, 31), (date(2026, 4, 1), date(2026, 6, 30))),
        (Period.QUARTERLY, date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
        (Period.ANNUALLY, date(2026, 7, 4), (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_period_bounds(period, day, bounds):
    assert period_bounds(period, day) == bounds


def test_split_posting_rounds_half_even_and_carries_the_rest():
    per_paisa = PARTS_PER_UNIT // 100
    assert split_posting(per_paisa * 150 + per_paisa // 2, 2) == (D("1.50"), per_paisa // 2)  # 1.505 -> 1.50
    assert split_posting(per_paisa * 151 + per_paisa // 2, 2) == (D("1.52"), -(per_paisa // 2))  # 1.515 -> 1.52
    assert split_posting(-per_paisa * 3 - 1, 2) == (D("-0.03"), -1)
    assert split_posting(PARTS_PER_UNIT * 7 + 5, 0) == (D("7"), 5)  # yen: no minor unit
    assert parts_to_decimal(PARTS_PER_UNIT // 3, 4) == D("0.3333")


balances = st.decimals(min_value=D("-5000000"), max_value=D("50000000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("25"), places=4)


@given(
    periods=st.lists(
        st.lists(st.tuples(balances, rates, st.sampled_from([c for c, _ in DayCount.CHOICES])), max_size=92),
        min_size=1,
        max_size=24,
    ),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
)
def test_posting_over_many_periods_never_creates_or_loses_a_fraction(periods, start):
    """Whatever the balances, rates and conventions, over any number of periods: every
    paisa posted plus the final carry equals the exact sum of the accruals, and the carry
    never reaches half a paisa."""
    carry = 0
    accrued = 0
    posted = D("0")
    day = start
    for period in periods:
        period_parts = 0
        for balance, rate, day_count in period:
            _, parts = accrual_parts(
                balance=balance,
                annual_rate=rate,
                overdraft_rate=rate,
                daily_minimum=None,
                day_count=day_count,
                day=day,
            )
            period_parts += parts
            day += timedelta(days=1)
        accrued += period_parts
        amount, carry = split_posting(period_parts + carry, 2)
        assert amount == amount.quantize(D("0.01"))
        assert abs(carry) * 2 <= PARTS_PER_UNIT // 100
        posted += amount
    assert parts_of_amount(posted) + carry == accrued
    # Posting the exact total once would give the same paise, to within the one carried.
    assert abs(Fraction(accrued, PARTS_PER_UNIT) - Fraction(posted)) <= Fraction(1, 200)
