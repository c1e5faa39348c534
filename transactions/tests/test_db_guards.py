"""The database itself refuses what would break the ledger, beneath the service layer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Account
from transactions.models import Entry, Journal

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
