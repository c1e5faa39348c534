"""Set-based posting (chunks of accounts per transaction) against the per-account posting it
replaced: over a mixed bank (credit and overdraft interest, both minimum-balance methods,
amounts that round to nothing, two currencies, accounts refused, skipped or not due) the
two give the same journals, entries, balances, postings, carries and failures, and the
ledger checks clean afterwards."""

from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.db import lock_rows, retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.money import CURRENCY_EXPONENTS, ZERO
from interest.conventions import parts_of_amount, split_posting
from interest.models import InterestAccountState, InterestAccrual, InterestPosting, InterestProduct, PostingFailure
from interest.models import PostingRun as Run
from interest.services import (
    CENT,
    EXPENSE_GL,
    INCOME_GL,
    _posting_run_close,
    _unposted_python,
    _unposted_sql,
    interest_accrue_through,
    interest_post_period,
    posting_candidates,
)
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import Leg, deposit_create, journal_create, withdrawal_create

from .conftest import account_on, on, product_create

D = Decimal
NOV30, DEC1, DEC31, JAN31 = date(2025, 11, 30), date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 31)


# --- The per-account posting as it was before chunks (the reference) ---------------------


def _reference_below_average_minimum(account: Account, balance_sum: Decimal, days: int) -> bool:
    product = getattr(account.account_type, "interest_product", None)
    if product is None or product.calculation_method != InterestProduct.Method.AVERAGE_DAILY_BALANCE:
        return False
    return balance_sum < product.minimum_balance_for_interest * days


@retry_on_conflict
@transaction.atomic
def reference_account_post(*, account_id: int, through: date, run: Run) -> InterestPosting | None:
    account = Account.objects.select_related("account_type__interest_product").get(pk=account_id)
    gls = {code: gl_account_get_or_create(code=code, currency=account.currency).pk for code in (EXPENSE_GL, INCOME_GL)}
    lock_rows(Account.objects.all(), [account_id, *gls.values()])
    state, _ = InterestAccountState.objects.select_for_update().get_or_create(account_id=account_id)
    if state.posted_through is not None and state.posted_through >= through:
        return None
    window = InterestAccrual.objects.filter(account_id=account_id, day__lte=through)
    if state.posted_through is not None:
        window = window.filter(day__gt=state.posted_through)
    rows = list(window.order_by("day").values_list("day", "balance", "amount_parts"))
    if not rows:
        return None
    credit = sum(int(parts) for _, _, parts in rows if parts > 0)
    overdraft = sum(int(parts) for _, _, parts in rows if parts < 0)
    balance_sum = sum((balance for _, balance, _ in rows), ZERO)
    forfeited = credit if _reference_below_average_minimum(account, balance_sum, len(rows)) else 0
    carry_in = int(state.carry_parts)
    amount, carry_out = split_posting(credit + overdraft - forfeited + carry_in, CURRENCY_EXPONENTS[account.currency])
    start = rows[0][0]
    journal = None
    if amount:
        label = "Interest" if amount > 0 else "Overdraft interest"
        journal = journal_create(
            kind=Journal.Kind.INTEREST,
            legs=[Leg(account_id, amount), Leg(gls[EXPENSE_GL if amount > 0 else INCOME_GL], -amount)],
            description=f"{label} {start:%d %b %Y} to {through:%d %b %Y}",
        )
    posting = InterestPosting.objects.create(
        run=run,
        account_id=account_id,
        period_start=start,
        period_end=through,
        days=len(rows),
        average_balance=(balance_sum / len(rows)).quantize(CENT, rounding=ROUND_HALF_EVEN),
        credit_parts=credit,
        overdraft_parts=overdraft,
        forfeited_parts=forfeited,
        carry_in_parts=carry_in,
        posted_parts=parts_of_amount(amount),
        carry_out_parts=carry_out,
        amount=amount,
        journal=journal,
    )
    state.posted_through = through
    state.carry_parts = carry_out
    state.save(update_fields=["posted_through", "carry_parts"])
    return posting


def reference_post_period(*, period_end: date) -> Run:
    run, _ = Run.objects.get_or_create(period_end=period_end)
    failures = 0
    for account_id in posting_candidates(period_end=period_end):
        try:
            reference_account_post(account_id=account_id, through=period_end, run=run)
        except ApplicationError as error:
            failures += 1
            PostingFailure.objects.create(run=run, account_id=account_id, code=error.code, detail=error.detail)
    return _posting_run_close(run=run, failures=failures)


# --- A mixed bank ---------------------------------------------------------------------------


@pytest.fixture
def bank(customer) -> dict[str, Account]:
    """Accounts of every kind the posting treats differently, accrued Dec 1 to Jan 31."""
    saver = product_create(code="saver", minimum_balance_for_interest=D("10000.00"))
    average = product_create(
        code="average", calculation_method="average_daily_balance", minimum_balance_for_interest=D("30000.00")
    )
    current = product_create(code="current", rate="0", overdraft_rate="12", overdraft_limit="20000")
    dollars = product_create(code="dollars", currency="USD", rate="2.5", day_count="actual_360")
    quarterly = product_create(code="quarterly", posting_period="quarterly")
    basic = product_create(code="basic", rate="1")
    bank = {
        "rich": account_on(NOV30, owner=customer, account_type=saver, balance="100000.00"),
        "climbs": account_on(NOV30, owner=customer, account_type=saver, balance="5000.00"),
        "tiny": account_on(NOV30, owner=customer, account_type=basic, balance="1.00"),
        "empty": account_on(NOV30, owner=customer, account_type=saver),
        "forfeits": account_on(NOV30, owner=customer, account_type=average, balance="5000.00"),
        "averages": account_on(NOV30, owner=customer, account_type=average, balance="40000.00"),
        "at_limit": account_on(NOV30, owner=customer, account_type=current),
        "overdrawn": account_on(NOV30, owner=customer, account_type=current),
        "closing": account_on(NOV30, owner=customer, account_type=saver, balance="20000.00"),
        "never_accrued": account_on(NOV30, owner=customer, account_type=saver, balance="20000.00"),
        "dollars": account_on(NOV30, owner=customer, account_type=dollars, balance="7777.77"),
        "quarterly": account_on(NOV30, owner=customer, account_type=quarterly, balance="36500.00"),
        "late": account_on(JAN31, owner=customer, account_type=saver, balance="50000.00"),
    }
    with on(NOV30, hour=11):
        withdrawal_create(account=bank["at_limit"], amount=D("20000.00"))
        withdrawal_create(account=bank["overdrawn"], amount=D("100.00"))
    with on(date(2025, 12, 21), hour=9):
        deposit_create(account=bank["climbs"], amount=D("45000.00"))
        deposit_create(account=bank["forfeits"], amount=D("45000.00"))
    Account.objects.filter(pk=bank["never_accrued"].pk).update(status="closed")  # before any accrual
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=JAN31, start=DEC1)
    Account.objects.filter(pk=bank["closing"].pk).update(status="closed")  # accrued, then closed
    for currency in ("INR", "USD"):  # made now, so both postings compared use the same ones
        for code in (EXPENSE_GL, INCOME_GL):
            gl_account_get_or_create(code=code, currency=currency)
    return bank


def snapshot() -> dict[str, object]:
    """Everything a posting writes, without keys, references and instants."""
    postings = [
        (
            p.account_id,
            p.period_start,
            p.period_end,
            p.days,
            p.average_balance,
            p.credit_parts,
            p.overdraft_parts,
            p.forfeited_parts,
            p.carry_in_parts,
            p.posted_parts,
            p.carry_out_parts,
            p.amount,
            None
            if p.journal is None
            else (
                p.journal.kind,
                p.journal.description,
                sorted(p.journal.entries.values_list("account_id", "amount", "balance_after")),
            ),
        )
        for p in InterestPosting.objects.select_related("journal").order_by("period_end", "account_id")
    ]
    return {
        "postings": postings,
        # The order journals were written in (it decides the GL accounts' balance_after).
        "journal_order": list(
            Journal.objects.filter(kind="interest")
            .order_by("pk")
            .values_list("interest_posting__account_id", "interest_posting__period_end")
        ),
        "failures": sorted(
            PostingFailure.objects.values_list("run__period_end", "account_id", "code", "detail").order_by()
        ),
        "balances": dict(Account.objects.values_list("pk", "balance")),
        "states": {
            account_id: (through, carry)
            for account_id, through, carry in InterestAccountState.objects.exclude(posted_through=None).values_list(
                "account_id", "posted_through", "carry_parts"
            )
        },
        "runs": list(
            Run.objects.order_by("period_end").values_list("period_end", "postings", "journals", "failures", "totals")
        ),
    }


def assert_ledger_clean() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fire the balanced-journal triggers now
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()
    out = io.StringIO()
    call_command("ledger_check", stdout=out)  # raises on any finding
    assert "The ledger is consistent." in out.getvalue()


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_chunked_posting_writes_what_the_per_account_posting_wrote(bank, chunk_size):
    with on(date(2026, 2, 2)):
        with transaction.atomic():
            reference_post_period(period_end=DEC31)
            reference_post_period(period_end=JAN31)
            expected = snapshot()
            transaction.set_rollback(True)
        interest_post_period(period_end=DEC31, chunk_size=chunk_size)
        interest_post_period(period_end=JAN31, chunk_size=chunk_size)
    assert snapshot() == expected

    # What the mixed bank was there to show, in the new posting:
    postings = {(p.account_id, p.period_end): p for p in InterestPosting.objects.all()}
    jan = {name: postings.get((account.pk, JAN31)) for name, account in bank.items()}
    # 100,000 x 4% x 31/365 = 339.7260 each month: 339.73 posted in December, 339.72 in January
    # (December's carried -0.0040 joins it: 339.7220).
    assert (postings[bank["rich"].pk, DEC31].amount, jan["rich"].amount) == (D("339.73"), D("339.72"))
    assert jan["tiny"].amount == 0 and jan["tiny"].journal is None and jan["tiny"].carry_in_parts > 0
    december = postings[bank["forfeits"].pk, DEC31]  # 20 days at 5,000 and 11 at 50,000: below 30,000
    assert december.amount == 0 and december.forfeited_parts == december.credit_parts > 0
    assert jan["forfeits"].forfeited_parts == 0 and jan["forfeits"].amount == D("169.86")
    assert jan["averages"].forfeited_parts == 0 and jan["averages"].amount > 0
    assert jan["overdrawn"].amount < 0 and "Overdraft interest" in jan["overdrawn"].journal.description
    assert jan["dollars"].journal.entries.get(amount__lt=0).account.currency == "USD"
    assert jan["late"].days == 1 and jan["late"].period_start == JAN31
    for name in ["at_limit", "closing", "never_accrued", "quarterly"]:
        assert jan[name] is None, name
    failures = dict(PostingFailure.objects.filter(run__period_end=JAN31).values_list("account_id", "code"))
    assert failures == {bank["at_limit"].pk: "insufficient_funds", bank["closing"].pk: "account_not_active"}
    assert_ledger_clean()


def test_a_rerun_posts_nothing_twice_and_a_refused_account_is_posted_once_it_can_be(bank):
    with on(date(2026, 2, 2)):
        interest_post_period(period_end=DEC31, chunk_size=4)
        journals = Journal.objects.count()
        again = interest_post_period(period_end=DEC31, chunk_size=4)
        assert Journal.objects.count() == journals
        assert again.failures == 2  # the same two, still refused: their accruals stay unposted
        Account.objects.filter(pk=bank["at_limit"].pk).update(overdraft_limit=D("25000"))
        third = interest_post_period(period_end=DEC31, chunk_size=4)
    assert third.failures == 1 and Journal.objects.count() == journals + 1
    assert InterestPosting.objects.get(account=bank["at_limit"], period_end=DEC31).amount < 0
    assert_ledger_clean()


def test_the_progress_callback_is_called_once_per_account(bank):
    ticks = []
    with on(date(2026, 2, 2)):
        candidates = posting_candidates(period_end=DEC31)
        interest_post_period(period_end=DEC31, chunk_size=5, progress=lambda: ticks.append(1))
    assert len(ticks) == len(candidates) == 12  # every account but the one opened in January


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based sums are PostgreSQL's")
def test_the_unposted_sums_in_sql_equal_the_sums_in_python(bank):
    with on(date(2026, 2, 2)):
        interest_post_period(period_end=DEC31, chunk_size=4)  # states with carries, some accounts not
    ids = sorted(account.pk for account in bank.values())
    for through in (DEC31, date(2026, 1, 15), JAN31):
        assert _unposted_sql(ids, through) == _unposted_python(ids, through)
    assert len(_unposted_sql(ids, JAN31)) == 12  # all but the never-accrued account
