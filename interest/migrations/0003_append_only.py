"""On PostgreSQL, accruals and postings are append-only like the ledger they feed: the
database refuses UPDATE and DELETE (the trigger function comes from transactions.0002)."""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = """
CREATE TRIGGER interest_accrual_append_only
    BEFORE UPDATE OR DELETE ON interest_interestaccrual
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only_trigger();
CREATE TRIGGER interest_posting_append_only
    BEFORE UPDATE OR DELETE ON interest_interestposting
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only_trigger();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS interest_posting_append_only ON interest_interestposting;
DROP TRIGGER IF EXISTS interest_accrual_append_only ON interest_interestaccrual;
"""


class Migration(migrations.Migration):
    dependencies = [("interest", "0002_beat_schedule"), ("transactions", "0002_ledger_triggers")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
