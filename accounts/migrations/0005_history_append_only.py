"""On PostgreSQL an account's change history and the closed-account archive are
append-only, like the audit trail (the trigger function comes from audit.0002)."""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = """
CREATE TRIGGER accountchange_append_only
    BEFORE UPDATE OR DELETE ON accounts_accountchange
    FOR EACH ROW EXECUTE FUNCTION audit_append_only_trigger();
CREATE TRIGGER closedaccount_append_only
    BEFORE UPDATE OR DELETE ON accounts_closedaccount
    FOR EACH ROW EXECUTE FUNCTION audit_append_only_trigger();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS closedaccount_append_only ON accounts_closedaccount;
DROP TRIGGER IF EXISTS accountchange_append_only ON accounts_accountchange;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_lifecycle"), ("audit", "0002_append_only")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
