"""On PostgreSQL the audit trail cannot be edited or deleted through SQL, whoever connects
as the application: UPDATE and DELETE of events are refused, and the chain head only ever
moves forward by one event. (A superuser can still disable triggers; then `audit_verify`
finds the damage.) The same append-only function guards other apps' history tables.
SQLite, the embedded default, relies on the services alone."""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = """
CREATE FUNCTION audit_append_only_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE FUNCTION audit_head_forward_only_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NEW.prev_hash <> OLD.last_hash THEN
        RAISE EXCEPTION 'the audit chain head only moves forward, one event at a time'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only_trigger();

CREATE TRIGGER audit_head_forward_only
    BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only_trigger();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_head_forward_only_trigger();
DROP FUNCTION IF EXISTS audit_append_only_trigger();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
