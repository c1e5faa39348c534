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

# Tables partitioned by month on `created_at` (each by its app's migration).
PARTITIONED_TABLES = ["transactions_entry", "audit_auditevent", "risk_transferscore"]
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
    name = partition_name(table, month)
    return (
        f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
        f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(months_later(month, 1))}');"
        + _statement_triggers_sql(table, name)
    )


def create_default_partition_sql(table: str) -> str:
    name = f"{table}_default"
    return f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" DEFAULT;' + _statement_triggers_sql(table, name)


def _statement_triggers_sql(table: str, partition: str) -> str:
    """DDL copying `table`'s statement-level triggers onto its `partition` (idempotent).

    PostgreSQL clones a partitioned table's row triggers onto every partition, but not its
    statement triggers, and those fire only for statements naming the table they are on: rows
    written straight into a partition would pass the parent's by (the ledger's commit-time
    check notes the journals it must prove with statement triggers, transactions.0008).
    """
    # Identifiers from PARTITIONED_TABLES and partition_name, never from a request.
    return f"""
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tgname, pg_get_triggerdef(oid, true) AS definition FROM pg_trigger
              WHERE tgrelid = '"{table}"'::regclass AND NOT tgisinternal AND tgtype & 1 = 0 LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = '"{partition}"'::regclass AND tgname = t.tgname) THEN
            EXECUTE replace(t.definition, ' ON ' || '"{table}"'::regclass::text || ' ',
                            ' ON ' || '"{partition}"'::regclass::text || ' ');
        END IF;
    END LOOP;
END $$"""  # noqa: S608


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


def partition_by_month(schema_editor, table: str, *, guards_sql: str = "") -> None:  # type: ignore[no-untyped-def]
    """Rebuild `table` under the same name as a table range-partitioned by month on
    `created_at` (PostgreSQL only; a migration calls it in one transaction).

    The rows, the id sequence's position, the indexes and the foreign-key and check
    constraints, under their Django names, are carried over. PostgreSQL wants the partition
    key in every unique index, so the primary key becomes (id, created_at) and each UNIQUE
    constraint gains `created_at`: ids still come from one sequence, and the owner of a
    column that must be unique on its own keeps it so (the audit chain's `seq` is handed
    out under the chain head's lock and checked gapless by `audit_verify`). Row triggers
    die with the old table: `guards_sql` recreates them on the parent, and PostgreSQL
    clones them onto every partition, present and future. Partitions: every month that
    holds rows, this month and MONTHS_AHEAD more, and the DEFAULT partition.
    """
    old = f"{table}_unpartitioned"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c', 'u') ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        constraint_names = {name for name, _, _ in constraints}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        index_definitions = [
            definition
            for name, definition in cursor.fetchall()
            if name != f"{table}_pkey" and name not in constraint_names  # constraints bring their own
        ]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (old_sequence,) = cursor.fetchone()
        # Identifiers below come from migrations and the catalog, never from a request.
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"SELECT date_trunc('month', min(created_at) AT TIME ZONE 'UTC') FROM \"{table}\"")  # noqa: S608
        (oldest,) = cursor.fetchone()

    schema_editor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    schema_editor.execute(f'ALTER SEQUENCE {old_sequence} RENAME TO "{old}_id_seq"')
    schema_editor.execute(f'ALTER INDEX "{table}_pkey" RENAME TO "{old}_pkey"')
    for name, _, _ in constraints:  # free the names for the new table
        schema_editor.execute(f'ALTER TABLE "{old}" RENAME CONSTRAINT "{name}" TO "{name}_old"')
    schema_editor.execute(f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS) PARTITION BY RANGE (created_at)')
    schema_editor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, created_at)')
    schema_editor.execute(f'CREATE SEQUENCE "{table}_id_seq" OWNED BY "{table}".id')
    schema_editor.execute(f"""ALTER TABLE "{table}" ALTER COLUMN id SET DEFAULT nextval('"{table}_id_seq"')""")
    schema_editor.execute(f"""SELECT setval('"{table}_id_seq"', %s, %s)""", [last_value, is_called])

    this_month = month_start(datetime.now(UTC).date())
    month = oldest.date() if oldest else this_month
    while month <= months_later(this_month, MONTHS_AHEAD):
        schema_editor.execute(create_partition_sql(table, month))
        month = months_later(month, 1)
    schema_editor.execute(create_default_partition_sql(table))

    schema_editor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')  # noqa: S608
    schema_editor.execute(f'DROP TABLE "{old}"')
    for definition in index_definitions:  # CREATE INDEX on the parent indexes every partition
        schema_editor.execute(definition)
    # Constraints last: deferred foreign-key checks queued by the copy would block CREATE INDEX.
    for name, kind, definition in constraints:
        if kind == "u":
            definition = definition.replace(")", ", created_at)", 1)
        schema_editor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    if guards_sql:
        schema_editor.execute(guards_sql)
