"""PostgreSQL guards of the ledger invariants, beneath the service layer:

- a journal whose entries do not sum to zero per currency, or that has fewer than two
  entries, cannot commit (deferred constraint triggers: checked at COMMIT, after every
  entry of the journal is written);
- entries and journals are append-only: UPDATE and DELETE are refused.

The overdraft CHECK lives on the accounts table (accounts.0001). SQLite, the embedded
default, relies on the service layer alone.
"""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = """
CREATE FUNCTION ledger_journal_assert_balanced(p_journal_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    legs integer;
    unbalanced record;
BEGIN
    SELECT count(*) INTO legs FROM transactions_entry WHERE journal_id = p_journal_id;
    IF legs < 2 THEN
        RAISE EXCEPTION 'journal % has % entries; a journal needs at least two', p_journal_id, legs
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT a.currency, sum(e.amount) AS total INTO unbalanced
      FROM transactions_entry e JOIN accounts_account a ON a.id = e.account_id
     WHERE e.journal_id = p_journal_id
     GROUP BY a.currency HAVING sum(e.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal % does not balance: % % left over', p_journal_id, unbalanced.total, unbalanced.currency
            USING ERRCODE = 'check_violation';
    END IF;
END $$;

CREATE FUNCTION ledger_entry_balanced_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_journal_assert_balanced(NEW.journal_id);
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_journal_balanced_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_journal_assert_balanced(NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_append_only_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: post a reversing journal instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE CONSTRAINT TRIGGER entry_journal_balanced
    AFTER INSERT ON transactions_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced_trigger();

CREATE CONSTRAINT TRIGGER journal_has_balanced_entries
    AFTER INSERT ON transactions_journal DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_balanced_trigger();

CREATE TRIGGER entry_append_only
    BEFORE UPDATE OR DELETE ON transactions_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only_trigger();

CREATE TRIGGER journal_append_only
    BEFORE UPDATE OR DELETE ON transactions_journal
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only_trigger();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS journal_append_only ON transactions_journal;
DROP TRIGGER IF EXISTS entry_append_only ON transactions_entry;
DROP TRIGGER IF EXISTS journal_has_balanced_entries ON transactions_journal;
DROP TRIGGER IF EXISTS entry_journal_balanced ON transactions_entry;
DROP FUNCTION IF EXISTS ledger_append_only_trigger();
DROP FUNCTION IF EXISTS ledger_journal_balanced_trigger();
DROP FUNCTION IF EXISTS ledger_entry_balanced_trigger();
DROP FUNCTION IF EXISTS ledger_journal_assert_balanced(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("transactions", "0001_initial"), ("accounts", "0001_initial")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
