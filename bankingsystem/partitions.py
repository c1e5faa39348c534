"""Monthly range partitions of PostgreSQL's large time-series tables.

A partitioned table (say `transactions_entry`, see transactions.0003) is split by its
`created_at` into one partition a month, named `<table>_y2026m11`, with bounds on UTC
month starts, plus a DEFAULT partition that catches rows no monthly partition covers, so a
write never fails because maintenance is late. Beat runs `partitions_ensure` daily so the
partitions of the next few months exist before any row needs them; an old month can be
detached (it becomes a plain table, to dump and drop) by the owning app's service, which
knows what must be kept of it (see transactions.services.entry_partition_archive).

SQLite, the embedded default, keeps plain tables: every function here is a no-op there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction

# Tables partitioned by month on `created_at`; apps append theirs in their migration's table list.
PARTITIONED_TABLES = ["transactions_entry"]
MONTHS_AHEAD = 3
_NAME = re.compile(r"^(?P<table>.+)_y(?P<year>\d{4})m(?P<month>\d{2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_later(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def _bound(month: date) -> str:
    return datetime(month.year, month.month, 1, tzinfo=UTC).isoformat()


def create_partition_sql(table: str, month: date) -> str:
    """DDL for the partition of `month` (idempotent); migrations use it too."""
    return (
        f'CREATE TABLE IF NOT EXISTS "{partition_name(table, month)}" PARTITION OF "{table}" '
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(months_later(month, 1))}')"
    )


def create_default_partition_sql(table: str) -> str:
    return f'CREATE TABLE IF NOT EXISTS "{table}_default" PARTITION OF "{table}" DEFAULT'


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None for the DEFAULT partition


def partitions_list(table: str) -> list[Partition]:
    """The partitions attached to `table`, monthly ones oldest first, then the default."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    monthly, default = [], []
    for name in names:
        match = _NAME.match(name)
        if match and match["table"] == table:
            monthly.append(Partition(name, date(int(match["year"]), int(match["month"]), 1)))
        else:
            default.append(Partition(name, None))
    return sorted(monthly, key=lambda p: p.month) + default  # type: ignore[arg-type, return-value]


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid WHERE relname = %s", [table]
        )
        return cursor.fetchone() is not None


def partitions_ensure(*, today: date | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month and the next `months_ahead` for every
    partitioned table; returns the names created. Idempotent (run by beat daily).

    A month whose rows already sit in the DEFAULT partition (maintenance was off for
    months) cannot get its partition until those rows move; that is refused loudly rather
    than done silently, as moving ledger rows is a decision for a person.
    """
    created: list[str] = []
    if connection.vendor != "postgresql":
        return created
    first = month_start(today or datetime.now(UTC).date())
    for table in PARTITIONED_TABLES:
        if not is_partitioned(table):
            continue
        existing = {p.name for p in partitions_list(table)}
        for offset in range(months_ahead + 1):
            month = months_later(first, offset)
            name = partition_name(table, month)
            if name in existing:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(create_partition_sql(table, month))
            created.append(name)
    return created
