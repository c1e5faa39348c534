"""A stateful model of the bank against the real services (hypothesis RuleBasedStateMachine).

Hypothesis plays random sequences of account openings, deposits, withdrawals, transfers,
reversals, holds (a transfer stopped for fraud review) and their release or void through
the service layer on PostgreSQL. A plain-Python model predicts every
balance and every refusal; after each step the database must agree with it to the paisa,
and the ledger's own integrity report (balanced journals, balances equal to their entries,
all balances summing to zero, nobody past their limit) must be clean.

Each example runs inside a savepoint that is rolled back at teardown, so examples do not
see each other's accounts.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Account
from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from bankingsystem.errors import ApplicationError
from customers.tests.factories import CustomerFactory
from transactions.holds import hold_place, hold_release, hold_void
from transactions.models import Hold, Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import deposit_create, journal_reverse, transfer_create, withdrawal_create

amounts = st.integers(min_value=1, max_value=300_000).map(lambda paise: Decimal(paise).scaleb(-2))


class BankMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    journals = Bundle("journals")
    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.account_type = AccountTypeFactory(
            code="model", per_transaction_limit=Decimal("10000000.00"), daily_debit_limit=Decimal("1000000000.00")
        )
        self.branch = BranchFactory()
        self.balances: dict[int, Decimal] = {}
        self.legs: dict[int, dict[int, Decimal]] = {}  # journal -> customer account -> amount
        self.reversed: set[int] = set()
        self.held: dict[int, Decimal] = {}  # account -> total of its pending holds
        self.pending: dict[int, tuple[int, int, Decimal]] = {}  # hold -> (source, destination, amount)

    def _available(self, account_id: int) -> Decimal:
        return self.balances[account_id] - self.held[account_id]

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    def _posted(self, journal: Journal, legs: dict[int, Decimal]) -> Journal:
        for account_id, amount in legs.items():
            self.balances[account_id] += amount
        self.legs[journal.pk] = legs
        return journal

    def _refused(self, work, code: str) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(ApplicationError) as caught:
            work()
        assert caught.value.code == code

    @rule(target=accounts)
    def open_account(self) -> Account:
        account = account_create(owner=CustomerFactory(), account_type=self.account_type, branch=self.branch)
        self.balances[account.pk] = Decimal("0.00")
        self.held[account.pk] = Decimal("0.00")
        return account

    @rule(target=journals, account=accounts, amount=amounts)
    def deposit(self, account: Account, amount: Decimal) -> Journal:
        return self._posted(deposit_create(account=account, amount=amount), {account.pk: amount})

    @rule(target=journals, account=accounts, amount=amounts)
    def withdraw(self, account: Account, amount: Decimal):  # type: ignore[no-untyped-def]
        if amount > self._available(account.pk):
            self._refused(lambda: withdrawal_create(account=account, amount=amount), "insufficient_funds")
            return multiple()  # nothing joins the bundle
        return self._posted(withdrawal_create(account=account, amount=amount), {account.pk: -amount})

    @rule(target=journals, source=accounts, destination=accounts, amount=amounts)
    def transfer(self, source: Account, destination: Account, amount: Decimal):  # type: ignore[no-untyped-def]
        if source.pk == destination.pk:
            self._refused(
                lambda: transfer_create(source=source, destination=destination, amount=amount), "same_account"
            )
            return multiple()
        if amount > self._available(source.pk):
            self._refused(
                lambda: transfer_create(source=source, destination=destination, amount=amount), "insufficient_funds"
            )
            return multiple()
        journal = transfer_create(source=source, destination=destination, amount=amount)
        return self._posted(journal, {source.pk: -amount, destination.pk: amount})

    @rule(target=holds, source=accounts, destination=accounts, amount=amounts)
    def hold(self, source: Account, destination: Account, amount: Decimal):  # type: ignore[no-untyped-def]
        """A transfer stopped for review: set aside, nothing posted."""
        place = lambda: hold_place(source=source, destination=destination, amount=amount)  # noqa: E731
        if source.pk == destination.pk:
            self._refused(place, "same_account")
            return multiple()
        if amount > self._available(source.pk):
            self._refused(place, "insufficient_funds")
            return multiple()
        placed = place()
        self.held[source.pk] += amount
        self.pending[placed.pk] = (source.pk, destination.pk, amount)
        return placed

    @rule(hold=holds, release=st.booleans())
    def resolve_hold(self, hold: Hold, release: bool) -> None:
        """Release (post the held transfer, checked afresh) or void (give it back)."""
        if hold.pk not in self.pending:
            self._refused(lambda: hold_void(hold=hold, actor=None), "hold_already_resolved")
            return
        source, destination, amount = self.pending[hold.pk]
        if not release:
            hold_void(hold=hold, actor=None)
        elif self.balances[source] - (self.held[source] - amount) < amount:
            # A reversal took the money meanwhile: the release is refused, the hold stays.
            self._refused(lambda: hold_release(hold=hold, actor=None), "insufficient_funds")
            return
        else:
            self._posted(hold_release(hold=hold, actor=None), {source: -amount, destination: amount})
        self.held[source] -= amount
        del self.pending[hold.pk]

    @precondition(lambda self: bool(self.legs))
    @rule(journal=journals)
    def reverse(self, journal: Journal) -> None:
        if journal.pk in self.reversed:
            self._refused(
                lambda: journal_reverse(journal=journal, reason="again", initiated_by=None), "journal_already_reversed"
            )
            return
        mirror = {account_id: -amount for account_id, amount in self.legs[journal.pk].items()}
        if any(self.balances[account_id] + amount < 0 for account_id, amount in mirror.items()):
            # The money has moved on: reversing would overdraw someone, so a person decides.
            with pytest.raises(ApplicationError):
                journal_reverse(journal=journal, reason="model", initiated_by=None)
            return
        self._posted(journal_reverse(journal=journal, reason="model", initiated_by=None), mirror)
        self.reversed.add(journal.pk)

    @invariant()
    def balances_agree_with_the_model(self) -> None:
        stored = dict(Account.objects.filter(pk__in=self.balances).values_list("pk", "balance"))
        assert stored == self.balances
        held = dict(Account.objects.filter(pk__in=self.held).values_list("pk", "held_amount"))
        assert held == self.held
        pending = dict(
            Hold.objects.filter(status=Hold.Status.PENDING).values("account").annotate(total=Sum("amount"))
            .values_list("account", "total")
        )  # fmt: skip
        assert pending == {pk: total for pk, total in self.held.items() if total}

    @invariant()
    def the_ledger_proves_itself(self) -> None:
        report = ledger_integrity_report()
        assert report.ok, report.as_dict()
        assert set(report.totals_by_currency.values()) <= {"0.00"}


@pytest.mark.django_db
def test_the_bank_agrees_with_its_model():
    run_state_machine_as_test(
        BankMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
