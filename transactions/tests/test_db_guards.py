"""The database itself refuses what would break the ledger, beneath the service layer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.partitions import partition_name
from transactions.models import Entry, Journal
from transactions.selectors import ledger_integrity_report

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL guards")


def commit_checks() -> None:
    """Fire the deferred constraint triggers now, as COMMIT would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def journal_with(legs: list[tuple[Account, str]]) -> Journal:
    journal = Journal.objects.create(kind="deposit", reference=f"TEST{Journal.objects.count()}")
    for account, amount in legs:
        Entry.objects.create(journal=journal, account=account, amount=Decimal(amount), balance_after=Decimal(0))
    return journal


def test_unbalanced_journal_cannot_commit(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        journal_with([(account, "100.00"), (vault, "-99.99")])
        commit_checks()


def test_journal_with_one_entry_cannot_commit(account):
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        journal_with([(account, "100.00")])
        commit_checks()


def test_journal_without_entries_cannot_commit(db):
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        Journal.objects.create(kind="deposit", reference="EMPTY")
        commit_checks()


def refusal_of(error: pytest.ExceptionInfo) -> str:
    """The SQLSTATE of a refused COMMIT (or SET CONSTRAINTS ... IMMEDIATE)."""
    return error.value.__cause__.sqlstate  # type: ignore[union-attr]


def test_balanced_journal_commits(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with transaction.atomic():
        journal_with([(account, "100.00"), (vault, "-100.00")])
        commit_checks()


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_entries_are_append_only(account, operation):
    entry = account.entries.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        if operation == "update":
            Entry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
        else:
            Entry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("1000.00")


def test_journals_are_append_only(account):
    journal = account.entries.get().journal
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Journal.objects.filter(pk=journal.pk).update(description="rewritten", created_at=timezone.now())


def test_balance_below_overdraft_is_refused_by_check_constraint(account):
    with pytest.raises(IntegrityError, match="account_balance_within_overdraft"), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=Decimal("-0.01"))


def test_gl_accounts_may_go_negative(db):
    # The cash vault is negative whenever the bank holds cash: credit-normal balances.
    Account.objects.filter(gl_code="cash_vault").update(balance=Decimal("-1000000.00"))


# --- The commit-time check proves every journal a transaction touched, in one query
# (transactions.0008): what the per-row triggers of 0002/0007 refused, it refuses.


def test_legs_written_in_separate_statements_are_proven_together(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with transaction.atomic():
        journal = journal_with([(account, "100.00"), (vault, "-60.00"), (vault, "-40.00")])
        commit_checks()
    assert journal.entries.count() == 3


def test_a_journal_balanced_overall_but_not_per_currency_is_refused(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    usd_vault = gl_account_get_or_create(code="cash_vault", currency="USD")
    # Nothing left over in all, but 1.00 INR and -1.00 USD.
    with pytest.raises(IntegrityError, match=r"does not balance: 1.00 INR left over") as error, transaction.atomic():
        journal_with([(account, "2.00"), (vault, "-1.00"), (usd_vault, "-1.00")])
        commit_checks()
    assert refusal_of(error) == "23514"  # check_violation, as before


def test_one_bad_journal_among_many_in_one_statement_is_named(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with pytest.raises(IntegrityError, match=r"does not balance: 0.01 INR left over") as error, transaction.atomic():
        journals = Journal.objects.bulk_create(Journal(kind="deposit", reference=f"MANY{i}") for i in range(50))
        entries = []
        for journal in journals:
            cents = "-1.99" if journal is journals[17] else "-2.00"
            entries += [
                Entry(journal=journal, account=account, amount=Decimal("2.00"), balance_after=Decimal(0)),
                Entry(journal=journal, account=vault, amount=Decimal(cents), balance_after=Decimal(0)),
            ]
        Entry.objects.bulk_create(entries)
        commit_checks()
    assert f"journal {journals[17].pk} does not" in str(error.value)
    assert refusal_of(error) == "23514"


def test_a_journal_with_one_entry_among_many_is_named(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with (
        pytest.raises(IntegrityError, match=r"has 1 entries; a journal needs at least two") as error,
        transaction.atomic(),
    ):
        good = journal_with([(account, "3.00"), (vault, "-3.00")])
        lonely = journal_with([(account, "3.00")])
        journal_with([(account, "3.00"), (vault, "-3.00")])
        Entry.objects.create(journal=good, account=vault, amount=Decimal("1.00"), balance_after=Decimal(0))
        Entry.objects.create(journal=good, account=account, amount=Decimal("-1.00"), balance_after=Decimal(0))
        commit_checks()
    assert f"journal {lonely.pk} has" in str(error.value)


def test_statements_after_an_early_check_are_checked_again(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        journal = journal_with([(account, "5.00"), (vault, "-5.00")])
        commit_checks()  # proven: nothing left to check
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        Entry.objects.create(journal=journal, account=account, amount=Decimal("0.01"), balance_after=Decimal(0))
        commit_checks()


def test_a_rolled_back_savepoint_leaves_nothing_to_prove(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            journal_with([(account, "9.00")])  # would be refused, but is rolled back with the savepoint
            raise RuntimeError
        journal_with([(account, "9.00"), (vault, "-9.00")])
        commit_checks()


def test_rows_written_straight_into_a_partition_are_checked(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        journal = Journal.objects.create(kind="deposit", reference="DIRECT")
        partition = partition_name("transactions_entry", journal.created_at.date().replace(day=1))
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{partition}" (journal_id, account_id, amount, balance_after, created_at) '
                "VALUES (%s, %s, 7.00, 0, %s), (%s, %s, -6.00, 0, %s)",
                [journal.pk, account.pk, journal.created_at, journal.pk, vault.pk, journal.created_at],
            )
        commit_checks()


@pytest.mark.django_db(transaction=True)
def test_the_check_runs_at_a_real_commit_and_refuses_a_late_entry(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        journal_with([(account, "4.00"), (vault, "-3.00")])  # the COMMIT of this block refuses it
    assert not Journal.objects.filter(kind="deposit", reference__startswith="TEST").exists()
    with transaction.atomic():
        committed = journal_with([(account, "4.00"), (vault, "-4.00")])
    with (
        pytest.raises(IntegrityError, match=rf"journal {committed.pk} does not balance: 1.00 INR left over"),
        transaction.atomic(),
    ):
        Entry.objects.create(journal=committed, account=account, amount=Decimal("1.00"), balance_after=Decimal(0))
    assert committed.entries.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM transactions_ledgerproof")
        assert cursor.fetchone()[0] == 0  # each transaction's row goes with its check


# --- The entries' journal and account, proven by the same check (transactions.0011) where
# two foreign keys checked them one row at a time.


def test_an_entry_naming_no_journal_is_refused(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    missing = Journal.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(IntegrityError, match=rf"journal {missing} does not exist") as error, transaction.atomic():
        for leg, amount in ((account, "1.00"), (vault, "-1.00")):
            Entry.objects.create(journal_id=missing, account=leg, amount=Decimal(amount), balance_after=Decimal(0))
        commit_checks()
    assert refusal_of(error) == "23503"  # foreign_key_violation, as the key refused it
    assert not Entry.objects.filter(journal_id=missing).exists()


def test_an_entry_on_an_account_that_does_not_exist_is_refused(account):
    missing = Account.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with (
        pytest.raises(IntegrityError, match=r"has an entry on an account that does not exist") as error,
        transaction.atomic(),
    ):
        journal = Journal.objects.create(kind="deposit", reference="NO-ACCOUNT")
        Entry.objects.create(journal=journal, account=account, amount=Decimal("2.00"), balance_after=Decimal(0))
        Entry.objects.create(journal=journal, account_id=missing, amount=Decimal("-2.00"), balance_after=Decimal(0))
        commit_checks()
    assert f"journal {journal.pk} has" in str(error.value)
    assert refusal_of(error) == "23503"


def test_the_integrity_report_names_entries_whose_journal_or_account_does_not_exist(account):
    """What the commit-time check refuses, the whole-ledger report finds if it is ever there
    (a restore, a replica's apply, triggers switched off): written here without COMMIT."""
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    assert ledger_integrity_report().orphan_entries == []
    no_journal = Journal.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    no_account = Account.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    # Written and taken back inside the test: at its end Django fires the deferred checks.
    with transaction.atomic():
        # A balanced pair on a journal that is not there: no other finding would show it.
        lost = [
            Entry.objects.create(journal_id=no_journal, account=leg, amount=Decimal(amount), balance_after=Decimal(0))
            for leg, amount in ((account, "5.00"), (vault, "-5.00"))
        ]
        journal = Journal.objects.create(kind="deposit", reference="NO-ACCOUNT")
        Entry.objects.create(journal=journal, account=account, amount=Decimal("2.00"), balance_after=Decimal(0))
        stray = Entry.objects.create(
            journal=journal, account_id=no_account, amount=Decimal(-2), balance_after=Decimal(0)
        )
        neither = Entry.objects.create(journal_id=no_journal + 1, account_id=no_account, amount=1, balance_after=1)

        report = ledger_integrity_report()
        transaction.set_rollback(True)

    assert report.orphan_entries == [
        {"entry": lost[0].pk, "journal": no_journal, "account": account.pk, "missing": ["journal"]},
        {"entry": lost[1].pk, "journal": no_journal, "account": vault.pk, "missing": ["journal"]},
        {"entry": stray.pk, "journal": journal.pk, "account": no_account, "missing": ["account"]},
        {"entry": neither.pk, "journal": no_journal + 1, "account": no_account, "missing": ["journal", "account"]},
    ]
    assert not report.ok
    assert report.findings()["orphan_entries"] == report.orphan_entries


@pytest.mark.parametrize(
    "change", ["DELETE FROM accounts_account", "UPDATE accounts_account SET id = id + 100000, balance = balance"]
)
def test_an_account_is_closed_never_deleted_or_renumbered(account, change):
    """With entries or without (a DELETE cannot see another transaction's uncommitted
    entries, so refusing only accounts with entries would race)."""
    unused = gl_account_get_or_create(code="suspense", currency="EUR")
    for target in (account, unused):
        with (
            pytest.raises(IntegrityError, match=f"account {target.pk} is closed, never deleted") as error,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"{change} WHERE id = %s", [target.pk])
        assert refusal_of(error) == "23001"  # restrict_violation, as the append-only rows
        assert Account.objects.filter(pk=target.pk).exists()
    Account.objects.filter(pk=account.pk).update(last_activity_at=timezone.now())  # other updates pass


@pytest.mark.parametrize("table", ["transactions_journal", "accounts_account"])
def test_journals_and_accounts_are_not_emptied_under_their_entries(account, table):
    with (
        pytest.raises(IntegrityError, match=f"{table} cannot be emptied") as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        commit_checks()  # the fixtures' deferred checks first: TRUNCATE refuses a table with some pending
        cursor.execute(f"TRUNCATE {table} CASCADE")  # CASCADE: the tables whose keys name it; entries have none
    assert refusal_of(error) == "23503"
    assert Entry.objects.exists() and Journal.objects.exists() and Account.objects.exists()


def test_the_ledger_may_be_emptied_whole(account):
    """One TRUNCATE of journals and entries together (a test database's flush runs one over
    every table): the trigger runs after all of them are empty."""
    with pytest.raises(RuntimeError), transaction.atomic():
        commit_checks()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE transactions_journal, transactions_entry CASCADE")
        assert not Entry.objects.exists()
        raise RuntimeError  # roll the emptying back
    assert Entry.objects.exists()


def test_the_commit_time_check_is_planned_once_per_session(account):
    """0010: the check keeps one generic plan (planning it per COMMIT cost more than running
    it); the tests above prove its refusals under that plan."""
    journal_with([(account, "-1.00"), (gl_account_get_or_create(code="suspense", currency="INR"), "1.00")])
    commit_checks()
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'ledger_journals_assert_balanced'")
        assert cursor.fetchone()[0] == ["plan_cache_mode=force_generic_plan"]


def test_postings_find_room_for_hot_updates_and_compress_with_lz4(account):
    """accounts 0007: account pages keep room for the row versions postings write, so that
    PostgreSQL can skip the table's indexes (HOT); settings: large values (a batch's audit
    event, its outbox row) are compressed with lz4."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'accounts_account'")
        assert cursor.fetchone()[0] == ["fillfactor=85"]
        cursor.execute("SHOW default_toast_compression")
        assert cursor.fetchone()[0] == "lz4"
        # A value as large as a batch's audit event is stored compressed, with lz4.
        cursor.execute("CREATE TEMP TABLE large_value (content jsonb)")
        cursor.execute("INSERT INTO large_value SELECT jsonb_agg(g) FROM generate_series(1, 10000) g")
        cursor.execute("SELECT pg_column_compression(content) FROM large_value")
        assert cursor.fetchone()[0] == "lz4"
