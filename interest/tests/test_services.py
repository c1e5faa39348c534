"""Accrual and posting on the real ledger (PostgreSQL): hand-computed examples, refusals,
idempotency, catch-up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.errors import ApplicationError
from interest.conventions import PARTS_PER_UNIT, DayCount, parts_of_amount
from interest.models import AccrualRun, InterestAccountState, InterestAccrual, InterestPosting, PostingFailure
from interest.services import (
    TermsBook,
    _accrue_day_python,
    interest_accrue_due,
    interest_accrue_through,
    interest_post_due,
    interest_post_period,
    interest_rate_set,
)
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import deposit_create, withdrawal_create

from .conftest import account_on, on, product_create

D = Decimal
JAN1, JAN31, FEB1 = date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 1)
DEC31 = date(2025, 12, 31)


def accrue_and_post(start: date, end: date):  # type: ignore[no-untyped-def]
    with on(end + timedelta(days=1), hour=1):
        interest_accrue_through(through=end, start=start)
        return interest_post_period(period_end=end)


def posting_of(account: Account, period_end: date = JAN31) -> InterestPosting:
    return InterestPosting.objects.get(account=account, period_end=period_end)


def expense_gl() -> Account:
    return Account.objects.get(kind="gl", gl_code="interest_expense", currency="INR")


def income_gl() -> Account:
    return Account.objects.get(kind="gl", gl_code="interest_income", currency="INR")


def assert_ledger_consistent() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the balanced-journal triggers now
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()


def assert_conserved(account: Account) -> None:
    """Every posting: accrued + carried in == posted + forfeited + carried out, exactly."""
    accrued = sum(
        int(p) for p in InterestAccrual.objects.filter(account=account).values_list("amount_parts", flat=True)
    )
    postings = list(InterestPosting.objects.filter(account=account).order_by("period_end"))
    posted = sum(int(p.posted_parts) for p in postings)
    forfeited = sum(int(p.forfeited_parts) for p in postings)
    carry = int(InterestAccountState.objects.get(account=account).carry_parts)
    assert posted + forfeited + carry == accrued


# --- Hand-computed examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_count", "expected"),
    [
        (DayCount.ACTUAL_365, "339.73"),  # 100,000.00 x 4% x 31/365 = 339.7260...
        (DayCount.ACTUAL_360, "344.44"),  # x 31/360 = 344.4444...
        (DayCount.THIRTY_360, "333.33"),  # January counts 30 days: x 30/360 = 333.3333...
    ],
)
def test_a_month_of_interest_is_posted_from_the_interest_expense_gl(customer, day_count, expected):
    kind = product_create(day_count=day_count)
    account = account_on(DEC31, owner=customer, account_type=kind, balance="100000.00")
    expense_before = expense_gl().balance
    run = accrue_and_post(JAN1, JAN31)

    posting = posting_of(account)
    assert posting.amount == D(expected)
    assert posting.days == 31 and posting.period_start == JAN1
    account.refresh_from_db()
    assert account.balance == D("100000.00") + D(expected)
    assert expense_gl().balance == expense_before - D(expected)
    legs = dict(posting.journal.entries.values_list("account_id", "amount"))
    assert legs == {account.pk: D(expected), expense_gl().pk: -D(expected)}
    assert posting.journal.kind == Journal.Kind.INTEREST
    assert run.journals == 1 and run.totals == {"INR": {"credited": expected, "charged": "0.00"}}
    assert_conserved(account)
    assert_ledger_consistent()


def test_each_accrual_row_keeps_balance_rate_days_and_exact_amount(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="100000.00")
    with on(FEB1):
        interest_accrue_through(through=JAN1, start=JAN1)
    row = InterestAccrual.objects.get(account=account, day=JAN1)
    assert (row.balance, row.rate, row.days, row.year_days) == (D("100000.00"), D("4.0000"), 1, 365)
    assert Fraction(int(row.amount_parts), PARTS_PER_UNIT) == Fraction(100_000 * 4, 100 * 365)  # 10.958904109589...
    assert row.amount == D("10.9589041096")


def test_a_mid_period_rate_change_applies_from_its_date(customer, saver):
    interest_rate_set(account_type=saver, effective_from=date(2026, 1, 16), annual_rate=D("5"))
    account = account_on(DEC31, owner=customer, account_type=saver, balance="100000.00")
    accrue_and_post(JAN1, JAN31)
    # 100,000 x (4% x 15 + 5% x 16) / 365 = 164.3836 + 219.1781 = 383.5616...
    assert posting_of(account).amount == D("383.56")
    rates = set(InterestAccrual.objects.filter(account=account).values_list("day", "rate"))
    assert (date(2026, 1, 15), D("4")) in rates and (date(2026, 1, 16), D("5")) in rates


def _five_thousand_then_fifty(customer, kind) -> Account:  # type: ignore[no-untyped-def]
    account = account_on(DEC31, owner=customer, account_type=kind, balance="5000.00")
    with on(date(2026, 1, 21), hour=9):
        deposit_create(account=account, amount=D("45000.00"))
    return account


def test_daily_balance_below_the_minimum_earns_nothing_that_day(customer):
    kind = product_create(minimum_balance_for_interest=D("10000.00"))
    account = _five_thousand_then_fifty(customer, kind)
    accrue_and_post(JAN1, JAN31)
    # 20 days at 5,000 (below 10,000): nothing; 11 days at 50,000: 50,000 x 4% x 11/365 = 60.2739...
    assert posting_of(account).amount == D("60.27")
    assert InterestAccrual.objects.get(account=account, day=date(2026, 1, 20)).amount_parts == 0


def test_average_daily_balance_judges_the_minimum_on_the_period_average(customer):
    kind = product_create(calculation_method="average_daily_balance", minimum_balance_for_interest=D("10000.00"))
    account = _five_thousand_then_fifty(customer, kind)
    accrue_and_post(JAN1, JAN31)
    # Average (5,000 x 20 + 50,000 x 11) / 31 = 20,967.74 >= 10,000, so every day earns:
    # 650,000 x 4% / 365 = 71.2328...
    posting = posting_of(account)
    assert posting.average_balance == D("20967.74")
    assert posting.amount == D("71.23") and posting.forfeited_parts == 0


def test_average_daily_balance_below_the_minimum_forfeits_the_credit_interest(customer):
    kind = product_create(calculation_method="average_daily_balance", minimum_balance_for_interest=D("30000.00"))
    account = _five_thousand_then_fifty(customer, kind)
    accrue_and_post(JAN1, JAN31)
    posting = posting_of(account)
    assert posting.amount == 0 and posting.journal is None
    assert posting.forfeited_parts == posting.credit_parts > 0
    assert_conserved(account)


def test_an_overdrawn_account_pays_overdraft_interest_to_the_bank(customer):
    kind = product_create(code="current", rate="0", overdraft_rate="12", overdraft_limit="50000")
    account = account_on(DEC31, owner=customer, account_type=kind, balance="0")
    with on(DEC31, hour=11):
        withdrawal_create(account=account, amount=D("20000.00"))
    income_before = gl_account_get_or_create(code="interest_income", currency="INR").balance
    run = accrue_and_post(JAN1, JAN31)
    # 20,000 x 12% x 31/365 = 203.8356... charged: customer -> interest income GL
    posting = posting_of(account)
    assert posting.amount == D("-203.84")
    account.refresh_from_db()
    assert account.balance == D("-20203.84")
    assert income_gl().balance == income_before + D("203.84")
    assert "Overdraft interest" in posting.journal.description
    assert run.totals == {"INR": {"credited": "0.00", "charged": "203.84"}}
    assert_ledger_consistent()


def test_the_closing_balance_of_a_day_counts_what_happened_that_day_only(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="1000.00")
    with on(JAN1, hour=23, minute=59):
        deposit_create(account=account, amount=D("500.00"))
    with on(date(2026, 1, 2), hour=0, minute=1):
        deposit_create(account=account, amount=D("9000.00"))
    with on(date(2026, 1, 3)):
        interest_accrue_through(through=date(2026, 1, 2), start=JAN1)
    balances = dict(InterestAccrual.objects.filter(account=account).values_list("day", "balance"))
    assert balances == {JAN1: D("1500.00"), date(2026, 1, 2): D("10500.00")}


def test_accounts_opened_after_the_day_and_closed_accounts_accrue_nothing(customer, saver):
    later = account_on(date(2026, 1, 2), owner=customer, account_type=saver, balance="100.00")
    closed = account_on(DEC31, owner=customer, account_type=saver, balance="0")
    Account.objects.filter(pk=closed.pk).update(status="closed")
    with on(date(2026, 1, 3)):
        interest_accrue_through(through=date(2026, 1, 2), start=JAN1)
    assert list(InterestAccrual.objects.filter(account=later).values_list("day", flat=True)) == [date(2026, 1, 2)]
    assert not InterestAccrual.objects.filter(account=closed).exists()


def test_set_based_sql_and_the_python_fallback_write_the_same_rows(customer):
    kinds = [
        product_create(code="a365", minimum_balance_for_interest=D("1000")),
        product_create(code="a360", day_count=DayCount.ACTUAL_360, rate="3.25"),
        product_create(
            code="t360",
            day_count=DayCount.THIRTY_360,
            calculation_method="average_daily_balance",
            overdraft_rate="13.5",
            overdraft_limit="100000",
        ),
    ]
    for index, kind in enumerate(kinds):
        for balance in ["0", "999.99", "1000.00", "123456.78"]:
            account_on(DEC31, owner=customer, account_type=kind, balance=balance)
        overdrawn = account_on(DEC31, owner=customer, account_type=kind, balance="10")
        if index == 2:
            with on(DEC31, hour=11):
                withdrawal_create(account=overdrawn, amount=D("77777.77"))
    with on(date(2026, 3, 2)):
        deposit_create(account=overdrawn, amount=D("1.00"))  # after the day: must not count
    day = date(2026, 2, 28)  # 30/360 weighs it 3

    def rows():  # type: ignore[no-untyped-def]
        return sorted(
            InterestAccrual.objects.filter(day=day).values_list(
                "account_id", "balance", "rate", "days", "year_days", "amount_parts"
            )
        )

    with on(date(2026, 3, 3)), transaction.atomic():
        _accrue_day_python(day, TermsBook().terms_on(day))
        python_rows = rows()
        transaction.set_rollback(True)
    with on(date(2026, 3, 3)):
        interest_accrue_through(through=day, start=day)
    assert rows() == python_rows
    assert len(python_rows) == 15
    assert {r[3] for r in python_rows} == {1, 3}
    assert any(r[5] < 0 for r in python_rows)


# --- Idempotency and catch-up ---------------------------------------------------------------


def test_accruing_or_posting_twice_changes_nothing(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="100000.00")
    accrue_and_post(JAN1, JAN31)
    rows, journals = InterestAccrual.objects.count(), Journal.objects.count()
    with on(date(2026, 2, 2)):
        assert interest_accrue_through(through=JAN31, start=JAN1) == []
        run = interest_post_period(period_end=JAN31)
    assert (InterestAccrual.objects.count(), Journal.objects.count()) == (rows, journals)
    assert run.postings == 1 and run.journals == 1
    assert InterestPosting.objects.filter(account=account).count() == 1


def test_a_catch_up_after_three_missed_days_accrues_exactly_those_days_in_order(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="36500.00")
    with on(date(2026, 1, 20)):
        interest_accrue_through(through=date(2026, 1, 19), start=JAN1)
    # The beat is down on the 20th, 21st and 22nd; on the 23rd it runs once.
    with on(date(2026, 1, 23), hour=0, minute=30):
        runs = interest_accrue_due()
    assert [run.day for run in runs] == [date(2026, 1, 20), date(2026, 1, 21), date(2026, 1, 22)]
    assert InterestAccrual.objects.filter(account=account).count() == 22
    # 36,500 x 4% / 365 = 4.00 a day: the posting at month end holds all 31 days.
    with on(FEB1, hour=1):
        interest_post_due()
    assert posting_of(account).amount == D("124.00")


def test_posting_catches_up_accrual_and_posts_each_missed_month_end(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="36500.00")
    with on(JAN1 + timedelta(days=1)):
        interest_accrue_through(through=JAN1, start=JAN1)
        interest_rate_set(account_type=saver, effective_from=date(2026, 3, 1), annual_rate=D("8"))
    # The beat is down from Jan 2 until Apr 1: the first posting run posts the month it sees.
    with on(date(2026, 4, 1), hour=1):
        runs = interest_post_due()
    assert [run.period_end for run in runs] == [date(2026, 3, 31)]
    posting = posting_of(account, date(2026, 3, 31))
    # Jan 1 .. Feb 28 at 4% (59 days x 4.00), March at 8% (31 x 8.00): one journal, every day.
    assert posting.days == 90 and posting.amount == D("484.00")
    with on(date(2026, 6, 1), hour=1):
        runs = interest_post_due()
    assert [run.period_end for run in runs] == [date(2026, 4, 30), date(2026, 5, 31)]
    assert_conserved(account)


def test_quarterly_products_post_only_at_quarter_end(customer):
    kind = product_create(posting_period="quarterly")
    account = account_on(DEC31, owner=customer, account_type=kind, balance="36500.00")
    accrue_and_post(JAN1, JAN31)
    assert not InterestPosting.objects.filter(account=account).exists()
    with on(date(2026, 4, 1), hour=1):
        interest_accrue_through(through=date(2026, 3, 31))
        interest_post_period(period_end=date(2026, 3, 31))
    assert posting_of(account, date(2026, 3, 31)).amount == D("360.00")  # 90 days x 4.00


def test_the_carried_fraction_joins_the_next_posting(customer):
    kind = product_create(rate="1")
    account = account_on(DEC31, owner=customer, account_type=kind, balance="100.00")
    # 100.00 x 1% / 365 = 0.00274 a day: January 0.0849 -> 0.08 posted, 0.0049 carried.
    accrue_and_post(JAN1, JAN31)
    january = posting_of(account)
    assert january.amount == D("0.08")
    assert january.carry_out_parts > 0
    with on(date(2026, 3, 1), hour=1):
        interest_accrue_through(through=date(2026, 2, 28))
        interest_post_period(period_end=date(2026, 2, 28))
    february = posting_of(account, date(2026, 2, 28))
    assert february.carry_in_parts == january.carry_out_parts
    # 59 days x 0.00274 = 0.1616 in all: 0.08 + 0.08, 0.0016 still carried.
    assert january.amount + february.amount == D("0.16")
    assert_conserved(account)


# --- Refusals -----------------------------------------------------------------------------


def test_refusals(customer, saver):
    with on(JAN1):
        with pytest.raises(ApplicationError) as error:
            interest_accrue_through(through=JAN1)
        assert error.value.code == "day_not_ended"
        with pytest.raises(ApplicationError) as error:
            interest_post_period(period_end=JAN31)
        assert error.value.code == "period_not_ended"
    with on(FEB1), pytest.raises(ApplicationError) as error:
        interest_post_period(period_end=JAN31)
    assert error.value.code == "accrual_incomplete"
    with on(FEB1):
        interest_accrue_through(through=JAN31, start=JAN1)
    for effective, rate, code in [
        (JAN31, D("5"), "rate_date_already_accrued"),
        (FEB1, D("-1"), "invalid_rate"),
        (FEB1, D("101"), "invalid_rate"),
        (FEB1, D("4.00001"), "invalid_rate"),
    ]:
        with pytest.raises(ApplicationError) as error:
            interest_rate_set(account_type=saver, effective_from=effective, annual_rate=rate)
        assert error.value.code == code
    assert saver.interest_rates.count() == 1
    assert AccrualRun.objects.count() == 31


def test_an_account_that_cannot_be_posted_is_logged_and_the_others_are_posted(customer):
    kind = product_create(code="current", rate="0", overdraft_rate="12", overdraft_limit="20000")
    at_limit = account_on(DEC31, owner=customer, account_type=kind, balance="0")
    fine = account_on(DEC31, owner=customer, account_type=kind, balance="0")
    with on(DEC31, hour=11):
        withdrawal_create(account=at_limit, amount=D("20000.00"))
        withdrawal_create(account=fine, amount=D("100.00"))
    journals = Journal.objects.count()
    run = accrue_and_post(JAN1, JAN31)
    assert run.failures == 1 and run.journals == 1
    failure = PostingFailure.objects.get(run=run)
    assert (failure.account_id, failure.code) == (at_limit.pk, "insufficient_funds")
    assert not InterestPosting.objects.filter(account=at_limit).exists()
    assert Journal.objects.count() == journals + 1
    # Once the limit is raised, posting again posts what was left (and only that).
    Account.objects.filter(pk=at_limit.pk).update(overdraft_limit=D("25000"))
    with on(date(2026, 2, 2)):
        run = interest_post_period(period_end=JAN31)
    assert run.failures == 0 and run.journals == 2
    assert posting_of(at_limit).amount == D("-203.84")
    assert_ledger_consistent()


def test_accruals_and_postings_are_append_only_in_the_database(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="100000.00")
    accrue_and_post(JAN1, JAN31)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        InterestAccrual.objects.filter(account=account).update(amount_parts=0)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        InterestPosting.objects.filter(account=account).delete()


def test_the_database_refuses_a_posting_that_does_not_conserve_parts(customer, saver):
    account = account_on(DEC31, owner=customer, account_type=saver, balance="100")
    with pytest.raises(IntegrityError, match="interest_posting_conserves_parts"), transaction.atomic():
        InterestPosting.objects.create(
            account=account,
            period_start=JAN1,
            period_end=JAN31,
            days=31,
            credit_parts=10,
            posted_parts=parts_of_amount(D("0.01")),
            amount=D("0.01"),
            carry_out_parts=0,
        )
