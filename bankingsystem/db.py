"""Database helpers shared by the services: row locks in key order, and retries.

Writers lock every row they will change in ascending primary-key order (one query), so
two transfers between the same accounts in opposite directions queue instead of
deadlocking. Should PostgreSQL still abort a transaction as a deadlock victim or a
serialization failure, the whole unit of work is run again from the start; clients never
see it.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, connections, models
from psycopg import postgres, pq

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)

# psycopg's text loader for timestamptz, its C version where psycopg[binary] is installed.
_TIMESTAMPTZ_LOADER = postgres.adapters.get_loader(postgres.types["timestamptz"].oid, pq.Format.TEXT)
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 5


def lock_rows(queryset: models.QuerySet[M], pks: Iterable[int]) -> dict[int, M]:
    """Lock the rows with these keys, always in ascending key order; returns them by key."""
    rows = queryset.select_for_update(of=("self",)).filter(pk__in=set(pks)).order_by("pk")
    return {row.pk: row for row in rows}


def is_retryable(error: BaseException) -> bool:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_on_conflict(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` (which opens its own transaction) again when PostgreSQL aborts it as a
    deadlock victim or serialization failure.

    Inside an outer transaction a retry is impossible (the outer transaction is already
    aborted), so there the error propagates to whoever owns the outermost transaction,
    which is itself wrapped with this decorator.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as error:
                if attempt == MAX_ATTEMPTS or not is_retryable(error):
                    raise
                logger.warning("retrying %s after %s (attempt %d)", func.__qualname__, error, attempt)
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    return wrapper


# Lets PostgreSQL reuse generic plans for the rest of the current transaction (see
# generic_plans_allow); also folded into the statements that lock a posting's accounts
# (transactions.services) and claim an Idempotency-Key (transactions.idempotency).
GENERIC_PLANS_ALLOW_SQL = "set_config('plan_cache_mode', 'auto', true)"


def generic_plans_allow() -> None:
    """Let PostgreSQL reuse a generic plan for the prepared statements of the rest of the
    current transaction, its COMMIT included.

    Sessions plan every execution for its own values (settings: plan_cache_mode=
    force_custom_plan), because a generic plan of a read over skewed data (the statement
    CSV's keyset chunk) was 30 times slower. A posting's statements find rows by key, where
    the generic plan is the custom one: the one-statement transfer took 0.75 ms to plan and
    0.67 ms to run. So do the foreign keys' checks PostgreSQL runs at COMMIT, one per row
    written, each planned afresh under custom plans: half of a 1,000-transfer batch's
    database CPU (193 -> 112 ms per batch with them reused). What follows a posting in a
    transaction is writes by key (the idempotency record, the fraud score, the receipt) and
    the COMMIT, so the setting lasts to the end of the outermost transaction; the session's
    own setting is back for the next one. Should a savepoint around the call roll back, the
    setting goes back with it. No-op but on PostgreSQL, and where a statement of the same
    transaction has already set it (generic_plans_noted): an HTTP transfer's idempotency
    claim does, and this saved a round trip on each."""
    if connection.vendor != "postgresql" or _generic_plans_on():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {GENERIC_PLANS_ALLOW_SQL}")
    generic_plans_noted()


def _generic_plans_mark() -> None:
    """Does nothing at COMMIT: its presence among the transaction's on-commit hooks is the note."""


def generic_plans_noted() -> None:
    """Note that a statement of the current transaction has run GENERIC_PLANS_ALLOW_SQL, so
    that generic_plans_allow need not run it again. The note is a hook among the
    transaction's on-commit hooks, which Django keeps exactly as long as PostgreSQL keeps a
    transaction-local setting: to the end of the transaction, and dropped with a savepoint
    that rolls back. Outside a transaction (autocommit) nothing is noted: the setting ended
    with its statement."""
    if connection.in_atomic_block:
        connection.on_commit(_generic_plans_mark)


def _generic_plans_on() -> bool:
    return connection.in_atomic_block and any(hook[1] is _generic_plans_mark for hook in connection.run_on_commit)


def rows_fast(queryset: models.QuerySet) -> list[tuple]:
    """The rows of a `values_list` queryset, with its timestamps read by psycopg's own
    loader (C) instead of Django's, a Python subclass of psycopg's Python one: 0.16 against
    0.89 s to fetch 200,000 rows of (timestamp, id); half of the statement CSV's CPU went to
    reading its timestamps. Both give the same instant in the session's zone (UTC), which
    Django sets on every connection. For fields Django converts nothing for on PostgreSQL
    (timestamps, numbers, text); elsewhere, the queryset as it is."""
    db = connections[queryset.db]
    if db.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with db.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)
        cursor.execute(sql, params)
        return cursor.fetchall()


def advisory_lock(name: str) -> None:
    """Serialize transactions that share `name` until the current transaction ends.

    On PostgreSQL a transaction-scoped advisory lock; SQLite runs one writer at a time
    anyway (BEGIN IMMEDIATE), so there it is a no-op. Call inside transaction.atomic.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])
