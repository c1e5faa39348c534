"""Audit events range-partitioned by month on PostgreSQL, like the ledger's entries
(bankingsystem.partitions.partition_by_month): the trail grows with every state change in
the bank, and its queries (an object's history, an actor's recent actions, a month for the
auditors) touch one month's partition. `seq` stays unique through the chain head's lock and
`audit_verify`; the append-only guard of 0002 is recreated on the partitioned table and
cloned onto each partition. SQLite keeps the plain table."""

from django.db import migrations

from bankingsystem.partitions import partition_by_month

TABLE = "audit_auditevent"

GUARDS = f"""
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_append_only_trigger();
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        partition_by_month(schema_editor, TABLE, guards_sql=GUARDS)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise NotImplementedError("Un-partitioning the audit trail is not supported; restore from a backup instead.")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(partition, unpartition)]
