"""Transfer scores range-partitioned by month on PostgreSQL, like the ledger's entries and
the audit trail (bankingsystem.partitions.partition_by_month): one row per screened
transfer, read by sender and time (rescoring, features). SQLite keeps the plain table."""

from django.db import migrations

from bankingsystem.partitions import partition_by_month

TABLE = "risk_transferscore"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        partition_by_month(schema_editor, TABLE)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise NotImplementedError("Un-partitioning transfer scores is not supported; restore from a backup instead.")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("risk", "0002_initial")]
    operations = [migrations.RunPython(partition, unpartition)]
