from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loans.schedule import EMI, EQUAL_PRINCIPAL, add_months, build_schedule, emi_amount

D = Decimal
CENT = D("0.01")


@pytest.mark.parametrize(
    ("principal", "rate", "months", "emi"),
    [
        ("500000", "10.5", 60, "10746.95"),  # the closed-form figure in the issue
        ("100000", "12", 12, "8884.88"),
        ("2500000", "8.5", 240, "21695.58"),
        ("120000", "0", 12, "10000.00"),  # interest-free: principal / n
    ],
)
def test_emi_matches_the_closed_form(principal, rate, months, emi):
    assert emi_amount(principal=D(principal), annual_rate_percent=D(rate), months=months, quantum=CENT) == D(emi)


def test_emi_schedule_takes_interest_on_the_declining_balance():
    rows = build_schedule(
        principal=D("500000.00"), annual_rate_percent=D("10.5"), months=60, method=EMI, first_due_date=date(2026, 2, 15)
    )
    assert len(rows) == 60
    assert (rows[0].interest, rows[0].principal, rows[0].outstanding) == (D("4375.00"), D("6371.95"), D("493628.05"))
    assert rows[1].interest == D("4319.25")  # 493628.05 * 0.875%
    assert all(row.amount == D("10746.95") for row in rows[:-1])
    assert rows[-1].amount == D("10746.94")  # the last instalment absorbs the rounding
    assert sum(row.principal for row in rows) == D("500000.00")
    assert rows[-1].outstanding == 0
    assert sum(row.interest for row in rows) == D("144816.99")


def test_equal_principal_schedule():
    rows = build_schedule(
        principal=D("100000.00"),
        annual_rate_percent=D("12"),
        months=3,
        method=EQUAL_PRINCIPAL,
        first_due_date=date(2026, 1, 31),
    )
    assert [(r.principal, r.interest, r.outstanding) for r in rows] == [
        (D("33333.33"), D("1000.00"), D("66666.67")),
        (D("33333.33"), D("666.67"), D("33333.34")),
        (D("33333.34"), D("333.33"), D("0.00")),
    ]
    assert [r.due_date for r in rows] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_due_dates_clamp_to_month_end_without_drifting():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


@settings(max_examples=300, deadline=None)
@given(
    principal=st.decimals(min_value=D("100.00"), max_value=D("10000000.00"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("36"), places=4),
    months=st.integers(min_value=1, max_value=360),
    method=st.sampled_from([EMI, EQUAL_PRINCIPAL]),
)
def test_principal_parts_always_sum_exactly_to_the_loan(principal, rate, months, method):
    rows = build_schedule(
        principal=principal, annual_rate_percent=rate, months=months, method=method, first_due_date=date(2026, 1, 31)
    )
    assert len(rows) == months
    assert sum(row.principal for row in rows) == principal
    assert rows[-1].outstanding == 0
    outstanding = principal
    for row in rows:
        assert row.principal >= 0 and row.interest >= 0
        assert row.principal.as_tuple().exponent == -2 and row.interest.as_tuple().exponent == -2
        outstanding -= row.principal
        assert row.outstanding == outstanding
    if method == EMI and months > 1:
        emi = rows[0].amount
        # Every instalment but the last is the EMI; the last differs only by rounding.
        assert all(row.amount == emi for row in rows[:-1] if row.outstanding > 0)
