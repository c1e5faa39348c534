from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Account
from accounts.tests.factories import AccountTypeFactory, account_create
from bankingsystem.errors import ApplicationError
from transactions.models import Entry, Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import (
    deposit_create,
    journal_reverse,
    transfer_create,
    withdrawal_create,
)

D = Decimal


def balance_of(account: Account) -> Decimal:
    account.refresh_from_db()
    return account.balance


def assert_ledger_consistent() -> None:
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()


def refused(code: str, call, **kwargs) -> ApplicationError:  # type: ignore[no-untyped-def]
    """Call a service expecting refusal `code`; assert nothing was written."""
    journals, entries = Journal.objects.count(), Entry.objects.count()
    with pytest.raises(ApplicationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value.detail
    assert (Journal.objects.count(), Entry.objects.count()) == (journals, entries)
    return info.value


# --- Deposits -----------------------------------------------------------------------------


def test_deposit_credits_account_and_debits_cash_vault(account):
    vault = Account.objects.get(kind="gl", gl_code="cash_vault", currency="INR")
    vault_before = vault.balance
    journal = deposit_create(account=account, amount=D("250.75"), description="Salary")
    assert journal.kind == Journal.Kind.DEPOSIT
    assert journal.reference.startswith("DEP")
    assert balance_of(account) == D("1250.75")
    assert balance_of(vault) == vault_before - D("250.75")
    legs = {e.account_id: (e.amount, e.balance_after) for e in journal.entries.all()}
    assert legs[account.pk] == (D("250.75"), D("1250.75"))
    assert legs[vault.pk][0] == D("-250.75")
    assert_ledger_consistent()


def test_deposit_to_frozen_account_is_allowed(customer, branch, savings_type):
    frozen = account_create(owner=customer, account_type=savings_type, branch=branch, status="frozen")
    deposit_create(account=frozen, amount=D("10"))
    assert balance_of(frozen) == D("10.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (D("0"), "amount_not_positive"),
        (D("-5"), "amount_not_positive"),
        (D("0.001"), "too_many_decimal_places"),
        (D("10000000.01"), "amount_above_limit"),
    ],
)
def test_deposit_refuses_bad_amounts(account, amount, code):
    refused(code, deposit_create, account=account, amount=amount)
    assert balance_of(account) == D("1000.00")


def test_deposit_to_closed_account_is_refused(customer, branch, savings_type):
    closed = account_create(owner=customer, account_type=savings_type, branch=branch, status="closed")
    error = refused("account_not_active", deposit_create, account=closed, amount=D("1"))
    assert error.extra["account_status"] == "closed"


def test_jpy_accounts_refuse_fractions(customer, branch):
    yen = account_create(owner=customer, account_type=AccountTypeFactory(code="yen", currency="JPY"), branch=branch)
    refused("too_many_decimal_places", deposit_create, account=yen, amount=D("1.5"))
    deposit_create(account=yen, amount=D("1500"))
    assert balance_of(yen) == D("1500")
    assert_ledger_consistent()


# --- Withdrawals --------------------------------------------------------------------------


def test_withdrawal_debits_account(account):
    withdrawal_create(account=account, amount=D("400.00"))
    assert balance_of(account) == D("600.00")
    assert_ledger_consistent()


def test_withdrawal_keeps_minimum_balance(customer, branch):
    kind = AccountTypeFactory(code="min-bal", minimum_balance=D("500.00"))
    acc = account_create(owner=customer, account_type=kind, branch=branch, balance=D("1000.00"))
    error = refused("insufficient_funds", withdrawal_create, account=acc, amount=D("500.01"))
    assert error.extra["available"] == "500.00"
    withdrawal_create(account=acc, amount=D("500.00"))
    assert balance_of(acc) == D("500.00")


def test_withdrawal_may_use_overdraft_but_not_beyond(customer, branch):
    kind = AccountTypeFactory(code="od", overdraft_limit=D("1000.00"))
    acc = account_create(owner=customer, account_type=kind, branch=branch, balance=D("100.00"))
    withdrawal_create(account=acc, amount=D("1100.00"))
    assert balance_of(acc) == D("-1000.00")
    refused("insufficient_funds", withdrawal_create, account=acc, amount=D("0.01"))
    assert_ledger_consistent()


def test_withdrawal_respects_per_transaction_limit(customer, branch):
    kind = AccountTypeFactory(code="small", per_transaction_limit=D("100.00"))
    acc = account_create(owner=customer, account_type=kind, branch=branch, balance=D("100.00"))
    refused("amount_above_limit", withdrawal_create, account=acc, amount=D("100.01"))


def test_daily_limit_counts_withdrawals_and_transfers(customer, branch, other_account):
    kind = AccountTypeFactory(code="daily", daily_debit_limit=D("1000.00"))
    acc = account_create(owner=customer, account_type=kind, branch=branch, balance=D("5000.00"))
    withdrawal_create(account=acc, amount=D("600.00"))
    transfer_create(source=acc, destination=other_account, amount=D("300.00"))
    refused("daily_limit_exceeded", withdrawal_create, account=acc, amount=D("100.01"))
    refused("daily_limit_exceeded", transfer_create, source=acc, destination=other_account, amount=D("200"))
    withdrawal_create(account=acc, amount=D("100.00"))  # exactly up to the limit
    deposit_create(account=acc, amount=D("50.00"))  # money in does not count
    assert balance_of(acc) == D("4050.00")


@pytest.mark.parametrize("status", ["frozen", "dormant", "closed"])
def test_withdrawal_from_inactive_account_is_refused(customer, branch, savings_type, status):
    acc = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("100"))
    Account.objects.filter(pk=acc.pk).update(status=status)
    refused("account_not_active", withdrawal_create, account=acc, amount=D("1"))


# --- Transfers ----------------------------------------------------------------------------


def test_transfer_moves_money_between_customers(account, other_account):
    journal = transfer_create(source=account, destination=other_account, amount=D("125.50"), description="Rent")
    assert balance_of(account) == D("874.50")
    assert balance_of(other_account) == D("625.50")
    assert journal.kind == Journal.Kind.TRANSFER
    assert journal.description == "Rent"
    assert journal.entries.aggregate(total=Sum("amount"))["total"] == 0
    assert_ledger_consistent()


def test_transfer_refusals_write_nothing(account, other_account, customer, branch, savings_type):
    refused("same_account", transfer_create, source=account, destination=account, amount=D("1"))
    refused("amount_not_positive", transfer_create, source=account, destination=other_account, amount=D("-5"))
    refused("too_many_decimal_places", transfer_create, source=account, destination=other_account, amount=D("0.001"))
    refused("insufficient_funds", transfer_create, source=account, destination=other_account, amount=D("1000.01"))
    usd = account_create(owner=customer, account_type=AccountTypeFactory(code="usd", currency="USD"), branch=branch)
    refused("currency_mismatch", transfer_create, source=account, destination=usd, amount=D("1"))
    assert balance_of(account) == D("1000.00")
    assert balance_of(other_account) == D("500.00")


def test_frozen_accounts_receive_but_cannot_send(account, customer, branch, savings_type):
    frozen = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("100"), status="frozen")
    transfer_create(source=account, destination=frozen, amount=D("10"))
    assert balance_of(frozen) == D("110.00")
    refused("account_not_active", transfer_create, source=frozen, destination=account, amount=D("10"))


def test_closed_accounts_neither_send_nor_receive(account, customer, branch, savings_type):
    closed = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("100"), status="closed")
    refused("account_not_active", transfer_create, source=account, destination=closed, amount=D("10"))
    refused("account_not_active", transfer_create, source=closed, destination=account, amount=D("10"))


def test_holds_reduce_what_can_be_sent(account, other_account):
    Account.objects.filter(pk=account.pk).update(held_amount=D("900.00"))
    account.refresh_from_db()
    refused("insufficient_funds", transfer_create, source=account, destination=other_account, amount=D("100.01"))
    transfer_create(source=account, destination=other_account, amount=D("100.00"))


# --- Reversals ----------------------------------------------------------------------------


def test_reversal_mirrors_the_journal(account, other_account, teller):
    original = transfer_create(source=account, destination=other_account, amount=D("300"))
    reversal = journal_reverse(journal=original, reason="Sent in error", initiated_by=teller)
    assert reversal.kind == Journal.Kind.REVERSAL
    assert reversal.reversal_of_id == original.pk
    assert "Sent in error" in reversal.description
    assert balance_of(account) == D("1000.00")
    assert balance_of(other_account) == D("500.00")
    # The original is untouched: both journals remain, each balanced.
    assert original.entries.count() == 2 and reversal.entries.count() == 2
    assert_ledger_consistent()


def test_reversal_refusals(account, other_account, teller):
    original = transfer_create(source=account, destination=other_account, amount=D("300"))
    reversal = journal_reverse(journal=original, reason="error", initiated_by=teller)
    refused("journal_already_reversed", journal_reverse, journal=original, reason="again", initiated_by=teller)
    refused("journal_not_reversible", journal_reverse, journal=reversal, reason="undo", initiated_by=teller)


def test_reversal_refused_when_recipient_already_spent_the_money(account, other_account, teller):
    original = transfer_create(source=account, destination=other_account, amount=D("300"))
    withdrawal_create(account=other_account, amount=D("800"))
    refused("insufficient_funds", journal_reverse, journal=original, reason="error", initiated_by=teller)


# --- journal_create (for other apps' postings) --------------------------------------------


def test_journal_create_posts_any_balanced_shape(account, other_account):
    from transactions.services import Leg, journal_create

    expense = Account.objects.get(gl_code="interest_expense", currency="INR")
    journal = journal_create(
        kind=Journal.Kind.INTEREST,
        legs=[Leg(account.pk, D("3.10")), Leg(other_account.pk, D("1.90")), Leg(expense.pk, D("-5.00"))],
        description="Interest for November",
    )
    assert journal.reference.startswith("INT")
    assert balance_of(account) == D("1003.10")
    assert balance_of(other_account) == D("501.90")
    assert_ledger_consistent()


def test_journal_create_refuses_unbalanced_and_overdrawn_legs(account):
    from transactions.services import Leg, journal_create

    fees = Account.objects.get(gl_code="fee_income", currency="INR")
    refused(
        "journal_unbalanced",
        journal_create,
        kind="fee",
        legs=[Leg(account.pk, D("-1.00")), Leg(fees.pk, D("0.99"))],
        description="x",
    )
    refused(
        "insufficient_funds",
        journal_create,
        kind="fee",
        legs=[Leg(account.pk, D("-1000.01")), Leg(fees.pk, D("1000.01"))],
        description="x",
    )
    refused("journal_invalid", journal_create, kind="fee", legs=[Leg(account.pk, D("1"))], description="x")


def test_daily_limit_total_lives_on_the_account_and_starts_afresh_each_day(customer, branch, other_account):
    """Today's debits are a running total on the row the debit locks: it counts what was
    posted today and nothing from an earlier day."""
    kind = AccountTypeFactory(code="day", daily_debit_limit=D("1000.00"))
    acc = account_create(owner=customer, account_type=kind, branch=branch, balance=D("5000.00"))
    yesterday = timezone.localdate() - timedelta(days=1)
    Account.objects.filter(pk=acc.pk).update(debit_day=yesterday, debit_day_total=D("1000.00"))
    transfer_create(source=acc, destination=other_account, amount=D("999.00"))  # yesterday's total is gone
    acc.refresh_from_db()
    assert (acc.debit_day, acc.debit_day_total) == (timezone.localdate(), D("999.00"))
    refused("daily_limit_exceeded", withdrawal_create, account=acc, amount=D("1.01"))
    journal = withdrawal_create(account=acc, amount=D("1.00"))
    journal_reverse(journal=journal, reason="counter error", initiated_by=None)  # a reversal gives no limit back
    refused("daily_limit_exceeded", withdrawal_create, account=acc, amount=D("0.01"))
    acc.refresh_from_db()
    assert acc.debit_day_total == D("1000.00")
    assert_ledger_consistent()


def test_integrity_check_sees_a_daily_total_that_differs_from_todays_debits(account, other_account):
    transfer_create(source=account, destination=other_account, amount=D("40.00"))
    withdrawal_create(account=account, amount=D("2.50"))
    assert_ledger_consistent()
    Account.objects.filter(pk=account.pk).update(debit_day_total=D("2.50"))
    report = ledger_integrity_report()
    assert report.daily_debit_mismatches == [
        {"account": account.number, "debit_day_total": "2.50", "debits_today": "42.50"}
    ]
    assert not report.ok
    # The total says an earlier day: today's debits go uncounted, which the check sees too.
    Account.objects.filter(pk=account.pk).update(debit_day=timezone.localdate() - timedelta(days=1))
    assert ledger_integrity_report().daily_debit_mismatches == [
        {"account": account.number, "debit_day_total": "0.00", "debits_today": "42.50"}
    ]


def test_journal_batch_create_refuses_each_journal_on_its_own(account, other_account):
    from transactions.services import JournalRequest, Leg, journal_batch_create

    fees = Account.objects.get(gl_code="fee_income", currency="INR")
    closed = account_create(owner=other_account.owner, account_type=account.account_type)
    Account.objects.filter(pk=closed.pk).update(status="closed")
    journals = Journal.objects.count()

    def fee(account_id: int, amount: str, description: str) -> JournalRequest:
        return JournalRequest(legs=[Leg(account_id, -D(amount)), Leg(fees.pk, D(amount))], description=description)

    results = journal_batch_create(
        kind=Journal.Kind.FEE,
        journals=[
            fee(account.pk, "600.00", "first"),
            fee(account.pk, "500.00", "second: 1,000 less the first 600 leaves 400"),
            fee(other_account.pk, "500.00", "all of it"),
            JournalRequest(legs=[Leg(account.pk, D("-1.00")), Leg(fees.pk, D("0.99"))], description="unbalanced"),
            JournalRequest(legs=[Leg(closed.pk, D("1.00")), Leg(fees.pk, D("-1.00"))], description="to a closed one"),
            fee(account.pk, "400.00", "third: exactly what is left"),
        ],
    )
    outcomes = [r.code if isinstance(r, ApplicationError) else r.description for r in results]
    assert outcomes == [
        "first",
        "insufficient_funds",
        "all of it",
        "journal_unbalanced",
        "account_not_active",
        "third: exactly what is left",
    ]
    assert Journal.objects.count() == journals + 3
    assert (balance_of(account), balance_of(other_account)) == (D("0.00"), D("0.00"))
    # Each journal's entries carry the balance it left, in the order the journals were written.
    assert [r.posted_entries[0].balance_after for r in results if isinstance(r, Journal)] == [
        D("400.00"),
        D("0.00"),
        D("0.00"),
    ]
    assert_ledger_consistent()


# --- References ---------------------------------------------------------------------------


def test_references_are_time_ordered_and_fit_the_column():
    """A later journal's reference sorts after an earlier one's (so it lands at the end of
    the unique index); journals of one instant, as in a batch, still differ."""
    from datetime import UTC, datetime

    from transactions.services import _reference_new

    morning = datetime(2026, 12, 5, 9, 30, 0, 1, tzinfo=UTC)
    same_instant = {_reference_new(Journal.Kind.TRANSFER, morning) for _ in range(1000)}
    assert len(same_instant) == 1000
    assert all(len(reference) == 32 and reference.startswith("TRF20261205") for reference in same_instant)
    later = _reference_new(Journal.Kind.TRANSFER, morning + timedelta(microseconds=1))
    assert later > max(same_instant)
    assert (
        _reference_new(Journal.Kind.TRANSFER, morning.replace(hour=23, minute=59, second=59, microsecond=999999))
        > later
    )
    assert Journal._meta.get_field("reference").max_length == 32
