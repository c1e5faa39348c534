"""Ledger entries range-partitioned by month on PostgreSQL (SQLite keeps a plain table).

The table is rebuilt under the same name: `transactions_entry` becomes a partitioned
table whose primary key is (id, created_at) (PostgreSQL wants the partition key in every
unique index); `id` still comes from one sequence, so Django's `pk` stays unique and
keeps posting order per account. Rows, indexes (with their Django names) and the ledger
guards of 0002 are carried over: the deferred balanced-journal constraint trigger and the
append-only trigger are defined on the partitioned table, and PostgreSQL clones them onto
every partition, present and future. Partitions: every month that holds rows, this month
and MONTHS_AHEAD more (beat keeps creating them, bankingsystem.partitions), and a DEFAULT
partition so a late maintenance run can never make a posting fail.
"""

from datetime import UTC

from django.db import migrations, models
from django.utils import timezone

from bankingsystem.partitions import (
    MONTHS_AHEAD,
    create_default_partition_sql,
    create_partition_sql,
    month_start,
    months_later,
)

TABLE = "transactions_entry"

GUARDS = f"""
CREATE CONSTRAINT TRIGGER entry_journal_balanced
    AFTER INSERT ON {TABLE} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced_trigger();
CREATE TRIGGER entry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only_trigger();
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s", [TABLE, "%_pkey"]
        )
        index_definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT pg_get_serial_sequence('{TABLE}', 'id')")
        (old_sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"SELECT date_trunc('month', min(created_at) AT TIME ZONE 'UTC') FROM {TABLE}")
        (oldest,) = cursor.fetchone()

        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c') ORDER BY conname",
            [TABLE],
        )
        constraints = cursor.fetchall()

    schema_editor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_unpartitioned")
    schema_editor.execute(f"ALTER SEQUENCE {old_sequence} RENAME TO {TABLE}_unpartitioned_id_seq")
    schema_editor.execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {TABLE}_unpartitioned_pkey")
    schema_editor.execute(f"""
        CREATE TABLE {TABLE} (
            id bigint NOT NULL,
            amount numeric(18, 2) NOT NULL,
            balance_after numeric(18, 2) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            account_id bigint NOT NULL,
            journal_id bigint NOT NULL,
            CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, created_at)
        ) PARTITION BY RANGE (created_at)
    """)
    schema_editor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
    schema_editor.execute(f"SELECT setval('{TABLE}_id_seq', %s, %s)", [last_value, is_called])

    this_month = month_start(timezone.now().astimezone(UTC).date())
    month = oldest.date() if oldest else this_month
    while month <= months_later(this_month, MONTHS_AHEAD):
        schema_editor.execute(create_partition_sql(TABLE, month))
        month = months_later(month, 1)
    schema_editor.execute(create_default_partition_sql(TABLE))

    schema_editor.execute(
        f"INSERT INTO {TABLE} (id, amount, balance_after, created_at, account_id, journal_id) "
        f"SELECT id, amount, balance_after, created_at, account_id, journal_id FROM {TABLE}_unpartitioned"
    )
    # The old table's own guards go with it; its rows were checked when they were written.
    schema_editor.execute(f"DROP TABLE {TABLE}_unpartitioned")
    for definition in index_definitions:
        # CREATE INDEX on the parent creates the same index on every partition.
        schema_editor.execute(definition.replace(f"{TABLE}_unpartitioned", TABLE))
    # Constraints last: deferred foreign-key checks queued by the copy would block CREATE INDEX.
    for name, definition in constraints:  # foreign keys and checks, under Django's names
        schema_editor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    schema_editor.execute(GUARDS)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    raise NotImplementedError("Un-partitioning the ledger is not supported; restore from a backup instead.")


class Migration(migrations.Migration):
    # One transaction: a crash halfway leaves the old table as it was.
    atomic = True
    dependencies = [("transactions", "0002_ledger_triggers")]
    operations = [
        migrations.RunPython(partition, unpartition),
        # All legs of a journal carry the journal's one timestamp (services pass it), so a
        # journal never straddles two monthly partitions.
        migrations.AlterField(
            model_name="entry",
            name="created_at",
            field=models.DateTimeField(default=timezone.now),
        ),
        migrations.AlterField(
            model_name="journal",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=timezone.now),
        ),
    ]

