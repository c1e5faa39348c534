"""Interest: the rate table, daily accrual and periodic posting. The rules live here.

Accrual of a day is one set-based INSERT ... SELECT on PostgreSQL over every account (a
Python loop over accounts only on SQLite, the embedded default), done once per day and in
day order: a catch-up after downtime accrues every missed day, oldest first. Posting turns
an account's unposted accruals into one journal, rounded to the minor unit with the remainder
carried to the next posting; accounts are posted a chunk at a time, set-based, through
`transactions.services.journal_batch_create`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from rest_framework import status

from accounts.models import Account, AccountType
from accounts.services import gl_account_get_or_create
from bankingsystem.db import lock_rows, retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.money import CURRENCY_EXPONENTS, ZERO, decimal_places
from transactions.models import Entry, Journal
from transactions.services import JournalRequest, Leg, journal_batch_create

from .conventions import (
    YEAR_DAYS_LCM,
    accrual_parts,
    day_weight,
    is_period_end,
    month_end,
    parts_of_amount,
    previous_month_end,
    rate_units,
    split_posting,
    year_days,
)
from .models import (
    AccrualRun,
    InterestAccountState,
    InterestAccrual,
    InterestPosting,
    InterestProduct,
    InterestRate,
    PostingFailure,
    PostingRun,
)

logger = logging.getLogger(__name__)

Progress = Callable[[], None] | None
# A period's net interest: paid to the customer from interest expense, or (overdraft
# interest) paid by the customer to interest income.
EXPENSE_GL, INCOME_GL = Account.GlCode.INTEREST_EXPENSE, Account.GlCode.INTEREST_INCOME
CENT = Decimal("0.01")


def bank_today() -> date:
    return timezone.localdate(timezone.now(), ZoneInfo(settings.TIME_ZONE))


def day_end(day: date) -> datetime:
    """The instant `day` ends in the bank's time zone (the start of the next day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


# --- Products and the rate table ---------------------------------------------------------


@transaction.atomic
def interest_product_set(
    *,
    account_type: AccountType,
    calculation_method: str = InterestProduct.Method.DAILY_BALANCE,
    posting_period: str = "monthly",
    day_count: str = "actual_365",
    minimum_balance_for_interest: Decimal = ZERO,
    is_active: bool = True,
) -> InterestProduct:
    if not minimum_balance_for_interest.is_finite() or minimum_balance_for_interest < 0:
        raise ApplicationError(
            "invalid_minimum_balance",
            "The minimum balance for interest cannot be negative.",
            status=status.HTTP_400_BAD_REQUEST,
            field="minimum_balance_for_interest",
        )
    product, _ = InterestProduct.objects.update_or_create(
        account_type=account_type,
        defaults={
            "calculation_method": calculation_method,
            "posting_period": posting_period,
            "day_count": day_count,
            "minimum_balance_for_interest": minimum_balance_for_interest,
            "is_active": is_active,
        },
    )
    return product


def _refuse_bad_rate(rate: Decimal, field: str) -> None:
    if not rate.is_finite() or rate < 0 or rate > 100 or decimal_places(rate) > 4:
        raise ApplicationError(
            "invalid_rate",
            "A rate is a percent from 0 to 100 with at most four decimal places.",
            status=status.HTTP_400_BAD_REQUEST,
            field=field,
        )


@transaction.atomic
def interest_rate_set(
    *,
    account_type: AccountType,
    effective_from: date,
    annual_rate: Decimal,
    overdraft_rate: Decimal = ZERO,
    created_by: AbstractBaseUser | None = None,
) -> InterestRate:
    """Add (or, while still in the future, change) the rate that applies from a date.

    A date already accrued is refused: its accruals were computed at the old rate and are
    never rewritten, so the table must keep saying what was applied.
    """
    _refuse_bad_rate(annual_rate, "annual_rate")
    _refuse_bad_rate(overdraft_rate, "overdraft_rate")
    accrued_through = AccrualRun.objects.aggregate(day=Max("day"))["day"]
    if accrued_through is not None and effective_from <= accrued_through:
        raise ApplicationError(
            "rate_date_already_accrued",
            f"Interest is accrued through {accrued_through}; a new rate can apply from the day after at the earliest.",
            field="effective_from",
        )
    rate, _ = InterestRate.objects.update_or_create(
        account_type=account_type,
        effective_from=effective_from,
        defaults={"annual_rate": annual_rate, "overdraft_rate": overdraft_rate, "created_by": created_by},
    )
    return rate


@dataclass(frozen=True)
class DayTerms:
    """What one product pays on one day: the rate in force and the day count."""

    account_type_id: int
    annual_rate: Decimal
    overdraft_rate: Decimal
    daily_minimum: Decimal | None  # None under average daily balance: posting applies the minimum
    day_count: str

    def sql_row(self, day: date) -> tuple:
        return (
            self.account_type_id,
            rate_units(self.annual_rate),
            rate_units(self.overdraft_rate),
            self.daily_minimum,
            day_weight(self.day_count, day),
            YEAR_DAYS_LCM // year_days(self.day_count),
            self.annual_rate,
            self.overdraft_rate,
            year_days(self.day_count),
        )


class TermsBook:
    """Every active product and its rate history, read once for a catch-up of many days."""

    def __init__(self) -> None:
        self.products = list(InterestProduct.objects.filter(is_active=True))
        self.rates: dict[int, list[InterestRate]] = defaultdict(list)
        for rate in InterestRate.objects.filter(account_type__in=[p.account_type_id for p in self.products]).order_by(
            "-effective_from"
        ):
            self.rates[rate.account_type_id].append(rate)

    def terms_on(self, day: date) -> list[DayTerms]:
        terms = []
        for product in self.products:
            rate = next((r for r in self.rates[product.account_type_id] if r.effective_from <= day), None)
            if rate is None:  # no rate in force yet: the product accrues nothing that day
                continue
            daily = product.calculation_method == InterestProduct.Method.DAILY_BALANCE
            terms.append(
                DayTerms(
                    account_type_id=product.account_type_id,
                    annual_rate=rate.annual_rate,
                    overdraft_rate=rate.overdraft_rate,
                    daily_minimum=product.minimum_balance_for_interest if daily else None,
                    day_count=product.day_count,
                )
            )
        return terms


# --- Accrual ------------------------------------------------------------------------------


def interest_accrue_through(
    *, through: date, start: date | None = None, progress: Callable[[date], None] | None = None
) -> list[AccrualRun]:
    """Accrue every day not yet accrued up to `through`, oldest first, each day in its own
    transaction (so a crash keeps the days already done). Resumes the day after the latest
    run; `start` only says where to begin when nothing was ever accrued (default: `through`).
    """
    if through >= bank_today():
        raise ApplicationError(
            "day_not_ended",
            f"{through} has not ended yet; interest is accrued on a day's closing balance.",
            status=status.HTTP_400_BAD_REQUEST,
            field="through",
        )
    first = _first_day_to_accrue(through=through, start=start)
    book = TermsBook()
    runs = []
    day = first
    while day <= through:
        runs.append(_accrue_day(day=day, book=book))
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return runs


def _first_day_to_accrue(*, through: date, start: date | None) -> date:
    latest = AccrualRun.objects.aggregate(day=Max("day"))["day"]
    return latest + timedelta(days=1) if latest is not None else (start or through)


def days_to_accrue(*, through: date, start: date | None = None) -> int:
    """How many days `interest_accrue_through` would accrue (for a progress bar)."""
    return max(0, (through - _first_day_to_accrue(through=through, start=start)).days + 1)


@retry_on_conflict
@transaction.atomic
def _accrue_day(*, day: date, book: TermsBook) -> AccrualRun:
    # The run row is the day's lock: a second worker accruing the same day waits on its
    # unique key until the first commits, then finds the day done.
    run, created = AccrualRun.objects.get_or_create(day=day)
    if not created:
        return run
    terms = book.terms_on(day)
    if not terms:
        totals = (0, 0, 0)
    elif connection.vendor == "postgresql":
        totals = _accrue_day_sql(day, terms)
    else:
        totals = _accrue_day_python(day, terms)
    run.accounts, run.credit_parts, run.overdraft_parts = totals
    run.finished_at = timezone.now()
    run.save(update_fields=["accounts", "credit_parts", "overdraft_parts", "finished_at"])
    logger.info("interest accrued for %s on %d accounts", day, run.accounts)
    return run


# A day's closing balance is today's balance less everything posted after the day ended
# (journals and their entries carry the same timestamp; journals have the index).
ACCRUE_DAY_SQL = """
WITH terms (account_type_id, rate_units, overdraft_units, daily_minimum, days, factor,
            annual_rate, overdraft_rate, year_days) AS (
    VALUES {terms}
),
moved AS (
    SELECT e.account_id, SUM(e.amount) AS amount
      FROM transactions_journal j
      JOIN transactions_entry e ON e.journal_id = j.id
     WHERE j.created_at >= %(day_end)s
     GROUP BY e.account_id
),
closing AS (
    SELECT a.id AS account_id, a.balance - COALESCE(m.amount, 0) AS balance, t.*
      FROM accounts_account a
      JOIN terms t ON t.account_type_id = a.account_type_id
      LEFT JOIN moved m ON m.account_id = a.id
     WHERE a.kind = 'customer'
       AND a.opened_at < %(day_end)s
       AND (a.closed_at IS NULL OR a.closed_at >= %(day_end)s)
       AND NOT (a.status = 'closed' AND a.closed_at IS NULL)
),
inserted AS (
    INSERT INTO interest_interestaccrual (account_id, day, balance, rate, days, year_days, amount_parts)
    SELECT account_id, %(day)s, balance,
           CASE WHEN balance < 0 THEN overdraft_rate ELSE annual_rate END,
           days, year_days,
           CASE WHEN balance < 0 THEN balance * 100 * overdraft_units * days * factor
                WHEN balance < daily_minimum THEN 0
                ELSE balance * 100 * rate_units * days * factor
           END
      FROM closing
    ON CONFLICT (account_id, day) DO NOTHING
    RETURNING amount_parts
)
SELECT count(*),
       COALESCE(SUM(amount_parts) FILTER (WHERE amount_parts > 0), 0),
       COALESCE(SUM(amount_parts) FILTER (WHERE amount_parts < 0), 0)
  FROM inserted
"""
TERMS_ROW_SQL = (
    "(%(t{i}_0)s::bigint, %(t{i}_1)s::numeric, %(t{i}_2)s::numeric, %(t{i}_3)s::numeric, %(t{i}_4)s::int,"
    " %(t{i}_5)s::int, %(t{i}_6)s::numeric, %(t{i}_7)s::numeric, %(t{i}_8)s::int)"
)


def _accrue_day_sql(day: date, terms: list[DayTerms]) -> tuple[int, int, int]:
    """One statement for every account of every product (PostgreSQL)."""
    params: dict[str, object] = {"day": day, "day_end": day_end(day)}
    for index, term in enumerate(terms):
        params.update({f"t{index}_{position}": value for position, value in enumerate(term.sql_row(day))})
    sql = ACCRUE_DAY_SQL.format(terms=", ".join(TERMS_ROW_SQL.format(i=index) for index in range(len(terms))))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, credit, overdraft = cursor.fetchone()
    return int(count), int(credit), int(overdraft)


def _accrue_day_python(day: date, terms: list[DayTerms]) -> tuple[int, int, int]:
    """The same accrual, account by account in Python (SQLite, the embedded default)."""
    end = day_end(day)
    moved: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in Entry.objects.filter(journal__created_at__gte=end).values_list("account_id", "amount"):
        moved[account_id] += amount
    by_type = {term.account_type_id: term for term in terms}
    accounts = (
        Account.objects.filter(kind=Account.Kind.CUSTOMER, account_type_id__in=by_type, opened_at__lt=end)
        .exclude(closed_at__lt=end)
        .exclude(status=Account.Status.CLOSED, closed_at__isnull=True)
        .values_list("pk", "account_type_id", "balance")
    )
    rows = []
    for account_id, account_type_id, balance in accounts.iterator():
        term = by_type[account_type_id]
        closing = balance - moved.get(account_id, ZERO)
        rate, parts = accrual_parts(
            balance=closing,
            annual_rate=term.annual_rate,
            overdraft_rate=term.overdraft_rate,
            daily_minimum=term.daily_minimum,
            day_count=term.day_count,
            day=day,
        )
        rows.append(
            InterestAccrual(
                account_id=account_id,
                day=day,
                balance=closing,
                rate=rate,
                days=day_weight(term.day_count, day),
                year_days=year_days(term.day_count),
                amount_parts=parts,
            )
        )
    InterestAccrual.objects.bulk_create(rows, batch_size=1000)
    return (
        len(rows),
        sum(int(row.amount_parts) for row in rows if row.amount_parts > 0),
        sum(int(row.amount_parts) for row in rows if row.amount_parts < 0),
    )


# --- Posting ------------------------------------------------------------------------------

# Accounts posted per database transaction: each chunk is a constant number of statements
# whatever its size, so a month's posting for a million accounts is a thousand transactions.
POSTING_CHUNK = 1000


def products_due(period_end: date) -> list[InterestProduct]:
    """Active products whose posting period ends on `period_end`."""
    return [
        product
        for product in InterestProduct.objects.filter(is_active=True)
        if is_period_end(product.posting_period, period_end)
    ]


def _candidates(period_end: date) -> QuerySet[Account]:
    types = [product.account_type_id for product in products_due(period_end)]
    return Account.objects.filter(
        kind=Account.Kind.CUSTOMER, account_type__in=types, opened_at__lt=day_end(period_end)
    ).exclude(interest_state__posted_through__gte=period_end)


def posting_candidates(*, period_end: date) -> list[int]:
    """Accounts of the products due that are not yet posted through `period_end`."""
    return list(_candidates(period_end).order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class PostingBook:
    """What a posting run reads once: every product by account type, and the interest
    expense and income GL accounts of each currency posted (made on first use)."""

    products: dict[int, InterestProduct]
    gls: dict[str, dict[str, int]]

    @classmethod
    def load(cls, currencies: Iterable[str]) -> PostingBook:
        return cls(
            products={product.account_type_id: product for product in InterestProduct.objects.all()},
            gls={
                currency: {
                    code: gl_account_get_or_create(code=code, currency=currency).pk for code in (EXPENSE_GL, INCOME_GL)
                }
                for currency in sorted(set(currencies))
            },
        )

    def below_average_minimum(self, account_type_id: int, balance_sum: Decimal, days: int) -> bool:
        """Under the average daily balance method, credit interest is earned only when the
        period's average closing balance reaches the minimum (compared exactly, unrounded)."""
        product = self.products.get(account_type_id)
        if product is None or product.calculation_method != InterestProduct.Method.AVERAGE_DAILY_BALANCE:
            return False
        return balance_sum < product.minimum_balance_for_interest * days


def interest_post_period(*, period_end: date, progress: Progress = None, chunk_size: int = POSTING_CHUNK) -> PostingRun:
    """Post, for every product whose period ends on `period_end`, each account's unposted
    accruals through that day (earlier ones a failed pass left behind included).

    Accounts are posted `chunk_size` at a time, each chunk its own transaction of a fixed
    number of statements. An account that cannot be posted (closed, or overdraft interest
    past its limit) is logged as a failure and the others go on; running the posting again,
    or two runs at once, posts only what is still unposted.
    """
    if period_end >= bank_today():
        raise ApplicationError(
            "period_not_ended", f"The period ending {period_end} has not ended yet.", status=400, field="period"
        )
    if not AccrualRun.objects.filter(day=period_end).exists():
        raise ApplicationError(
            "accrual_incomplete",
            f"Interest is not accrued through {period_end}: accrue it first (run_interest --accrue {period_end}).",
            field="period",
        )
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    run, _ = PostingRun.objects.get_or_create(period_end=period_end)
    due = _candidates(period_end)
    candidates = list(due.order_by("pk").values_list("pk", flat=True))
    failures = 0
    if candidates:
        book = PostingBook.load(due.order_by().values_list("currency", flat=True).distinct())
        for first in range(0, len(candidates), chunk_size):
            chunk = candidates[first : first + chunk_size]
            outcome = _interest_chunk_post(account_ids=chunk, through=period_end, run=run, book=book)
            failures += len(outcome.refusals)
            if progress is not None:
                for _ in chunk:
                    progress()
    return _posting_run_close(run=run, failures=failures)


def _posting_run_close(*, run: PostingRun, failures: int) -> PostingRun:
    postings = InterestPosting.objects.filter(run=run)
    totals: dict[str, dict[str, str]] = {}
    for row in postings.values("account__currency").annotate(
        credited=Sum("amount", filter=Q(amount__gt=0)), charged=Sum("amount", filter=Q(amount__lt=0))
    ):
        # Quantized: SQLite sums decimals as floats (PostgreSQL's sums are exact already).
        totals[row["account__currency"]] = {
            "credited": str((row["credited"] or ZERO).quantize(CENT)),
            "charged": str((-(row["charged"] or ZERO)).quantize(CENT)),
        }
    counts = postings.aggregate(postings=Count("pk"), journals=Count("journal"))
    run.postings, run.journals, run.failures = counts["postings"], counts["journals"], failures
    run.totals = totals
    run.finished_at = timezone.now()
    run.save(update_fields=["postings", "journals", "failures", "totals", "finished_at"])
    return run


def interest_account_post(*, account_id: int, through: date, run: PostingRun | None = None) -> InterestPosting | None:
    """Post one account's unposted accruals through `through` as one journal (None when
    there is nothing to post, or it is already posted: running it twice changes nothing).
    A chunk of one: the rules are the period posting's; a refusal is raised."""
    currency = Account.objects.filter(pk=account_id).values_list("currency", flat=True).get()
    outcome = _interest_chunk_post(
        account_ids=[account_id], through=through, run=run, book=PostingBook.load([currency])
    )
    if account_id in outcome.refusals:
        raise outcome.refusals[account_id]
    posting_id = outcome.postings.get(account_id)
    return None if posting_id is None else InterestPosting.objects.get(pk=posting_id)


@dataclass(frozen=True)
class Unposted:
    """An account's accruals not yet posted through a day, summed (parts are exact)."""

    account_id: int
    carry_in: int
    days: int
    start: date
    credit: int
    overdraft: int
    balance_sum: Decimal


@dataclass
class ChunkOutcome:
    postings: dict[int, int]  # account -> its InterestPosting's key
    refusals: dict[int, ApplicationError]


@retry_on_conflict
@transaction.atomic
def _interest_chunk_post(
    *, account_ids: Sequence[int], through: date, run: PostingRun | None, book: PostingBook
) -> ChunkOutcome:
    """Post a chunk of accounts in one transaction, in a fixed number of statements.

    The accounts and the GL accounts are locked first, in key order (as journal_create
    locks them), so two runs over the same period queue here and the second then finds
    the account's state past the period: every write of an account's interest state is
    made under its account's lock. Then the unposted accruals are summed in SQL, the
    journals written by journal_batch_create (which refuses what would break the ledger's
    rules, one account at a time), and the postings, states and failures inserted in bulk.
    """
    gl_ids = [pk for gls in book.gls.values() for pk in gls.values()]
    accounts = lock_rows(Account.objects.only("pk", "currency", "account_type_id"), [*account_ids, *gl_ids])
    unposted = (_unposted_sql if connection.vendor == "postgresql" else _unposted_python)(account_ids, through)
    plans = [_posting_plan(row, accounts[row.account_id], book) for row in unposted]
    paid = [plan for plan in plans if plan.amount]
    outcomes = (
        journal_batch_create(
            kind=Journal.Kind.INTEREST,
            journals=[
                JournalRequest(
                    legs=[
                        Leg(plan.account_id, plan.amount),
                        Leg(book.gls[plan.currency][EXPENSE_GL if plan.amount > 0 else INCOME_GL], -plan.amount),
                    ],
                    description=f"{'Interest' if plan.amount > 0 else 'Overdraft interest'} "
                    f"{plan.start:%d %b %Y} to {through:%d %b %Y}",
                )
                for plan in paid
            ],
        )
        if paid
        else []
    )
    refusals: dict[int, ApplicationError] = {}
    for plan, outcome in zip(paid, outcomes, strict=True):
        if isinstance(outcome, ApplicationError):
            refusals[plan.account_id] = outcome
            logger.warning("interest posting for account %s failed: %s", plan.account_id, outcome.detail)
        else:
            plan.journal_id = outcome.pk
    posted = [plan for plan in plans if plan.account_id not in refusals]
    postings = (_postings_write_sql if connection.vendor == "postgresql" else _postings_write_orm)(
        posted, run=run, through=through
    )
    if refusals and run is not None:
        PostingFailure.objects.bulk_create(
            [
                PostingFailure(run=run, account_id=account_id, code=error.code, detail=error.detail)
                for account_id, error in refusals.items()
            ]
        )
    return ChunkOutcome(postings=postings, refusals=refusals)


@dataclass
class PostingPlan:
    """One account's posting, worked out: what InterestPosting records and the journal's amount."""

    account_id: int
    currency: str
    start: date
    days: int
    average_balance: Decimal
    credit: int
    overdraft: int
    forfeited: int
    carry_in: int
    amount: Decimal
    carry_out: int
    journal_id: int | None = None


def _posting_plan(row: Unposted, account: Account, book: PostingBook) -> PostingPlan:
    forfeited = row.credit if book.below_average_minimum(account.account_type_id, row.balance_sum, row.days) else 0
    amount, carry_out = split_posting(
        row.credit + row.overdraft - forfeited + row.carry_in, CURRENCY_EXPONENTS[account.currency]
    )
    return PostingPlan(
        account_id=row.account_id,
        currency=account.currency,
        start=row.start,
        days=row.days,
        average_balance=(row.balance_sum / row.days).quantize(CENT, rounding=ROUND_HALF_EVEN),
        credit=row.credit,
        overdraft=row.overdraft,
        forfeited=forfeited,
        carry_in=row.carry_in,
        amount=amount,
        carry_out=carry_out,
    )


# The chunk's postings and the new interest state of their accounts, in one statement.
POSTINGS_WRITE_SQL = """
WITH posting AS (
    INSERT INTO interest_interestposting (run_id, account_id, period_start, period_end, days, average_balance,
                                          credit_parts, overdraft_parts, forfeited_parts, carry_in_parts,
                                          posted_parts, carry_out_parts, amount, journal_id, created_at)
    SELECT %(run)s, p.account_id, p.start, %(through)s, p.days, p.average_balance, p.credit, p.overdraft,
           p.forfeited, p.carry_in, p.posted, p.carry_out, p.amount, p.journal_id, %(now)s
      FROM unnest(%(accounts)s::bigint[], %(starts)s::date[], %(days)s::int[], %(averages)s::numeric[],
                  %(credits)s::numeric[], %(overdrafts)s::numeric[], %(forfeits)s::numeric[],
                  %(carries_in)s::numeric[], %(posted)s::numeric[], %(carries_out)s::numeric[],
                  %(amounts)s::numeric[], %(journals)s::bigint[])
           AS p(account_id, start, days, average_balance, credit, overdraft, forfeited, carry_in, posted,
                carry_out, amount, journal_id)
    RETURNING id, account_id
), state AS (
    INSERT INTO interest_interestaccountstate (account_id, posted_through, carry_parts)
    SELECT account_id, %(through)s, carry_out
      FROM unnest(%(accounts)s::bigint[], %(carries_out)s::numeric[]) AS s(account_id, carry_out)
    ON CONFLICT (account_id) DO UPDATE SET posted_through = EXCLUDED.posted_through, carry_parts = EXCLUDED.carry_parts
)
SELECT account_id, id FROM posting
"""


def _postings_write_sql(plans: Sequence[PostingPlan], *, run: PostingRun | None, through: date) -> dict[int, int]:
    """Insert the postings and move the accounts' interest state (PostgreSQL, one statement);
    returns each account's posting id."""
    if not plans:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            POSTINGS_WRITE_SQL,
            {
                "run": run.pk if run is not None else None,
                "through": through,
                "now": timezone.now(),
                "accounts": [plan.account_id for plan in plans],
                "starts": [plan.start for plan in plans],
                "days": [plan.days for plan in plans],
                "averages": [plan.average_balance for plan in plans],
                # Parts can pass bigint: sent as decimals so the arrays are numeric whatever their size.
                "credits": [Decimal(plan.credit) for plan in plans],
                "overdrafts": [Decimal(plan.overdraft) for plan in plans],
                "forfeits": [Decimal(plan.forfeited) for plan in plans],
                "carries_in": [Decimal(plan.carry_in) for plan in plans],
                "posted": [Decimal(parts_of_amount(plan.amount)) for plan in plans],
                "carries_out": [Decimal(plan.carry_out) for plan in plans],
                "amounts": [plan.amount for plan in plans],
                "journals": [plan.journal_id for plan in plans],
            },
        )
        return dict(cursor.fetchall())


def _postings_write_orm(plans: Sequence[PostingPlan], *, run: PostingRun | None, through: date) -> dict[int, int]:
    """The same through the ORM (SQLite, the embedded default): two statements."""
    postings = InterestPosting.objects.bulk_create(
        [
            InterestPosting(
                run=run,
                account_id=plan.account_id,
                period_start=plan.start,
                period_end=through,
                days=plan.days,
                average_balance=plan.average_balance,
                credit_parts=plan.credit,
                overdraft_parts=plan.overdraft,
                forfeited_parts=plan.forfeited,
                carry_in_parts=plan.carry_in,
                posted_parts=parts_of_amount(plan.amount),
                carry_out_parts=plan.carry_out,
                amount=plan.amount,
                journal_id=plan.journal_id,
            )
            for plan in plans
        ]
    )
    InterestAccountState.objects.bulk_create(
        [
            InterestAccountState(account_id=plan.account_id, posted_through=through, carry_parts=plan.carry_out)
            for plan in plans
        ],
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=["posted_through", "carry_parts"],
    )
    return {posting.account_id: posting.pk for posting in postings}


# Per account of the chunk not yet posted through the day: the carried fraction and its
# unposted accruals summed (none for an account with nothing to post).
UNPOSTED_SQL = """
SELECT a.id, COALESCE(s.carry_parts, 0), w.days, w.start, w.credit, w.overdraft, w.balance_sum
  FROM unnest(%(ids)s::bigint[]) AS a (id)
  LEFT JOIN interest_interestaccountstate s ON s.account_id = a.id
 CROSS JOIN LATERAL (
       SELECT count(*) AS days, min(r.day) AS start,
              COALESCE(sum(r.amount_parts) FILTER (WHERE r.amount_parts > 0), 0) AS credit,
              COALESCE(sum(r.amount_parts) FILTER (WHERE r.amount_parts < 0), 0) AS overdraft,
              COALESCE(sum(r.balance), 0) AS balance_sum
         FROM interest_interestaccrual r
        WHERE r.account_id = a.id AND r.day <= %(through)s
          AND (s.posted_through IS NULL OR r.day > s.posted_through)
       ) AS w
 WHERE (s.posted_through IS NULL OR s.posted_through < %(through)s) AND w.days > 0
 ORDER BY a.id
"""


def _unposted_sql(account_ids: Sequence[int], through: date) -> list[Unposted]:
    """One statement for the whole chunk (PostgreSQL sums numerics exactly)."""
    with connection.cursor() as cursor:
        cursor.execute(UNPOSTED_SQL, {"ids": list(account_ids), "through": through})
        return [
            Unposted(
                account_id=account_id,
                carry_in=int(carry),
                days=int(days),
                start=start,
                credit=int(credit),
                overdraft=int(overdraft),
                balance_sum=balance_sum,
            )
            for account_id, carry, days, start, credit, overdraft, balance_sum in cursor.fetchall()
        ]


def _unposted_python(account_ids: Sequence[int], through: date) -> list[Unposted]:
    """The same sums over rows read back, in Python (SQLite sums decimals as floats)."""
    states = {
        account_id: (posted_through, int(carry))
        for account_id, posted_through, carry in InterestAccountState.objects.filter(
            account_id__in=account_ids
        ).values_list("account_id", "posted_through", "carry_parts")
    }
    rows: dict[int, list[tuple[date, Decimal, int]]] = defaultdict(list)
    accruals = InterestAccrual.objects.filter(account_id__in=account_ids, day__lte=through).order_by(
        "account_id", "day"
    )
    for account_id, day, balance, parts in accruals.values_list("account_id", "day", "balance", "amount_parts"):
        posted_through = states.get(account_id, (None, 0))[0]
        if posted_through is None or day > posted_through:
            rows[account_id].append((day, balance, int(parts)))
    unposted = []
    for account_id in sorted(set(account_ids)):
        window = rows.get(account_id)
        if not window:
            continue
        unposted.append(
            Unposted(
                account_id=account_id,
                carry_in=states.get(account_id, (None, 0))[1],
                days=len(window),
                start=window[0][0],
                credit=sum(parts for _, _, parts in window if parts > 0),
                overdraft=sum(parts for _, _, parts in window if parts < 0),
                balance_sum=sum((balance for _, balance, _ in window), ZERO),
            )
        )
    return unposted


# --- What the beat runs -------------------------------------------------------------------


def interest_accrue_due(*, progress: Callable[[date], None] | None = None) -> list[AccrualRun]:
    """Accrue every day up to yesterday that is not accrued yet (daily; catches up)."""
    return interest_accrue_through(through=bank_today() - timedelta(days=1), progress=progress)


def _month_ends_after(after: date | None, through: date) -> Iterable[date]:
    """Month ends after `after` (itself a month end) up to `through`; just `through` if none."""
    if after is None:
        yield through
        return
    end = month_end(after + timedelta(days=1))
    while end <= through:
        yield end
        end = month_end(end + timedelta(days=1))


def interest_post_due() -> list[PostingRun]:
    """Post every month end since the last posting run, up to last month's (monthly).

    Accrual is caught up through the month end first, so a missed day never stops a posting.
    """
    latest_end = previous_month_end(bank_today())
    interest_accrue_through(through=latest_end)
    first_accrued = AccrualRun.objects.aggregate(day=Min("day"))["day"]
    last_posted = PostingRun.objects.aggregate(end=Max("period_end"))["end"]
    return [
        interest_post_period(period_end=end)
        for end in _month_ends_after(last_posted, latest_end)
        if first_accrued is not None and end >= first_accrued
    ]
