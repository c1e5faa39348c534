"""The ledger's commit-time check (0008's ledger_journals_assert_balanced) planned once per
session instead of at every COMMIT.

Sessions plan each execution for its own values (settings: plan_cache_mode=
force_custom_plan), and even where generic plans are allowed PostgreSQL kept planning this
query afresh, its generic plan looking dearer for an unknown number of journals. Planning
it reads every monthly partition of the entries: 0.77 ms per transfer (2.4 ms per batch of
1,000), more than running it (0.19 ms; 24 ms for 1,000 journals, generic or custom). Its
plan is index probes by journal id whatever the array holds (0007 looks each leg's currency
up by key so that a generic plan never hashes the accounts table), so it is fixed generic.
"""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = "ALTER FUNCTION ledger_journals_assert_balanced(bigint[]) SET plan_cache_mode = force_generic_plan"
BACKWARD = "ALTER FUNCTION ledger_journals_assert_balanced(bigint[]) RESET plan_cache_mode"


class Migration(migrations.Migration):
    dependencies = [("transactions", "0009_fewer_ledger_indexes")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
