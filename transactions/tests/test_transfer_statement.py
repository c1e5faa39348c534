"""The single transfer's one statement (services._TRANSFER_POST) on PostgreSQL: its guard
restates the transfer's rules in SQL so that the lock, the checks and the write are one
round trip, and the rules in Python stay the authority. These tests hold it to that: the
guard agrees with the rules on every outcome, a transfer it stops that the rules pass is
still posted, and a transfer the rules refuse after the statement wrote leaves nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, AccountType
from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from audit.models import AuditChainHead, AuditEvent
from audit.selectors import audit_chain_verify
from bankingsystem.db import GENERIC_PLANS_ALLOW_SQL, generic_plans_allow
from bankingsystem.errors import ApplicationError
from customers.tests.factories import CustomerFactory
from notifications.models import JournalOutbox
from risk.models import TransferScore
from transactions import idempotency, services
from transactions.metrics import TRANSFER_GUARD_FALLBACKS
from transactions.models import Entry, IdempotencyKey, Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import deposit_create, transfer_create

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one statement is PostgreSQL's")

D = Decimal
money = st.integers(min_value=0, max_value=5_000).map(lambda paise: D(paise).scaleb(-2))


def fallbacks() -> float:
    return TRANSFER_GUARD_FALLBACKS._value.get()


def journal_ids_drawn() -> int:
    """The journal id sequence's position: a statement that inserted a journal moved it, even
    if its transaction then rolled back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM transactions_journal_id_seq")
        return cursor.fetchone()[0]


def expected_refusal(
    *, amount, balance, held, overdraft, minimum, per_transaction, daily, debited_today, sender, receiver
) -> str | None:
    """The transfer rules as the product states them, written out independently."""
    if sender != "active" or receiver == "closed":
        return "account_not_active"
    if amount > per_transaction:
        return "amount_above_limit"
    if amount > balance - held - minimum + overdraft:
        return "insufficient_funds"
    if debited_today + amount > daily:
        return "daily_limit_exceeded"
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(min_value=1, max_value=3_000).map(lambda paise: D(paise).scaleb(-2)),
    balance=money,
    held=money,
    overdraft=money,
    minimum=money,
    per_transaction=money,
    daily=money,
    debited_today=money,
    debited_on_another_day=st.booleans(),
    sender=st.sampled_from(["active", "frozen", "dormant", "closed"]),
    receiver=st.sampled_from(["active", "frozen", "dormant", "closed"]),
)
def test_the_guard_agrees_with_the_rules_on_every_outcome(
    account,
    other_account,
    amount,
    balance,
    held,
    overdraft,
    minimum,
    per_transaction,
    daily,
    debited_today,
    debited_on_another_day,
    sender,
    receiver,
):
    today = timezone.localdate()
    AccountType.objects.filter(pk=account.account_type_id).update(
        per_transaction_limit=per_transaction, minimum_balance=minimum, daily_debit_limit=daily
    )
    # The balance must stay within the overdraft limit (the CHECK constraint): the sender
    # starts at or above it.
    Account.objects.filter(pk=account.pk).update(
        balance=balance,
        held_amount=held,
        overdraft_limit=overdraft,
        status=sender,
        debit_day=today - timedelta(days=1) if debited_on_another_day else today,
        debit_day_total=debited_today,
    )
    Account.objects.filter(pk=other_account.pk).update(status=receiver)
    before = fallbacks()
    expected = expected_refusal(
        amount=amount,
        balance=balance,
        held=held,
        overdraft=overdraft,
        minimum=minimum,
        per_transaction=per_transaction,
        daily=daily,
        debited_today=D(0) if debited_on_another_day else debited_today,
        sender=sender,
        receiver=receiver,
    )
    journals = Journal.objects.count()
    if expected is None:
        journal = transfer_create(source=account, destination=other_account, amount=amount)
        legs = dict(Entry.objects.filter(journal=journal).values_list("account_id", "balance_after"))
        assert legs == {account.pk: balance - amount, other_account.pk: other_account.balance + amount}
        account_now = Account.objects.get(pk=account.pk)
        assert account_now.balance == balance - amount
        assert account_now.debit_day == today
        assert account_now.debit_day_total == (D(0) if debited_on_another_day else debited_today) + amount
        Account.objects.filter(pk=other_account.pk).update(balance=other_account.balance)  # the next example's start
    else:
        drawn = journal_ids_drawn()
        with pytest.raises(ApplicationError) as refusal:
            transfer_create(source=account, destination=other_account, amount=amount)
        assert refusal.value.code == expected
        assert Journal.objects.count() == journals
        assert journal_ids_drawn() == drawn, "the guard let through a transfer the rules refuse"
    assert fallbacks() == before, "the guard stopped a transfer the rules pass"


def test_a_transfer_the_guard_stops_but_the_rules_pass_is_posted_the_general_way(account, other_account):
    """The guard also checks the account numbers the audit event will name; a caller holding
    a stale number still gets its transfer, named by the locked rows' numbers."""
    stale = Account(pk=account.pk, currency=account.currency, number="999999999999")
    before = fallbacks()
    journal = transfer_create(source=stale, destination=other_account, amount=D("10.00"))
    assert fallbacks() == before + 1
    assert Account.objects.get(pk=account.pk).balance == D("990.00")
    event = AuditEvent.objects.get(object_type="transactions.journal", object_id=str(journal.pk))
    assert event.after["journals"][0]["legs"] == [[account.number, "-10.00"], [other_account.number, "10.00"]]
    assert audit_chain_verify().ok
    assert ledger_integrity_report().ok


def test_a_refusal_by_the_rules_after_the_statement_wrote_leaves_nothing(account, other_account, monkeypatch):
    """Should the guard ever let through what the rules refuse, the refusal raised after the
    statement rolls back all it wrote: journal, entries, balances, outbox and audit event."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("test_refusal", "Refused by a rule the guard does not know.")

    monkeypatch.setattr(services, "_transfer_refuse", refuse)
    counts = (Journal.objects.count(), Entry.objects.count(), JournalOutbox.objects.count(), AuditEvent.objects.count())
    heads = list(AuditChainHead.objects.values_list("id", "seq", "last_hash"))
    with pytest.raises(ApplicationError) as refusal:
        transfer_create(source=account, destination=other_account, amount=D("10.00"))
    assert refusal.value.code == "test_refusal"
    after = (Journal.objects.count(), Entry.objects.count(), JournalOutbox.objects.count(), AuditEvent.objects.count())
    assert after == counts
    assert list(AuditChainHead.objects.values_list("id", "seq", "last_hash")) == heads
    assert Account.objects.get(pk=account.pk).balance == D("1000.00")
    assert Account.objects.get(pk=other_account.pk).balance == D("500.00")


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_a_transfer_in_its_own_transaction_reuses_a_generic_plan(transactional_db):
    """In its own transaction (as in production) the transfer's statement is prepared and,
    after PostgreSQL's five custom plans, planned once; the session keeps custom plans."""
    branch, kind = BranchFactory(), AccountTypeFactory()
    source, destination = (
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=D("100.00")) for _ in range(2)
    )
    for _ in range(12):
        transfer_create(source=source, destination=destination, amount=D("1.00"))
    assert plan_cache_mode() == "force_custom_plan"
    assert generic_plans_of_the_transfer_statement() >= 1
    assert Account.objects.get(pk=source.pk).balance == D("88.00")


def generic_plans_of_the_transfer_statement() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["WITH p AS ( SELECT %journal%"],
        )
        [[generic]] = cursor.fetchall()
    return generic


def test_inside_a_callers_transaction_plans_are_reused_to_its_commit_and_not_after(transactional_db):
    """In a caller's transaction (as the HTTP view's idempotency block is) the transfer's
    statement reuses a generic plan too, and so may the rest of that transaction (writes by
    key and the COMMIT's foreign-key checks); the next transaction plans for its own values."""
    branch, kind = BranchFactory(), AccountTypeFactory()
    source, destination = (
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=D("100.00")) for _ in range(2)
    )
    with transaction.atomic():
        assert plan_cache_mode() == "force_custom_plan"
        # psycopg prepares the statement on its 5th run; PostgreSQL plans it for its values 5
        # times more before it weighs a generic plan.
        for _ in range(12):
            transfer_create(source=source, destination=destination, amount=D("1.00"))
        assert plan_cache_mode() == "auto"
        assert generic_plans_of_the_transfer_statement() >= 1
    assert plan_cache_mode() == "force_custom_plan"
    assert Account.objects.get(pk=source.pk).balance == D("88.00")


def test_a_refused_posting_inside_a_savepoint_takes_the_plan_setting_back(transactional_db):
    """A service's own atomic block is a savepoint inside a caller's transaction: when the
    posting is refused, the rollback to it takes the plan setting back too."""
    branch, kind = BranchFactory(), AccountTypeFactory()
    source, destination = (
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=D("5.00")) for _ in range(2)
    )
    with transaction.atomic():
        with pytest.raises(ApplicationError):
            transfer_create(source=source, destination=destination, amount=D("50.00"))
        assert plan_cache_mode() == "force_custom_plan"
        deposit_create(account=source, amount=D("1.00"))  # the lock statement sets it too
        assert plan_cache_mode() == "auto"
    assert plan_cache_mode() == "force_custom_plan"


def test_an_idempotent_requests_transaction_reuses_plans_from_its_claim(transactional_db):
    """The idempotency record's claim, the first statement of a money-moving request's
    transaction, lets the rest of it reuse generic plans; the next transaction plans for its
    own values again."""
    user = CustomerFactory().user
    with transaction.atomic():
        assert plan_cache_mode() == "force_custom_plan"
        assert idempotency._claim_and_answer_of(user.pk, "key-1") is None
        assert plan_cache_mode() == "auto"
    assert plan_cache_mode() == "force_custom_plan"


def plan_settings_sent(work) -> int:  # type: ignore[no-untyped-def]
    """How many statements `work` sent that only set the plan setting (generic_plans_allow's)."""
    with CaptureQueriesContext(connection) as ctx:
        work()
    return sum(1 for query in ctx.captured_queries if query["sql"] == f"SELECT {GENERIC_PLANS_ALLOW_SQL}")


def test_the_plan_setting_is_sent_once_per_transaction_and_again_after_a_rollback(transactional_db):
    """generic_plans_allow sends the setting only where the transaction does not have it yet:
    not after the idempotency claim or an earlier transfer of the same transaction; again
    once the savepoint that set it has rolled back (PostgreSQL took the setting back), and in
    the next transaction."""
    branch, kind = BranchFactory(), AccountTypeFactory()
    source, destination = (
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=D("5.00")) for _ in range(2)
    )
    move = lambda amount: transfer_create(source=source, destination=destination, amount=D(amount))  # noqa: E731
    with transaction.atomic():
        assert idempotency._claim_and_answer_of(source.owner.user.pk, "key-1") is None
        assert plan_settings_sent(lambda: move("1.00")) == 0
        assert plan_cache_mode() == "auto"
    with transaction.atomic():
        assert plan_settings_sent(lambda: move("1.00")) == 1
        assert plan_settings_sent(lambda: move("1.00")) == 0
    with transaction.atomic():
        with transaction.atomic():  # a caller's savepoint around the first transfer
            assert plan_settings_sent(lambda: move("1.00")) == 1
            transaction.set_rollback(True)
        assert plan_cache_mode() == "force_custom_plan"

        def refused() -> None:
            with pytest.raises(ApplicationError):
                move("50.00")  # refused after its statement: its savepoint rolls back

        assert plan_settings_sent(refused) == 1
        assert plan_cache_mode() == "force_custom_plan"
        assert plan_settings_sent(lambda: move("1.00")) == 1
        assert plan_cache_mode() == "auto"
    # Outside a transaction the setting ends with its statement, and nothing is noted.
    assert plan_settings_sent(generic_plans_allow) == 1
    assert plan_settings_sent(generic_plans_allow) == 1
    assert plan_cache_mode() == "force_custom_plan"
    assert Account.objects.get(pk=source.pk).balance == D("1.00")


def test_a_postings_lock_statement_counts_as_sending_the_plan_setting(transactional_db):
    """The statement that locks a posting's accounts sets it too (folded in): a transfer
    after it in the same transaction does not send it again."""
    branch, kind = BranchFactory(), AccountTypeFactory()
    source, destination = (
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=D("5.00")) for _ in range(2)
    )
    with transaction.atomic():
        deposit_create(account=source, amount=D("1.00"))
        assert plan_cache_mode() == "auto"
        assert (
            plan_settings_sent(lambda: transfer_create(source=source, destination=destination, amount=D("1.00"))) == 0
        )
    assert plan_cache_mode() == "force_custom_plan"
    assert Account.objects.get(pk=source.pk).balance == D("5.00")


@pytest.mark.parametrize("keyed", [True, False])
def test_a_refusal_after_the_statement_wrote_in_an_http_transfer_leaves_nothing(
    api, account, other_account, monkeypatch, keyed
):
    """Over HTTP the transfer runs inside fraud screening's atomic block without a savepoint
    of its own (and, with an Idempotency-Key, screening inside the key's transaction without
    one either): a refusal raised after the statement wrote still takes back all of it, the
    score and the key's record included, and the answer is the refusal."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ApplicationError("test_refusal", "Refused by a rule the guard does not know.")

    monkeypatch.setattr(services, "_transfer_refuse", refuse)
    tables = (Journal, Entry, JournalOutbox, AuditEvent, TransferScore, IdempotencyKey)
    counts = [model.objects.count() for model in tables]
    heads = list(AuditChainHead.objects.values_list("id", "seq", "last_hash"))
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10.00"}
    headers = {"HTTP_IDEMPOTENCY_KEY": "refused-after-writing"} if keyed else {}
    response = api.post("/api/v1/transfers/", body, format="json", **headers)
    assert response.status_code == 422 and response.json()["code"] == "test_refusal"
    assert [model.objects.count() for model in tables] == counts
    assert list(AuditChainHead.objects.values_list("id", "seq", "last_hash")) == heads
    assert Account.objects.get(pk=account.pk).balance == D("1000.00")
    assert Account.objects.get(pk=other_account.pk).balance == D("500.00")
    monkeypatch.undo()  # the same key, now posted
    assert api.post("/api/v1/transfers/", body, format="json", **headers).status_code == 201
    assert Account.objects.get(pk=account.pk).balance == D("990.00")
