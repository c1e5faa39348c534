"""The ledger's commit-time guard, set-based (issue 11): one check per transaction instead of
one PL/pgSQL call per journal row and per entry row.

The refusals are those of 0002/0007, with the same SQLSTATE (check_violation) and messages:
at COMMIT (or SET CONSTRAINTS ... IMMEDIATE), every journal written in the transaction, and
every journal that got an entry in it (an entry added later to a committed journal too),
must have at least two entries and sum to zero per currency, counting all its entries
however many statements wrote them.

How, without a deferred trigger per row:
- statement-level AFTER INSERT triggers on transactions_journal and transactions_entry read
  the statement's new rows from their transition tables and add their journal ids to a
  transaction-local setting (`ledger.unproven_journals`; undone with a rolled-back savepoint
  like the rows themselves), and make sure the transaction has a row in
  transactions_ledgerproof;
- that row's deferred constraint trigger runs once, at COMMIT: it proves every noted journal
  in one query (legs and per-currency totals of all of them at once), then deletes the row
  and clears the setting. A statement writing after a SET CONSTRAINTS ... IMMEDIATE notes a
  new row, so it is checked again at COMMIT.

PostgreSQL fires statement triggers only for the table a statement names (rows routed to a
partition fire the parent's, rows written straight into a partition fire the partition's),
and clones row triggers onto partitions but not statement triggers: every partition of the
entries gets the entry trigger here, and bankingsystem.partitions copies it onto the
partitions made later. For a batch of 1,000 transfers the checks at COMMIT took 78-88 ms
(3,000 trigger calls); see docs/performance.md for the figures after.
"""

from django.db import migrations

from bankingsystem.migration_sql import run_sql_on_postgresql

FORWARD = """
CREATE TABLE transactions_ledgerproof (
    txid xid8 PRIMARY KEY DEFAULT pg_current_xact_id()
);
COMMENT ON TABLE transactions_ledgerproof IS
    'One row per open transaction that wrote journals or entries, until its ledger check runs at COMMIT (transactions.0008).';

CREATE FUNCTION ledger_journals_assert_balanced(p_journal_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT t.journal_id,
           coalesce(sum(p.n), 0)::integer AS legs,
           (array_agg(p.currency ORDER BY p.currency) FILTER (WHERE p.total <> 0))[1] AS off_currency,
           (array_agg(p.total ORDER BY p.currency) FILTER (WHERE p.total <> 0))[1] AS off_total
      INTO bad
      FROM (SELECT DISTINCT unnest(p_journal_ids) AS journal_id) t
      LEFT JOIN (SELECT legs.journal_id, legs.currency, count(*) AS n, sum(legs.amount) AS total
                   FROM (SELECT e.journal_id, e.amount,
                                -- By primary key per leg (see 0007: as a join, a generic plan
                                -- hashed the whole accounts table).
                                (SELECT a.currency FROM accounts_account a WHERE a.id = e.account_id) AS currency
                           FROM transactions_entry e
                          WHERE e.journal_id = ANY (p_journal_ids)) legs
                  GROUP BY legs.journal_id, legs.currency) p ON p.journal_id = t.journal_id
     GROUP BY t.journal_id
    HAVING coalesce(sum(p.n), 0) < 2 OR bool_or(p.total <> 0)
     ORDER BY t.journal_id
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF bad.legs < 2 THEN
        RAISE EXCEPTION 'journal % has % entries; a journal needs at least two', bad.journal_id, bad.legs
            USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'journal % does not balance: % % left over', bad.journal_id, bad.off_total, bad.off_currency
        USING ERRCODE = 'check_violation';
END $$;

CREATE FUNCTION ledger_journals_note(p_journal_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(p_journal_ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM set_config(
        'ledger.unproven_journals',
        coalesce(current_setting('ledger.unproven_journals', true), '') || array_to_string(p_journal_ids, ',') || ',',
        true);
    INSERT INTO transactions_ledgerproof DEFAULT VALUES ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION ledger_entries_noted_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_journals_note(ARRAY(SELECT DISTINCT journal_id FROM new_entries));
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_journals_noted_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_journals_note(ARRAY(SELECT id FROM new_journals));
    RETURN NULL;
END $$;

CREATE FUNCTION ledger_proof_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('ledger.unproven_journals', true), '');
BEGIN
    DELETE FROM transactions_ledgerproof WHERE txid = NEW.txid;
    PERFORM set_config('ledger.unproven_journals', '', true);
    IF noted <> '' THEN
        PERFORM ledger_journals_assert_balanced(string_to_array(rtrim(noted, ','), ',')::bigint[]);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_proof_at_commit
    AFTER INSERT ON transactions_ledgerproof DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_proof_trigger();

CREATE TRIGGER journal_noted
    AFTER INSERT ON transactions_journal REFERENCING NEW TABLE AS new_journals
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journals_noted_trigger();

CREATE TRIGGER entry_noted
    AFTER INSERT ON transactions_entry REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_noted_trigger();

DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'transactions_entry'::regclass LOOP
        EXECUTE format('CREATE TRIGGER entry_noted AFTER INSERT ON %s REFERENCING NEW TABLE AS new_entries '
                       'FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_noted_trigger()', part);
    END LOOP;
END $$;

DROP TRIGGER entry_journal_balanced ON transactions_entry;
DROP TRIGGER journal_has_balanced_entries ON transactions_journal;
"""

BACKWARD = """
CREATE CONSTRAINT TRIGGER entry_journal_balanced
    AFTER INSERT ON transactions_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced_trigger();
CREATE CONSTRAINT TRIGGER journal_has_balanced_entries
    AFTER INSERT ON transactions_journal DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_balanced_trigger();

DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'entry_noted' LOOP
        EXECUTE format('DROP TRIGGER entry_noted ON %s', part);
    END LOOP;
END $$;
DROP TRIGGER journal_noted ON transactions_journal;
DROP TABLE transactions_ledgerproof;
DROP FUNCTION ledger_proof_trigger();
DROP FUNCTION ledger_journals_noted_trigger();
DROP FUNCTION ledger_entries_noted_trigger();
DROP FUNCTION ledger_journals_note(bigint[]);
DROP FUNCTION ledger_journals_assert_balanced(bigint[]);
"""


class Migration(migrations.Migration):
    dependencies = [("transactions", "0007_cheaper_balance_checks")]
    operations = [run_sql_on_postgresql(FORWARD, BACKWARD)]
