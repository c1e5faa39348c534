"""Interest: the rate table, daily accrual and periodic posting. The rules live here.

Accrual of a day is one set-based INSERT ... SELECT on PostgreSQL over every account (a
Python loop over accounts only on SQLite, the embedded default), done once per day and in
day order: a catch-up after downtime accrues every missed day, oldest first. Posting turns
an account's unposted accruals into one journal through `transactions.services.journal_create`,
rounded to the minor unit with the remainder carried to the next posting.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from rest_framework import status

from accounts.models import Account, AccountType
from accounts.services import gl_account_get_or_create
from bankingsystem.db import lock_rows, retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.money import CURRENCY_EXPONENTS, ZERO, decimal_places
from transactions.models import Entry, Journal
from transactions.services import Leg, journal_create

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


def products_due(period_end: date) -> list[InterestProduct]:
    """Active products whose posting period ends on `period_end`."""
    return [
        product
        for product in InterestProduct.objects.filter(is_active=True)
        if is_period_end(product.posting_period, period_end)
    ]


def posting_candidates(*, period_end: date) -> list[int]:
    """Accounts of the products due that are not yet posted through `period_end`."""
    types = [product.account_type_id for product in products_due(period_end)]
    return list(
        Account.objects.filter(kind=Account.Kind.CUSTOMER, account_type__in=types, opened_at__lt=day_end(period_end))
        .exclude(interest_state__posted_through__gte=period_end)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def interest_post_period(*, period_end: date, progress: Progress = None) -> PostingRun:
    """Post, for every product whose period ends on `period_end`, each account's unposted
    accruals through that day (earlier ones a failed pass left behind included).

    Each account is its own transaction: one that cannot be posted (closed, or overdraft
    interest past its limit) is logged as a failure and the others go on; running the
    posting again posts only what is still unposted.
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
    run, _ = PostingRun.objects.get_or_create(period_end=period_end)
    failures = 0
    for account_id in posting_candidates(period_end=period_end):
        try:
            interest_account_post(account_id=account_id, through=period_end, run=run)
        except ApplicationError as error:
            failures += 1
            PostingFailure.objects.create(run=run, account_id=account_id, code=error.code, detail=error.detail)
            logger.warning("interest posting for account %s failed: %s", account_id, error.detail)
        if progress is not None:
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


@retry_on_conflict
@transaction.atomic
def interest_account_post(*, account_id: int, through: date, run: PostingRun | None = None) -> InterestPosting | None:
    """Post one account's unposted accruals through `through` as one journal (None when
    there is nothing to post, or it is already posted: running it twice changes nothing)."""
    account = Account.objects.select_related("account_type__interest_product").get(pk=account_id)
    gls = {code: gl_account_get_or_create(code=code, currency=account.currency).pk for code in (EXPENSE_GL, INCOME_GL)}
    # The account and both GL accounts (which one takes the journal is known only once the
    # accruals are read) in key order before anything else, as journal_create locks them.
    lock_rows(Account.objects.all(), [account_id, *gls.values()])
    state, _ = InterestAccountState.objects.select_for_update().get_or_create(account_id=account_id)
    if state.posted_through is not None and state.posted_through >= through:
        return None
    window = InterestAccrual.objects.filter(account_id=account_id, day__lte=through)
    if state.posted_through is not None:
        window = window.filter(day__gt=state.posted_through)
    # A period's rows per account are few; summed in Python they are exact on any database.
    rows = list(window.order_by("day").values_list("day", "balance", "amount_parts"))
    if not rows:
        return None
    credit = sum(int(parts) for _, _, parts in rows if parts > 0)
    overdraft = sum(int(parts) for _, _, parts in rows if parts < 0)
    balance_sum = sum((balance for _, balance, _ in rows), ZERO)
    forfeited = credit if _below_average_minimum(account, balance_sum, len(rows)) else 0
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


def _below_average_minimum(account: Account, balance_sum: Decimal, days: int) -> bool:
    """Under the average daily balance method, credit interest is earned only when the
    period's average closing balance reaches the minimum (compared exactly, unrounded)."""
    product = getattr(account.account_type, "interest_product", None)
    if product is None or product.calculation_method != InterestProduct.Method.AVERAGE_DAILY_BALANCE:
        return False
    return balance_sum < product.minimum_balance_for_interest * days


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
