"""`make bench`: the benchmark suite, measured against PostgreSQL's own limit.

Every figure is printed beside its ratio to pgbench's TPC-B run on the same server in the
same run, because this machine is shared and noisy: absolute numbers alone mean little.
It builds its own database (`bankingsystem_bench`), data made with set-based SQL, and
writes docs/benchmarks.md.

    python -m bench.run            # default size (about 10 minutes)
    python -m bench.run --quick    # CI smoke run (about a minute)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bankingsystem_bench")
# pgbench gets its own database beside the bench one (e.g. bs_perf_bench -> bs_perf_bench_pgbench),
# so that several people benchmarking on one server never drop each other's data.
_BENCH_URL = urllib.parse.urlparse(BENCH_DB)
BENCH_DB_NAME = _BENCH_URL.path.lstrip("/")
PGBENCH_DB = os.environ.get("PGBENCH_DATABASE", BENCH_DB_NAME + "_pgbench")
# The bench's server, as psql and pgbench take it.
SERVER_ARGS = [
    *("-h", _BENCH_URL.hostname or "127.0.0.1"),
    *("-p", str(_BENCH_URL.port or 5432)),
    *("-U", _BENCH_URL.username or "postgres"),
]


@dataclass
class Size:
    accounts: int
    customers: int
    seconds: int
    statement_entries: int
    history_entries: int
    batch_size: int
    interest_accounts: int
    interest_posting_accounts: int


SIZES = {
    "default": Size(
        accounts=10_000,
        customers=100,
        seconds=20,
        statement_entries=1_000_000,
        history_entries=10_000_000,
        batch_size=1000,
        interest_accounts=1_000_000,
        interest_posting_accounts=100_000,
    ),
    "quick": Size(
        accounts=1_000,
        customers=20,
        seconds=4,
        statement_entries=50_000,
        history_entries=200_000,
        batch_size=200,
        interest_accounts=20_000,
        interest_posting_accounts=5_000,
    ),
}


@dataclass
class Result:
    name: str
    throughput: float | None = None  # operations per second
    unit: str = "transfers/s"
    latencies_ms: list[float] = field(default_factory=list)
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    target: str = ""
    passed: bool | None = None
    notes: str = ""

    def summarise(self) -> None:
        if self.latencies_ms:
            ordered = sorted(self.latencies_ms)

            def pct(p: float) -> float:
                return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

            self.p50, self.p95, self.p99 = pct(50), pct(95), pct(99)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(sql: str, db: str = "postgres") -> str:
    command = ["psql", *SERVER_ARGS, "-d", db, "-v", "ON_ERROR_STOP=1", "-Atqc", sql]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def machine_cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind, in clock ticks (/proc/stat's first line: user,
    nice, system, idle, iowait, ...)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def wal_counters() -> tuple[int, ...]:
    """The server's WAL bytes, full-page images and checkpoints so far (pg_stat_wal,
    pg_stat_bgwriter), then the machine's busy and total CPU time (/proc/stat): whole-server
    and whole-machine figures, so anything else running counts too."""
    row = psql(
        "SELECT w.wal_bytes, w.wal_fpi, b.checkpoints_timed + b.checkpoints_req FROM pg_stat_wal w, pg_stat_bgwriter b"
    )
    cpu = machine_cpu_ticks()
    idle = cpu[3] + cpu[4]  # idle and iowait
    return (*(int(float(x)) for x in row.split("|")), sum(cpu) - idle, sum(cpu))


def wal_note(before: tuple[int, ...], operations: int, unit: str = "transfer") -> str:
    """What one operation wrote to the WAL since `before`: every index entry and, on a page
    first touched since the last checkpoint, a full-page image; the commit waits for it. And
    how busy the cores were: a scenario that leaves them idle waits on something else (row
    locks, the WAL flush) rather than on CPU."""
    wal_bytes, fpi, checkpoints, busy, total = (now - then for now, then in zip(wal_counters(), before, strict=True))
    per = max(operations, 1)
    return (
        f"CPU {100 * busy / max(total, 1):.0f}% busy; "
        f"WAL {wal_bytes / per / 1024:.1f} kB and {fpi / per:.2f} full-page images per {unit}, "
        f"{checkpoints} checkpoint{'s' if checkpoints != 1 else ''} in the window"
    )


_BENCH_SECRET = "bench-" + os.urandom(32).hex()


def _secret_key() -> str:
    given = os.environ.get("SECRET_KEY", "")
    return given if len(given) >= 50 else _BENCH_SECRET


def bench_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": BENCH_DB,
        "DJANGO_SETTINGS_MODULE": "bankingsystem.settings",
        # The server refuses keys under 50 characters with DEBUG off; a short one from the
        # caller's shell (e.g. SECRET_KEY=t for tests) would stop gunicorn from booting.
        "SECRET_KEY": _secret_key(),
        "JWT_ACCESS_MINUTES": "240",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # With a broker (BENCH_REDIS_URL) tasks are queued as in production, where workers on
        # other machines send the notifications; without one they run eagerly inside each
        # measured transfer (about 40% of a service-layer transfer's time, see docs/performance.md).
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "DB_CONN_MAX_AGE": "600",
        # Measure the bank, not the abuse limits: throttles off, plain HTTP on loopback.
        "THROTTLE_USER": "100000000/min",
        "THROTTLE_MONEY": "100000000/min",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }


def django_setup() -> None:
    os.environ.update(bench_env())
    import django

    django.setup()


# --- Data -----------------------------------------------------------------------------------


def database_create(size: Size) -> None:
    log(f"creating database {BENCH_DB_NAME}")
    psql(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {BENCH_DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=bench_env(), check=True)


def accounts_seed(size: Size) -> dict:
    """Customers and their accounts, each opened with a deposit journal, in a few bulk statements."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Account, AccountType, Branch
    from accounts.numbers import account_number_build
    from accounts.services import gl_account_get_or_create
    from customers.client import ClientInfo
    from customers.models import Customer
    from customers.services import session_start
    from transactions.models import Entry, Journal

    user_model = get_user_model()
    log(f"seeding {size.customers} customers and {size.accounts} accounts")
    with transaction.atomic():
        branch = Branch.objects.create(code="0101", name="Bench branch")
        kind = AccountType.objects.create(
            code="bench",
            name="Bench",
            per_transaction_limit=Decimal("100000000.00"),
            daily_debit_limit=Decimal("9999999999999.00"),
        )
        users = user_model.objects.bulk_create(
            [user_model(username=f"bench{i}", password="!") for i in range(size.customers)]
        )
        customers = Customer.objects.bulk_create([Customer(user=u) for u in users])
        accounts = Account.objects.bulk_create(
            [
                Account(
                    number=account_number_build(bank_code="101", branch_code=branch.code, serial=i + 1),
                    owner=customers[i % len(customers)],
                    branch=branch,
                    account_type=kind,
                    currency="INR",
                    balance=Decimal("1000000000.00"),
                )
                for i in range(size.accounts)
            ]
        )
        Branch.objects.filter(pk=branch.pk).update(last_account_serial=size.accounts)
        vault = gl_account_get_or_create(code=Account.GlCode.CASH_VAULT, currency="INR")
        # Each account opened with a deposit of its own, so the windows start on a ledger with
        # history. With one funding journal the journals table held one row when a worker's
        # first transfer planned its foreign-key checks: PostgreSQL cached a sequential scan
        # and read the whole growing table twice per transfer for the rest of the window
        # (docs/performance.md, seventh round), which a bank's analyzed tables never see.
        now = timezone.now()
        journals = Journal.objects.bulk_create(
            [
                Journal(kind="deposit", reference=f"BENCH-FUNDING-{i:06d}", description="Bench funding", created_at=now)
                for i in range(len(accounts))
            ],
            batch_size=5000,
        )
        entries, vault_balance = [], Decimal(0)
        for journal, account in zip(journals, accounts, strict=True):
            opening = account.balance
            vault_balance -= opening
            entries += [
                Entry(journal=journal, account=account, amount=opening, balance_after=opening, created_at=now),
                Entry(journal=journal, account=vault, amount=-opening, balance_after=vault_balance, created_at=now),
            ]
        Entry.objects.bulk_create(entries, batch_size=5000)
        Account.objects.filter(pk=vault.pk).update(balance=vault_balance)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics as autovacuum keeps them on a bank's tables
    connection.close()
    tokens = {c.pk: session_start(user=c.user, client=ClientInfo(user_agent="bench")).access for c in customers}
    return {
        "accounts": [(a.pk, a.number, a.owner_id) for a in accounts],
        "tokens": tokens,
    }


def accounts_load() -> dict:
    """The data of an earlier run's database (`--reuse-data`), with fresh tokens."""
    from accounts.models import Account
    from customers.client import ClientInfo
    from customers.models import Customer
    from customers.services import session_start

    customer_accounts = Account.objects.filter(kind=Account.Kind.CUSTOMER).order_by("pk")
    accounts = list(customer_accounts.values_list("pk", "number", "owner_id"))
    customers = Customer.objects.filter(pk__in={owner for _, _, owner in accounts}).select_related("user")
    tokens = {c.pk: session_start(user=c.user, client=ClientInfo(user_agent="bench")).access for c in customers}
    return {"accounts": accounts, "tokens": tokens}


def reads_data_present(size: Size) -> bool:
    """Whether the bench database already holds this size's generated entries (`--reuse-data`)."""
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB_NAME}'") != "1":
        return False
    last = [f"BS-{size.statement_entries}", f"BH-{(size.history_entries - 2 * size.statement_entries) // 2}"]
    try:
        query = f"SELECT count(*) FROM transactions_journal WHERE reference IN ('{last[0]}', '{last[1]}')"
        found = psql(query, BENCH_DB_NAME)
    except subprocess.CalledProcessError:
        return False
    return found == "2"


def _phase_timer(label: str) -> Callable[[str], None]:
    """Logs the seconds since the previous call: where a generation's time goes."""
    last = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        log(f"  {label}: {name} {now - last[0]:.1f}s")
        last[0] = now

    return phase


# The tables the reads scenario generates its entries into (through bulk_load).
LEDGER_TABLES = ("transactions_journal", "transactions_entry")


@dataclass
class TableIndexes:
    """A table's secondary indexes as PostgreSQL prints them (primary keys are kept): plain
    indexes by their CREATE INDEX, those behind a UNIQUE constraint by the constraint."""

    table: str
    indexes: dict[str, str]  # name -> CREATE INDEX ...
    constraints: dict[str, str]  # name -> UNIQUE (...)

    @classmethod
    def read(cls, cursor, table: str) -> TableIndexes:  # type: ignore[no-untyped-def]
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname,
                   pg_get_constraintdef(c.oid)
              FROM pg_index i
              LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
             WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
             ORDER BY 1
            """,
            [table],
        )
        indexes, constraints = {}, {}
        for name, definition, constraint, constraint_definition in cursor.fetchall():
            if constraint:
                constraints[constraint] = constraint_definition
            else:
                indexes[name] = definition
        return cls(table, indexes, constraints)

    def drop(self, cursor) -> None:  # type: ignore[no-untyped-def]
        for name in self.constraints:
            cursor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT {name}")
        for name in self.indexes:
            cursor.execute(f"DROP INDEX {name}")  # on a partitioned table, with its partitions' indexes

    def create(self, cursor) -> None:  # type: ignore[no-untyped-def]
        for name, definition in self.constraints.items():
            cursor.execute(f"ALTER TABLE {self.table} ADD CONSTRAINT {name} {definition}")
        for definition in self.indexes.values():
            # A partitioned table's index prints as "ON ONLY": built that way it would cover
            # no partition. Without ONLY it is built on every partition and attached.
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))


@contextmanager
def bulk_load(tables: tuple[str, ...], *, memory: str = "1GB") -> Iterator[None]:
    """The secondary indexes of `tables` dropped for a bulk load and built again afterwards,
    with the same names and definitions (checked), then the tables analysed. Inserting
    millions of rows into a btree one by one costs more than sorting them once: the load is
    done in the session's connection (django's), with `memory` for its sorts and builds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{memory}'")
        cursor.execute(f"SET maintenance_work_mem = '{memory}'")
        before = [TableIndexes.read(cursor, table) for table in tables]
        for table in before:
            table.drop(cursor)
    # Built again only after a load that went through: one that failed leaves a scratch
    # database that the next run makes anew (reads_data_present finds its last journals missing).
    yield
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for table in before:
            table.create(cursor)
        log(f"  indexes built in {time.perf_counter() - started:.1f}s")
        after = [TableIndexes.read(cursor, table) for table in tables]
        if after != before:
            raise RuntimeError(f"the indexes built again differ from those dropped: {before} -> {after}")
        started = time.perf_counter()
        cursor.execute(f"ANALYZE {', '.join(tables)}")
        log(f"  analysed in {time.perf_counter() - started:.1f}s")
        cursor.execute("RESET work_mem")
        cursor.execute("RESET maintenance_work_mem")


def entries_generate(*, account_pks: list[int], count: int, label: str) -> None:
    """`count` ledger entries (count/2 balanced transfer journals) among `account_pks`,
    made with set-based SQL; in bulk_load(LEDGER_TABLES), which analyses them afterwards.
    Triggers are switched off for the load (session_replication_role) and the invariants
    are proven afterwards with the ledger check instead."""
    from django.db import connection
    from django.utils import timezone

    from bankingsystem.partitions import create_partition_sql, month_start, months_later
    from transactions.models import CUSTOMER_DEBIT_KINDS

    def local_day(day):  # type: ignore[no-untyped-def]
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        return start, start + timedelta(days=1)

    journals = count // 2
    log(f"generating {count:,} entries for {label} (set-based SQL)")
    started = time.perf_counter()
    phase = _phase_timer(label)
    ids = "ARRAY[" + ",".join(map(str, account_pks)) + "]::bigint[]"
    with connection.cursor() as cursor:
        # The months the entries span get their partitions first, as in production (beat
        # creates them ahead), instead of piling into the DEFAULT partition.
        cursor.execute("SELECT (now() - %s * interval '3 seconds') AT TIME ZONE 'UTC'", [journals])
        (oldest,) = cursor.fetchone()
        month = month_start(oldest.date())
        while month <= month_start(datetime.now(UTC).date()):
            cursor.execute(create_partition_sql("transactions_entry", month))
            month = months_later(month, 1)
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SELECT coalesce(max(id), 0) FROM transactions_journal")
        (first,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO transactions_journal (kind, reference, description, created_at)
            SELECT 'transfer', %s || g,
                   CASE WHEN g %% 7 = 0 THEN 'Rent payment ' || g ELSE 'Card purchase ' || g END,
                   now() - ((%s - g) * interval '3 seconds')
              FROM generate_series(1, %s) g
            """,
            [f"B{label}-", journals, journals],
        )
        phase("journals")
        # Each journal: a debit from one account and a credit to another (never the same
        # one), amounts 1.00..500.99, picked by hashing the journal id (the amount was the
        # id modulo 50,000: runs of 39,900 journals in a row under 400.00 made `min_amount`
        # read up to 40,000 entries for one page).
        n = len(account_pks)
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_legs AS
            SELECT journal_id, created_at, amount,
                   ({ids})[1 + i] AS debit_account,
                   ({ids})[1 + (i + 1 + k %% {n - 1}) %% {n}] AS credit_account
              FROM (SELECT j.id AS journal_id, j.created_at,
                           (hashint4(j.id::int) & 2147483647) %% {n} AS i,
                           hashint4(j.id::int + 7) & 2147483647 AS k,
                           (1 + ((hashint4(j.id::int + 13) & 2147483647) %% 50000) / 100.0)::numeric(18,2) AS amount
                      FROM transactions_journal j WHERE j.id > %s) picked
            """,
            [first],
        )
        phase("legs")
        cursor.execute(
            """
            INSERT INTO transactions_entry (journal_id, account_id, amount, balance_after, created_at)
            SELECT journal_id, account_id, amount, 0, created_at FROM (
              SELECT journal_id, debit_account AS account_id, -amount AS amount, created_at FROM bench_legs
              UNION ALL
              SELECT journal_id, credit_account, amount, created_at FROM bench_legs
            ) legs ORDER BY journal_id
            """
        )
        phase("entries")
        cursor.execute("DROP TABLE bench_legs")
        # Balances follow their entries (balance_after is left at 0 for generated rows:
        # statements show it, nothing computes from it).
        cursor.execute(
            """
            UPDATE accounts_account a SET balance = a.balance + d.delta
              FROM (SELECT account_id, sum(amount) AS delta FROM transactions_entry e
                     WHERE e.journal_id > %s GROUP BY account_id) d
             WHERE a.id = d.account_id
            """,
            [first],
        )
        phase("balances")
        # The daily limit's running totals follow today's generated debits (ledger_check
        # proves them against the entries, as the services keep them).
        today = timezone.localdate()
        cursor.execute(
            """
            UPDATE accounts_account a
               SET debit_day = %s,
                   debit_day_total = CASE WHEN a.debit_day = %s THEN a.debit_day_total ELSE 0 END + d.total
              FROM (SELECT e.account_id, -sum(e.amount) AS total
                      FROM transactions_entry e JOIN transactions_journal j ON j.id = e.journal_id
                     WHERE e.journal_id > %s AND e.amount < 0 AND e.created_at >= %s AND e.created_at < %s
                       AND j.kind = ANY(%s)
                     GROUP BY e.account_id) d
             WHERE a.id = d.account_id
            """,
            [today, today, first, *local_day(today), [str(kind) for kind in CUSTOMER_DEBIT_KINDS]],
        )
        phase("daily totals")
        cursor.execute("SET session_replication_role = origin")
    log(f"generated {count:,} entries in {time.perf_counter() - started:.1f}s")


# --- pgbench --------------------------------------------------------------------------------


def pgbench(*args: str, db: str) -> str:
    """Run pgbench on `db` of the bench's server; its output."""
    done = subprocess.run(["pgbench", *SERVER_ARGS, *args, db], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(args[:12])} ... failed: {done.stderr[-2000:]}")
    return done.stdout


def pgbench_figures(out: str) -> tuple[float, float, int]:
    """A pgbench run's tps, mean latency (ms) and transactions processed."""
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))  # type: ignore[union-attr]
    processed = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))  # type: ignore[union-attr]
    return tps, latency, processed


def pgbench_tpcb(seconds: int) -> Result:
    psql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {PGBENCH_DB}")
    pgbench("-i", "-s", "10", "-q", db=PGBENCH_DB)
    log(f"pgbench TPC-B: 8 clients, 2 threads, {seconds}s")
    wal = wal_counters()
    tps, latency, processed = pgbench_figures(
        pgbench("-c", "8", "-j", "2", "-T", str(seconds), "-b", "tpcb-like", "-r", db=PGBENCH_DB)
    )
    notes = f"latency is the mean; {wal_note(wal, processed, 'transaction')}"
    psql(f"DROP DATABASE IF EXISTS {PGBENCH_DB} WITH (FORCE)")
    return Result("pgbench TPC-B (baseline)", throughput=tps, unit="tx/s", p50=latency, notes=notes)


# --- Service layer --------------------------------------------------------------------------


def transfer_pair(rng: random.Random, accounts: list, *, hot: bool) -> tuple:
    """A source and a destination out of `accounts`; with `hot`, the source is always the
    first of them (the hot account)."""
    if hot:
        return accounts[0], rng.choice(accounts[1:])
    source, destination = rng.sample(accounts, 2)
    return source, destination


def _service_worker(
    numbered: list[tuple[int, str]], hot: bool, seconds: int, seed: int, start: object, results: object
) -> None:
    django_setup()
    from accounts.models import Account
    from transactions.services import transfer_create

    rng = random.Random(seed)
    accounts = [Account(pk=pk, currency="INR", number=number) for pk, number in numbered]
    source, destination = transfer_pair(rng, accounts, hot=hot)
    transfer_create(source=source, destination=destination, amount=Decimal("0.01"))  # connect, warm caches
    from bankingsystem.process import collector_tune

    collector_tune()  # as a Celery worker process is, the one that runs this in production
    start.wait()  # type: ignore[attr-defined]  # every process starts its window together
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        source, destination = transfer_pair(rng, accounts, hot=hot)
        amount = Decimal(rng.randint(1, 9999)) / 100
        started = time.perf_counter()
        transfer_create(source=source, destination=destination, amount=amount, description="bench")
        latencies.append((time.perf_counter() - started) * 1000)
    results.put(latencies)  # type: ignore[attr-defined]


def service_transfers(data: dict, seconds: int, *, hot: bool) -> Result:
    """8 processes, each started (Django loaded, connected, one transfer made) before the
    timed window, which opens for all of them at once."""
    name = "hot account: every transfer debits one account" if hot else "service layer, 8 processes"
    log(f"{name}: {seconds}s")
    numbered = [(pk, number) for pk, number, _ in data["accounts"]]
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(9), context.Queue()
    workers = [
        context.Process(target=_service_worker, args=(numbered, hot, seconds, seed, start, results))
        for seed in range(8)
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=300)
    wal = wal_counters()
    parts = [results.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = [x for part in parts for x in part]
    result = Result(name, throughput=len(latencies) / seconds, latencies_ms=latencies)
    result.notes = f"{len(latencies):,} transfers in the {seconds}s window; {wal_note(wal, len(latencies))}"
    result.summarise()
    return result


# --- The service's transfer statement alone, under pgbench ----------------------------------
#
# What PostgreSQL itself does with a service-layer transfer: the statement transfer_create
# sends, with the same parameters, bound the same way (prepared, server-side), between the
# same BEGIN, plan setting and COMMIT, driven by pgbench's C client instead of Python. It
# tells the database's share of a transfer from the client's, in every run: the service
# layer and the hot account can reach at most what their statement reaches here.

# The parameters that differ between transfers, as pgbench expressions; every other one is
# a pgbench variable (-D) holding the value the service sent (None as NULL, "" as ''). The
# audit event keeps the captured content and instant, so every event's hash still verifies.
_PER_TRANSFER_SQL = {
    "source": ":src",
    "destination": ":dst",
    "ids": "ARRAY[:src, :dst]",
    "source_number": "(SELECT number FROM accounts_account WHERE id = :src)",
    "destination_number": "(SELECT number FROM accounts_account WHERE id = :dst)",
    "reference": "md5(random()::text)",
    "now": "now()",
    "today": "current_date",
}


def transfer_statement_captured(data: dict) -> tuple[str, dict]:
    """The statement and parameters one transfer_create sent (the one-statement transfer)."""
    from django.db import connection

    from accounts.models import Account
    from transactions.services import transfer_create

    sent = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if isinstance(params, dict) and {"source", "destination", "reference"} <= params.keys():
            sent.append((sql, params))
        return execute(sql, params, many, context)

    (source, source_number, _), (destination, destination_number, _) = data["accounts"][1:3]
    with connection.execute_wrapper(capture):
        transfer_create(
            source=Account(pk=source, currency="INR", number=source_number),
            destination=Account(pk=destination, currency="INR", number=destination_number),
            amount=Decimal("0.01"),
            description="bench",
        )
    [(sql, params)] = sent
    return sql, params


def pgbench_transfer_script(sql: str, params: dict, *, hot: bool, accounts: tuple[int, int]) -> tuple[str, list[str]]:
    """A pgbench script posting the captured transfer between accounts `accounts` (the
    first and last pk of a contiguous range): random pairs, or with `hot` the first account
    always the source. Returns the script and its -D arguments."""
    from bankingsystem.db import GENERIC_PLANS_ALLOW_SQL

    text, defines = sql, []
    for name, value in params.items():
        if name in _PER_TRANSFER_SQL:
            replacement = _PER_TRANSFER_SQL[name]
        elif value is None:
            replacement = "NULL"
        elif value == "":  # pgbench takes no empty variable
            replacement = "''"
        else:
            replacement = f":{name}"
            defines += ["-D", f"{name}={value}"]
        text = text.replace(f"%({name})s", replacement)
    if "%(" in text:
        raise ValueError(f"a parameter of the transfer statement was not bound: {text[text.index('%(') :][:60]}")
    text = text.replace("%%", "%")  # psycopg's escape of a literal %
    first, last = accounts
    pair = (
        f"\\set src {first}\n\\set dst random({first + 1}, {last})\n"
        if hot
        else f"\\set src random({first}, {last})\n"
        f"\\set dst {first} + (:src - {first} + random(1, {last - first})) % ({last - first + 1})\n"
    )
    script = f"{pair}BEGIN;\nSELECT {GENERIC_PLANS_ALLOW_SQL};\n{text};\nCOMMIT;\n"
    return script, defines


def pgbench_transfer_statements(data: dict, seconds: int, python: dict[bool, Result]) -> list[Result]:
    """The service's transfer statement under pgbench (8 clients, 2 threads), with random
    accounts and then with the hot account, each beside the Python service layer's rate for
    the same accounts (`python`, keyed by hot) when that ran."""
    pks = [pk for pk, _, _ in data["accounts"]]
    if pks != list(range(pks[0], pks[0] + len(pks))):
        raise ValueError("the bench accounts' ids are not contiguous")
    sql, params = transfer_statement_captured(data)
    results = []
    for hot in (False, True):
        script, defines = pgbench_transfer_script(sql, params, hot=hot, accounts=(pks[0], pks[-1]))
        name = f"the service's transfer statement alone via pgbench{', hot account' if hot else ''}"
        log(f"{name}: {seconds}s")
        journals = int(psql("SELECT count(*) FROM transactions_journal", BENCH_DB_NAME))
        wal = wal_counters()
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as file:
            file.write(script)
            file.flush()
            clients = ["-n", "-c", "8", "-j", "2", "-T", str(seconds), "-M", "prepared"]
            tps, latency, processed = pgbench_figures(pgbench(*clients, "-f", file.name, *defines, db=BENCH_DB_NAME))
        posted = int(psql("SELECT count(*) FROM transactions_journal", BENCH_DB_NAME)) - journals
        notes = (
            f"latency is the mean; {posted:,} journals posted by {processed:,} transactions "
            f"(BEGIN, the plan setting, the statement, COMMIT; pgbench's C client instead of Python); "
            f"{wal_note(wal, processed)}"
        )
        if hot in python and python[hot].throughput:
            notes += f"; the Python service layer made {python[hot].throughput / tps:.0%} of this"
        results.append(Result(name, throughput=tps, p50=latency, notes=notes))
    return results


# --- HTTP through gunicorn ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The production server configuration (gunicorn.conf.py when present). BENCH_APP_ROOT
    serves another checkout (say a worktree of an older commit) to compare it on the same
    data: `BENCH_APP_ROOT=/tmp/old python -m bench.run --only reads --reuse-data`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log_path = Path(tempfile.gettempdir()) / f"bench-gunicorn-{self.port}.log"
        app = Path(os.environ.get("BENCH_APP_ROOT") or ROOT)
        config = app / "gunicorn.conf.py"
        args = ["-c", str(config)] if config.exists() else ["--workers", "4"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{self.port}", "bankingsystem.wsgi"],
            cwd=app,
            env={**bench_env(), "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "4")},
            stdout=subprocess.DEVNULL,
            # A file, not a pipe nobody reads (a full pipe would stall the server mid-run),
            # and the reason it did not boot is there to read.
            stderr=open(self.log_path, "w"),  # noqa: SIM115
        )
        self.url = f"http://127.0.0.1:{self.port}"
        import requests

        for _ in range(300):
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.log_path}")

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def accounts_by_owner(data: dict) -> tuple[dict[int, list[str]], list[str]]:
    """The customers' account numbers by owner, and every customer account's number."""
    by_owner: dict[int, list[str]] = {}
    for _, number, owner in data["accounts"]:
        by_owner.setdefault(owner, []).append(number)
    return by_owner, [number for _, number, _ in data["accounts"]]


def batch_body(rng: random.Random, by_owner: dict[int, list[str]], numbers: list[str], size: int) -> tuple[int, str]:
    """An owner and the JSON body of a batch of up to `size` independent transfers from their
    accounts to any customer account (one whose destination drew its source is left out)."""
    owner = rng.choice(list(by_owner))
    items = [
        {
            "source_account": rng.choice(by_owner[owner]),
            "destination_account": rng.choice(numbers),
            "amount": f"{rng.randint(1, 9999) / 100:.2f}",
        }
        for _ in range(size)
    ]
    items = [i for i in items if i["source_account"] != i["destination_account"]]
    return owner, json.dumps({"mode": "independent", "transfers": items})


def http_transfers(data: dict, seconds: int, server: Gunicorn) -> tuple[Result, Result]:
    log(f"HTTP transfers through gunicorn: 32 clients, {seconds}s")
    rng = random.Random(1)
    by_owner, numbers = accounts_by_owner(data)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as clients:
        for _ in range(5000):
            owner = rng.choice(list(by_owner))
            source = rng.choice(by_owner[owner])
            destination = rng.choice(numbers)
            if destination != source:
                clients.write(f"{data['tokens'][owner]} {source} {destination}\n")
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is needed for the HTTP scenario (apt-get install wrk)")
    wal = wal_counters()
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "transfer.lua"),
            server.url,
        ],
        env={**os.environ, "BENCH_CLIENTS": clients.name},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(clients.name)
    tps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, p95, p99 = (int(x) / 1000 for x in re.search(r"p50=(\d+) p95=(\d+) p99=(\d+)", out).groups())  # type: ignore[union-attr]
    total, errors = (int(x) for x in re.search(r"total=(\d+) errors=(\d+)", out).groups())  # type: ignore[union-attr]
    result = Result("HTTP via gunicorn, 32 clients, JWT + Idempotency-Key", throughput=tps, p50=p50, p95=p95, p99=p99)
    result.notes = f"{total:,} requests, {errors} non-2xx or socket errors; {wal_note(wal, total - errors)}"
    rss = server.worker_rss_mb()
    memory = Result("web worker memory after the HTTP run", unit="MB")
    memory.throughput = max(rss) if rss else None
    memory.notes = "RSS per worker: " + ", ".join(f"{x:.0f}" for x in rss)
    return result, memory


def http_batches(data: dict, seconds: int, server: Gunicorn, batch_size: int) -> Result:
    import requests

    log(f"batch posting: {batch_size} transfers per request, 4 clients, {seconds}s")
    by_owner, numbers = accounts_by_owner(data)
    latencies: list[float] = []
    posted = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        while time.perf_counter() < deadline:
            owner, body = batch_body(rng, by_owner, numbers, batch_size)
            started = time.perf_counter()
            response = session.post(
                f"{server.url}/api/v1/transfers/batch/",
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {data['tokens'][owner]}",
                    "Idempotency-Key": f"batch-{seed}-{time.perf_counter_ns()}",
                },
                timeout=120,
            )
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            with lock:
                latencies.append(elapsed)
                posted[0] += response.json()["posted"]

    started = time.perf_counter()
    wal = wal_counters()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    result = Result(f"batch posting over HTTP ({batch_size} per request)", throughput=posted[0] / elapsed)
    result.latencies_ms = latencies
    result.notes = (
        f"{posted[0]:,} transfers in {len(latencies)} requests; latency is per batch request; "
        f"{wal_note(wal, posted[0])}"
    )
    result.summarise()
    return result


def statement_reads(data: dict, server: Gunicorn, account_number: str, token: str, entries: int) -> list[Result]:
    import requests

    log(f"statement pages and CSV export for an account with {entries:,} entries")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{server.url}/api/v1/accounts/{account_number}/statement/"
    latencies = []
    next_url: str | None = url + "?page_size=50"
    pages = 0
    for _ in range(300):  # walk 300 pages deep by cursor, then start again
        started = time.perf_counter()
        response = session.get(next_url or url, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        next_url = response.json()["next"]
        pages += 1
    filtered = []
    for query in ("direction=debit", "min_amount=400", "q=Rent", "date_from=2000-01-01&kind=transfer"):
        for _ in range(20):
            started = time.perf_counter()
            session.get(f"{url}?{query}&page_size=50", timeout=30).raise_for_status()
            filtered.append((time.perf_counter() - started) * 1000)
    page = Result("statement page (50 rows, keyset cursor)", unit="pages/s", latencies_ms=latencies)
    page.throughput = len(latencies) / (sum(latencies) / 1000)
    page.notes = f"{pages} pages walked by cursor, one client"
    filters = Result("statement page with filters", unit="pages/s", latencies_ms=filtered)
    filters.throughput = len(filtered) / (sum(filtered) / 1000)
    started = time.perf_counter()
    rows = 0
    cut_off = ""
    try:
        with session.get(url + "?format=csv", stream=True, timeout=600) as response:
            response.raise_for_status()
            for chunk in response.iter_lines():
                rows += 1 if chunk else 0
    except requests.RequestException as error:  # e.g. the worker killed by gunicorn's timeout mid-stream
        cut_off = f"; CUT OFF: {type(error).__name__}"
    elapsed = time.perf_counter() - started
    from transactions.models import Entry

    # The history's transfers put a few hundred more entries on the account.
    expected = Entry.objects.filter(account__number=account_number).count()
    csv_result = Result("CSV export, streamed", unit="rows/s", throughput=max(rows - 1, 0) / elapsed)
    csv_result.notes = f"{max(rows - 1, 0):,} of {expected:,} rows in {elapsed:.1f}s{cut_off}"
    csv_result.passed = not cut_off and rows - 1 == expected
    csv_result.target = "all rows"
    page.summarise()
    filters.summarise()
    return [page, filters, csv_result]


def history_reads(server: Gunicorn, token: str, entries: int) -> Result:
    import requests

    log(f"history endpoint with filters at {entries:,} entries")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    queries = [
        "",
        "kind=transfer",
        "direction=credit",
        "min_amount=250&max_amount=300",
        "q=Rent",
        "date_from=2000-01-01&direction=debit",
    ]
    latencies = []
    for _ in range(10):
        for query in queries:
            started = time.perf_counter()
            session.get(f"{server.url}/api/v1/transactions/?page_size=50&{query}", timeout=60).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    result = Result("history with filters (50 rows)", unit="pages/s", latencies_ms=latencies)
    result.throughput = len(latencies) / (sum(latencies) / 1000)
    result.notes = "one customer's accounts; queries: " + "; ".join(q or "(none)" for q in queries)
    result.summarise()
    return result


def ledger_check() -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", "ledger_check"], cwd=ROOT, env=bench_env(), capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1] if out.returncode == 0 else "FAILED: " + out.stdout + out.stderr


# --- Profile --------------------------------------------------------------------------------


def _profiled(work: Callable[[], None], times: int) -> str:
    """pyinstrument's call tree of `work` run `times` times in this process."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(times):
        work()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)[:6000]


def profile_transfers(data: dict) -> str:
    """Where a service-layer transfer spends its time (500 transfers, one process)."""
    django_setup()
    from accounts.models import Account
    from transactions.services import transfer_create

    accounts = [Account(pk=pk, currency="INR", number=number) for pk, number, _ in data["accounts"][:200]]
    rng = random.Random(3)

    def transfer() -> None:
        source, destination = rng.sample(accounts, 2)
        transfer_create(source=source, destination=destination, amount=Decimal("1.00"))

    return _profiled(transfer, 500)


def profile_statement(account_number: str, token: str) -> str:
    """Where a statement page's time goes (200 pages by cursor through Django's test client)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/accounts/{account_number}/statement/?page_size=50"
    client.get(url)  # warm: imports, connection
    pages = [url]

    def page() -> None:
        pages.append(client.get(pages[-1]).json()["next"] or url)

    return _profiled(page, 200)


# --- Report ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024**2  # type: ignore[union-attr]
    import django

    return {
        "CPU": f"{os.cpu_count()} cores, {cpu}",
        "memory": f"{mem} GiB",
        "load average at start (1/5/15 min)": load_average(),
        "PostgreSQL": psql("SHOW server_version"),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        or "unknown",
    }


def load_average() -> str:
    """The machine is shared: the load beside each run says how far to trust its absolute figures."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def report(
    results: list[Result],
    baseline: Result,
    info: dict[str, str],
    profiles: list[tuple[str, str]],
    size_name: str,
    check: str,
    only: str = "",
) -> str:
    args = ["--quick"] if size_name == "quick" else []
    if only and set(only.split(",")) != set(SCENARIOS):
        args.append(f"--only {only}")
    command = f'make bench BENCH_ARGS="{" ".join(args)}"' if args else "make bench"
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` "
        f"({size_name} size). Ratios are to pgbench's TPC-B run on the same PostgreSQL in the "
        "same run (8 clients, 2 threads), the machine's own limit for a two-balance update transaction.",
        "",
        "| | |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        "| scenario | throughput | ratio to pgbench | p50 ms | p95 ms | p99 ms | target | met | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in [baseline, *results]:
        ratio = (
            f"{r.throughput / baseline.throughput:.2f}"
            if r.throughput and r.unit == "transfers/s" and baseline.throughput
            else ""
        )
        met = "" if r.passed is None else ("yes" if r.passed else "**no**")
        lines.append(
            f"| {r.name} | {fmt(r.throughput)} {r.unit} | {ratio} | {fmt(r.p50, 2)} | {fmt(r.p95, 2)} | "
            f"{fmt(r.p99, 2)} | {r.target} | {met} | {r.notes} |"
        )
    lines += ["", f"Ledger check after the run: {check}", ""]
    for title, profile in profiles:
        lines += [f"## Profile of {title}", "", "```", profile, "```", ""]
    return "\n".join(lines)


def judge(
    result: Result,
    baseline: float,
    *,
    ratio: float | None = None,
    p95: float | None = None,
    p99: float | None = None,
    under: float | None = None,
) -> None:
    checks, targets = [], []
    if ratio is not None:
        checks.append(result.throughput is not None and result.throughput / baseline >= ratio)
        targets.append(f"ratio >= {ratio}")
    if p95 is not None:
        checks.append(result.p95 is not None and result.p95 < p95)
        targets.append(f"p95 < {p95:g} ms")
    if p99 is not None:
        checks.append(result.p99 is not None and result.p99 < p99)
        targets.append(f"p99 < {p99:g} ms")
    if under is not None:
        checks.append(result.throughput is not None and result.throughput < under)
        targets.append(f"< {under:g} {result.unit}")
    result.target = ", ".join(targets)
    result.passed = all(checks)


def statement_data(data: dict) -> tuple[int, str, int]:
    """The statement account (pk, number, owner): the last customer account, whose
    `statement_entries` entries are the debit or credit leg of transfers with the suspense account."""
    pk, number, owner = data["accounts"][-1]
    return pk, number, owner


def reads_data_generate(data: dict, size: Size) -> None:
    """The statement account's `statement_entries` entries (S) and the rest of the
    `history_entries` among all the customer accounts (H), in one bulk load."""
    from accounts.models import Account

    pk, _, _ = statement_data(data)
    suspense = Account.objects.get(gl_code="suspense", currency="INR")
    started = time.perf_counter()
    with bulk_load(LEDGER_TABLES):
        # Every journal has one leg on each account: twice the entries, so the statement
        # account alone holds `statement_entries` of them.
        entries_generate(account_pks=[pk, suspense.pk], count=2 * size.statement_entries, label="S")
        remaining = size.history_entries - 2 * size.statement_entries
        entries_generate(account_pks=[pk for pk, _, _ in data["accounts"]], count=remaining, label="H")
    log(f"entries generated, indexed and analysed in {time.perf_counter() - started:.1f}s")


def reads(data: dict, server: Gunicorn, size: Size, tps: float, *, generate: bool = True) -> list[Result]:
    """A customer account with `statement_entries` entries in a ledger of `history_entries`:
    statement pages (with and without filters), its CSV export, and one customer's history."""
    _, number, owner = statement_data(data)
    if generate:
        reads_data_generate(data, size)
    results = []
    for r in statement_reads(data, server, number, data["tokens"][owner], size.statement_entries):
        if r.unit == "pages/s":
            judge(r, tps, p95=20)
        results.append(r)
    history_owner = data["accounts"][0][2]
    results.append(history_reads(server, data["tokens"][history_owner], size.history_entries))
    return results


def interest(size: Size) -> list[Result]:
    """Scenario 6: one day's accrual for `interest_accounts` accounts, and the month's
    posting for `interest_posting_accounts` of them, by `manage.py bench_interest` in a
    scratch database of its own (it empties it)."""
    url = os.environ.get("INTEREST_BENCH_DATABASE_URL") or BENCH_DB + "_interest_bench"
    name = urllib.parse.urlparse(url).path.lstrip("/")
    log(f"interest: accrual for {size.interest_accounts:,} accounts, posting for {size.interest_posting_accounts:,}")
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    out = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench_interest",
            "--accounts",
            str(size.interest_accounts),
            "--posting-accounts",
            str(size.interest_posting_accounts),
        ],
        cwd=ROOT,
        env={**bench_env(), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    accrued = re.search(r"accrual of \S+: (\d+) accounts in ([\d.]+) s", out)
    posted = re.search(r"posting of \S+: (\d+) accounts, (\d+) journals, (\d+) failures in ([\d.]+) s", out)
    if not accrued or not posted:
        raise RuntimeError(f"bench_interest printed no figures:\n{out}")
    accrual = Result(f"interest accrual, one day, {int(accrued[1]):,} accounts", unit="s")
    accrual.throughput = float(accrued[2])
    accrual.notes = f"{int(accrued[1]) / float(accrued[2]):,.0f} accounts/s, set-based SQL"
    posting = Result(f"interest posting, one month, {int(posted[1]):,} accounts", unit="accounts/s")
    posting.throughput = int(posted[1]) / float(posted[4])
    posting.notes = f"{posted[2]} journals, {posted[3]} failures in {float(posted[4]):.1f}s"
    return [accrual, posting]


SCENARIOS = ("service", "hot", "sql", "http", "batch", "reads", "interest", "profile")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs, for CI smoke tests")
    parser.add_argument("--report", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default all): {', '.join(SCENARIOS)}; pgbench always runs",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="with --only reads[,profile]: keep the bench database when it already holds this size's entries",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    if only - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(only - set(SCENARIOS)))}")
    if args.reuse_data and only - {"reads", "profile"}:
        parser.error("--reuse-data goes with --only reads (transfers would change the data)")
    size_name = "quick" if args.quick else "default"
    size = SIZES[size_name]
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    info = machine()
    started = time.perf_counter()

    reuse = args.reuse_data and reads_data_present(size)
    if reuse:
        log("reusing the bench database and its entries (--reuse-data)")
        django_setup()
        data = accounts_load()
    else:
        database_create(size)
        django_setup()
        data = accounts_seed(size)
    baseline = pgbench_tpcb(size.seconds)
    log(f"pgbench: {baseline.throughput:.0f} tx/s")
    tps = baseline.throughput or 1.0
    results: list[Result] = []

    python: dict[bool, Result] = {}  # the service layer's runs, keyed by hot
    if "service" in only:
        python[False] = service_transfers(data, size.seconds, hot=False)
        judge(python[False], tps, ratio=0.5)
        results.append(python[False])
    if "hot" in only:
        python[True] = service_transfers(data, size.seconds, hot=True)
        judge(python[True], tps, ratio=0.3)
        results.append(python[True])
    if "sql" in only:
        # Half the window each: two more pgbench runs must not take make bench past 10 minutes.
        results += pgbench_transfer_statements(data, max(2, size.seconds // 2), python)

    server = Gunicorn() if only & {"http", "batch", "reads"} else None
    try:
        if "http" in only:
            http, memory = http_transfers(data, size.seconds, server)
            judge(http, tps, ratio=0.3, p99=50)
            judge(memory, tps, under=200)
            results += [http, memory]
        if "batch" in only:
            batch = http_batches(data, size.seconds, server, size.batch_size)
            judge(batch, tps, ratio=3.0)
            results.append(batch)
        if "reads" in only:
            results += reads(data, server, size, tps, generate=not reuse)
    finally:
        if server:
            server.stop()

    if "interest" in only:
        accrual, posting = interest(size)
        # The target is for 1,000,000 accounts; a smaller run is judged by its rate.
        judge(accrual, tps, under=60 * size.interest_accounts / 1_000_000)
        results += [accrual, posting]

    check = ledger_check()
    log(f"ledger check: {check}")
    profiles = []
    if "profile" in only:
        profiles.append(("a service-layer transfer", profile_transfers(data)))
    if "reads" in only:
        _, number, owner = statement_data(data)
        profiles.append(("statement pages", profile_statement(number, data["tokens"][owner])))

    info["load average at end (1/5/15 min)"] = load_average()
    info["total run time"] = f"{time.perf_counter() - started:.0f} s"
    text = report(results, baseline, info, profiles, size_name, check, only=args.only)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text)
    print()
    print(text.split("## Profile")[0])
    log(f"report written to {args.report}; total {time.perf_counter() - started:.0f}s")
    return 1 if check.startswith("FAILED") else 0  # "FAILED: ... NOT consistent" also says "consistent"


if __name__ == "__main__":
    sys.exit(main())
