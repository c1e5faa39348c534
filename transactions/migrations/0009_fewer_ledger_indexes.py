"""Two indexes of the ledger that only doubled others, dropped: every index of these tables
is written by every posting, and on a busy day most of those writes land on a page not yet
touched since the last checkpoint, so each costs a full-page image in the WAL.

- The entries' own `account_id` index: entry_account_id_idx (account_id, id DESC) and
  entry_account_created_idx (account_id, created_at) both lead with the column.
- The journals' `reference` LIKE index (varchar_pattern_ops), which Django adds beside
  every unique CharField: references are looked up by equality (the unique index) or
  case-insensitively (`iexact`, which neither index serves), never by prefix.

Measured on the bench database: 300 transfers after a CHECKPOINT wrote 24.5 kB of WAL for
journals and entries with the two indexes, 16.8 kB without (docs/performance.md).
"""

import django.db.models.deletion
from django.db import migrations, models

ENTRY_ACCOUNT_INDEX = "transactions_entry_account_id_4cb8fa4e"
REFERENCE_LIKE_INDEX = "transactions_journal_reference_bf9e4c09_like"


class EntryAccountWithoutIndex(migrations.AlterField):
    """Only the indexes go, by name. Django's AlterField would also drop and re-add the
    foreign key on PostgreSQL, which re-validates every entry of every partition, and would
    rebuild the table on SQLite, which the auditors' view over it (risk) refuses."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{ENTRY_ACCOUNT_INDEX}"')
        schema_editor.execute(f'DROP INDEX IF EXISTS "{REFERENCE_LIKE_INDEX}"')  # PostgreSQL's only

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f'CREATE INDEX "{ENTRY_ACCOUNT_INDEX}" ON transactions_entry (account_id)')
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX "{REFERENCE_LIKE_INDEX}" ON transactions_journal (reference varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_daily_debit_total"),
        ("transactions", "0008_set_based_ledger_check"),
    ]

    operations = [
        EntryAccountWithoutIndex(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="accounts.account",
            ),
        ),
    ]
