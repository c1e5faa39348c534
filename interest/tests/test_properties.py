"""Property (hypothesis), end to end on the real ledger: whatever the balances, movements,
products and periods, posting neither creates nor loses a fraction of a paisa, and the
ledger stays balanced."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankingsystem.errors import ApplicationError
from customers.tests.factories import CustomerFactory
from interest.conventions import PARTS_PER_UNIT, DayCount, month_end
from interest.models import InterestAccountState, InterestAccrual, InterestPosting
from interest.services import interest_accrue_through, interest_post_period
from transactions.selectors import ledger_integrity_report
from transactions.services import deposit_create, withdrawal_create

from .conftest import account_on, on, product_create

D = Decimal
money = st.decimals(min_value=D("0.01"), max_value=D("900000"), places=2)
products = st.fixed_dictionaries(
    {
        "rate": st.decimals(min_value=D("0"), max_value=D("15"), places=4).map(str),
        "overdraft_rate": st.decimals(min_value=D("0"), max_value=D("30"), places=4).map(str),
        "day_count": st.sampled_from([code for code, _ in DayCount.CHOICES]),
        "calculation_method": st.sampled_from(["daily_balance", "average_daily_balance"]),
        "minimum_balance_for_interest": st.decimals(min_value=D("0"), max_value=D("20000"), places=2),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    product=products,
    opening=st.decimals(min_value=D("0"), max_value=D("2000000"), places=2),
    months=st.integers(min_value=1, max_value=3),
    movements=st.lists(st.tuples(st.integers(0, 89), st.booleans(), money), max_size=12),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 1)).map(lambda d: d.replace(day=1)),
)
def test_posted_interest_equals_the_accruals_to_within_the_carried_fraction(
    db, product, opening, months, movements, start
):
    with transaction.atomic():  # each example starts from the same empty bank
        kind = product_create(code="prop", overdraft_limit="500000", **product)
        customer = CustomerFactory()
        account = account_on(start - timedelta(days=1), owner=customer, account_type=kind, balance=str(opening))
        ends = []
        end = start - timedelta(days=1)
        for _ in range(months):
            end = month_end(end + timedelta(days=1))
            ends.append(end)
        for offset, is_deposit, amount in sorted(movements):
            day = start + timedelta(days=offset)
            if day > ends[-1]:
                continue
            # A withdrawal past the overdraft limit is refused: the history goes on without it.
            with on(day, hour=15), suppress(ApplicationError):
                (deposit_create if is_deposit else withdrawal_create)(account=account, amount=amount)
        for end in ends:
            with on(end + timedelta(days=1), hour=2):
                interest_accrue_through(through=end, start=start)
                interest_post_period(period_end=end)

        accrued = sum(
            int(p) for p in InterestAccrual.objects.filter(account=account).values_list("amount_parts", flat=True)
        )
        postings = list(InterestPosting.objects.filter(account=account).order_by("period_end"))
        posted = sum(int(p.posted_parts) for p in postings)
        forfeited = sum(int(p.forfeited_parts) for p in postings)
        carry = int(InterestAccountState.objects.get(account=account).carry_parts)
        assert posted + forfeited + carry == accrued  # exactly: not a fraction created or lost
        assert abs(carry) * 2 <= PARTS_PER_UNIT // 100  # within half a paisa, carried forward
        assert [p.period_end for p in postings] == ends
        assert all(p.amount * PARTS_PER_UNIT == p.posted_parts for p in postings)
        credited = account.entries.filter(journal__kind="interest").values_list("amount", flat=True)
        assert sum(credited, D("0")) == sum((p.amount for p in postings), D("0"))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the balanced-journal triggers fire now
        assert ledger_integrity_report().ok
        transaction.set_rollback(True)
