"""The entries' references to their journal and account proven by the ledger's commit-time
check instead of two foreign keys (issue 11).

PostgreSQL checks a foreign key one row at a time: for a batch of 1,000 transfers, 4,000 of
the ~5,000 look-ups its COMMIT ran (each a query through SPI and a row lock, 1,000 of them
WAL-logged locks on the journals the batch had just written), while the batch's accounts
stayed locked. The set-based check of 0008 already reads every entry of every journal a
transaction touched, by journal, and each leg's account by key; it now also refuses, with
foreign_key_violation (23503) as the keys did, an entry whose journal or account does not
exist.

What the keys refused on the other side, and what refuses it now:
- deleting or updating a journal: append-only already (0002);
- deleting or renumbering an account: a row trigger refuses it, entries or not. A bank
  closes accounts and keeps them (the admin never offered a delete, every reference to an
  account is PROTECT); refusing only accounts with entries would race, since a DELETE
  cannot see another transaction's uncommitted entries, and closing that race the keys' way
  would lock every leg's account again at COMMIT (measured: 5-8% of a batch);
- TRUNCATE of the journals or the accounts while entries remain: a statement trigger after
  TRUNCATE (after, so that one TRUNCATE of every table, as a test database's flush or the
  replica's setup runs, goes through).

Unapplied, the keys come back (validated against every entry) and the triggers go; the
check keeps its stricter form, which holds wherever the keys hold. On SQLite (`make run`)
nothing changes in the database: see the operations.
"""

import django.db.models.deletion
from django.db import migrations, models

from bankingsystem.migration_sql import run_sql_on_postgresql

# Django's names for the two keys (0003 re-created them under these names on the partitioned
# table; dropping them on the parent drops them on every partition).
KEYS = {
    "transactions_entry_journal_id_f10a8a23_fk_transacti": "(journal_id) REFERENCES transactions_journal (id)",
    "transactions_entry_account_id_4cb8fa4e_fk_accounts_account_id": "(account_id) REFERENCES accounts_account (id)",
}

FORWARD = (
    "".join(f"ALTER TABLE transactions_entry DROP CONSTRAINT {name};\n" for name in KEYS)
    + """
CREATE OR REPLACE FUNCTION ledger_journals_assert_balanced(p_journal_ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    bad record;
BEGIN
    SELECT t.journal_id,
           j.id IS NULL AS no_journal,
           coalesce(bool_or(p.n IS NOT NULL AND p.currency IS NULL), false) AS no_account,
           coalesce(sum(p.n), 0)::integer AS legs,
           (array_agg(p.currency ORDER BY p.currency) FILTER (WHERE p.total <> 0))[1] AS off_currency,
           (array_agg(p.total ORDER BY p.currency) FILTER (WHERE p.total <> 0))[1] AS off_total
      INTO bad
      FROM (SELECT DISTINCT unnest(p_journal_ids) AS journal_id) t
      LEFT JOIN transactions_journal j ON j.id = t.journal_id
      LEFT JOIN (SELECT legs.journal_id, legs.currency, count(*) AS n, sum(legs.amount) AS total
                   FROM (SELECT e.journal_id, e.amount,
                                -- By primary key per leg (see 0007: as a join, a generic plan
                                -- hashed the whole accounts table); NULL where there is none.
                                (SELECT a.currency FROM accounts_account a WHERE a.id = e.account_id) AS currency
                           FROM transactions_entry e
                          WHERE e.journal_id = ANY (p_journal_ids)) legs
                  GROUP BY legs.journal_id, legs.currency) p ON p.journal_id = t.journal_id
     GROUP BY t.journal_id, j.id
    HAVING j.id IS NULL OR coalesce(sum(p.n), 0) < 2 OR bool_or(p.total <> 0)
        OR bool_or(p.n IS NOT NULL AND p.currency IS NULL)
     ORDER BY t.journal_id
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF bad.no_journal THEN
        RAISE EXCEPTION 'journal % does not exist: entries name it', bad.journal_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF bad.no_account THEN
        RAISE EXCEPTION 'journal % has an entry on an account that does not exist', bad.journal_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF bad.legs < 2 THEN
        RAISE EXCEPTION 'journal % has % entries; a journal needs at least two', bad.journal_id, bad.legs
            USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'journal % does not balance: % % left over', bad.journal_id, bad.off_total, bad.off_currency
        USING ERRCODE = 'check_violation';
END $$;

CREATE FUNCTION accounts_never_deleted_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'account % is closed, never deleted or renumbered: ledger entries may name it', OLD.id
        USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER account_never_deleted
    BEFORE DELETE OR UPDATE OF id ON accounts_account
    FOR EACH ROW EXECUTE FUNCTION accounts_never_deleted_trigger();

CREATE FUNCTION ledger_truncate_keeps_entries_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM transactions_entry) THEN
        RAISE EXCEPTION '% cannot be emptied while ledger entries name its rows', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_truncate_keeps_entries
    AFTER TRUNCATE ON transactions_journal
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncate_keeps_entries_trigger();
CREATE TRIGGER account_truncate_keeps_entries
    AFTER TRUNCATE ON accounts_account
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncate_keeps_entries_trigger();
"""
)

BACKWARD = """
DROP TRIGGER account_truncate_keeps_entries ON accounts_account;
DROP TRIGGER journal_truncate_keeps_entries ON transactions_journal;
DROP FUNCTION ledger_truncate_keeps_entries_trigger();
DROP TRIGGER account_never_deleted ON accounts_account;
DROP FUNCTION accounts_never_deleted_trigger();
""" + "".join(
    f"ALTER TABLE transactions_entry ADD CONSTRAINT {name} FOREIGN KEY {key} DEFERRABLE INITIALLY DEFERRED;\n"
    for name, key in KEYS.items()
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_account_fillfactor"),
        ("transactions", "0010_ledger_check_generic_plan"),
    ]

    # The models lose the keys in the state; the database only on PostgreSQL. SQLite (`make
    # run`) keeps them: it changes a key by rebuilding the table, which its views over the
    # entries do not survive, and its books are small.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="account",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="accounts.account",
                    ),
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="journal",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="transactions.journal",
                    ),
                ),
            ],
            database_operations=[run_sql_on_postgresql(FORWARD, BACKWARD)],
        )
    ]
