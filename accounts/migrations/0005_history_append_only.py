"""On PostgreSQL an account's change history and the closed-account archive are
append-only, like the audit trail (the trigger function comes from audit.0002)."""

from django.db import migrations

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


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_lifecycle"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(on_postgresql(FORWARD), on_postgresql(BACKWARD))]
