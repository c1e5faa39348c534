"""Benchmark: one day's set-based accrual over N accounts, then the month's posting of
them (set-based too: chunks of accounts per transaction).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bankingsystem_bench \\
        python manage.py bench_interest --accounts 100000 [--posting-accounts 20000] [--chunk-size 1000]

Works only on a PostgreSQL database whose name ends in "bench": it migrates it, empties it
and fills it with N accounts (written set-based, straight into the tables: a benchmark
bank, not a ledger to check). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.models import AccountType, Branch
from customers.models import Customer
from interest import services
from interest.conventions import previous_month_end
from interest.models import InterestAccrual

SEED_ACCOUNTS_SQL = """
INSERT INTO accounts_account (number, kind, owner_id, branch_id, account_type_id, currency, status, balance,
                              held_amount, overdraft_limit, nickname, opened_at, freeze_source)
SELECT '9' || lpad(i::text, 15, '0'), 'customer', %(owner)s, %(branch)s,
       CASE WHEN i %% %(post_every)s = 0 THEN %(post_type)s ELSE %(accrue_type)s END,
       'INR', 'active',
       CASE WHEN i %% 20 = 0 THEN -((i::bigint * 7919) %% 40000)::numeric / 100  -- 5%% overdrawn
            ELSE ((i::bigint * 104729) %% 50000000)::numeric / 100 END,
       0, 50000, '', %(opened)s, ''
  FROM generate_series(1, %(accounts)s) AS i
"""


ANALYZE_EVERY = 100_000
GROWING_TABLES = [
    "transactions_journal",
    "transactions_entry",
    "interest_interestposting",
    "interest_interestaccountstate",
    "audit_auditevent",
    "notifications_notification",
    "notifications_journaloutbox",
]


def _bench_day(today: date) -> date:
    """A past month end that is not a quarter end: the monthly bench product posts there,
    the quarterly one (nearly all accounts) does not."""
    end = previous_month_end(today)
    while end.month % 3 == 0:
        end = previous_month_end(end)
    return end


class Command(BaseCommand):
    help = "Benchmark interest accrual (set-based SQL) and posting on a scratch PostgreSQL database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=100_000)
        parser.add_argument(
            "--posting-accounts", type=int, default=None, help="How many of them post monthly (default: all)"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=services.POSTING_CHUNK,
            help="Accounts posted per transaction (1: one transaction per account, as posting was before)",
        )

    def handle(self, *args, **options) -> None:
        name = connection.settings_dict["NAME"]
        if connection.vendor != "postgresql" or not str(name).endswith("bench"):
            raise CommandError(f"Refusing to empty {name!r}: use a PostgreSQL database whose name ends in 'bench'.")
        accounts = options["accounts"]
        posting_accounts = min(options["posting_accounts"] or accounts, accounts)
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        day = _bench_day(services.bank_today())

        started = time.perf_counter()
        self._seed(accounts=accounts, posting_accounts=posting_accounts, day=day)
        self.stdout.write(f"seeded {accounts} accounts in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        [run] = services.interest_accrue_through(through=day, start=day)
        accrue_seconds = time.perf_counter() - started
        assert run.accounts == accounts, run.accounts
        assert InterestAccrual.objects.filter(day=day).count() == accounts

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('interest_interestaccrual'))")
            size = cursor.fetchone()[0]
        self.stdout.write(
            f"accrual of {day}: {accounts} accounts in {accrue_seconds:.2f} s "
            f"({accounts / accrue_seconds:,.0f} accounts/s); accrual table {size}"
        )

        due = len(services.posting_candidates(period_end=day))
        started = time.perf_counter()
        posting = services.interest_post_period(
            period_end=day, chunk_size=options["chunk_size"], progress=self._progress(started)
        )
        post_seconds = time.perf_counter() - started
        assert posting.postings + posting.failures == due, (due, posting.postings, posting.failures)
        # Without a broker (REDIS_URL) the money-received notifications are made right after
        # each chunk commits, inside the measured time; with one they are queued, as in production.
        notifications = "eager, inside the time" if settings.CELERY_TASK_ALWAYS_EAGER else "queued to Redis"
        self.stdout.write(
            f"posting of {day}: {posting.postings} accounts, {posting.journals} journals, {posting.failures} failures "
            f"in {post_seconds:.2f} s ({posting.postings / post_seconds:,.0f} accounts/s; "
            f"{options['chunk_size']} accounts per transaction; notifications {notifications})"
        )

    def _progress(self, started: float):  # type: ignore[no-untyped-def]
        """Every ANALYZE_EVERY accounts posted: a line of progress, and fresh planner statistics
        for the tables the posting fills. They start empty here, and a server with autovacuum
        off (or behind) would otherwise plan the ledger's checks for an empty table; on a live
        server autovacuum does this. The ANALYZE is inside the measured time."""
        posted = 0

        def tick() -> None:
            nonlocal posted
            posted += 1
            if posted % ANALYZE_EVERY == 0:
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {', '.join(GROWING_TABLES)}")
                self.stdout.write(f"  posted {posted} accounts in {time.perf_counter() - started:.1f} s")

        return tick

    def _seed(self, *, accounts: int, posting_accounts: int, day: date) -> None:
        branch, _ = Branch.objects.get_or_create(code="0001", defaults={"name": "Bench"})
        user = get_user_model().objects.create(username="bench")
        owner = Customer.objects.create(user=user)
        types = {}
        for code, period in [("bench-quarterly", "quarterly"), ("bench-monthly", "monthly")]:
            types[period] = AccountType.objects.create(code=code, name=code, overdraft_limit=Decimal("50000"))
            services.interest_product_set(account_type=types[period], posting_period=period)
            services.interest_rate_set(
                account_type=types[period],
                effective_from=date(2000, 1, 1),
                annual_rate=Decimal("4"),
                overdraft_rate=Decimal("12"),
            )
        with connection.cursor() as cursor:
            # Setup, not the measured work: the accounts' three foreign keys (owner, branch,
            # type, all made just above) were checked row by row at COMMIT, 3,000,000
            # lookups for a million accounts (the seeding took 40.7 s with them, 7.1 s
            # without). Replica mode skips those triggers for this one statement; nothing
            # else fires on an account insert.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                SEED_ACCOUNTS_SQL,
                {
                    "owner": owner.pk,
                    "branch": branch.pk,
                    "accrue_type": types["quarterly"].pk,
                    "post_type": types["monthly"].pk,
                    "post_every": max(1, accounts // max(posting_accounts, 1)),
                    "opened": services.day_end(day - timedelta(days=60)),
                    "accounts": accounts,
                },
            )
            cursor.execute("SET session_replication_role = origin")
            cursor.execute("ANALYZE accounts_account")
