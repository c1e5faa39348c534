"""Pin the number of queries each money operation makes, so it cannot silently grow.

Counts are taken inside the test's own transaction, so each service's atomic block shows
as SAVEPOINT + RELEASE (in production they are BEGIN and COMMIT).

Issue 7 added one statement to every posting: the audit event (audit.services), which
chains and inserts in a single INSERT ... ON CONFLICT ... RETURNING, written in the
posting's own transaction (+1 below, marked "audit").

Issue 11 made the write one statement (journals, entries and balances; see
services._LEDGER_WRITE) and moved today's debits onto the account row the posting locks;
then the audit event went into that statement too (audit.services.audit_step): -1 each."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import gl_account_get_or_create
from transactions.services import (
    JournalRequest,
    Leg,
    TransferRequest,
    deposit_create,
    journal_batch_create,
    journal_reverse,
    transfer_batch_create,
    transfer_create,
    withdrawal_create,
)
from transactions.tests.test_batch import item

D = Decimal


def queries(work) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        work()
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        # savepoint, cash vault look-up, lock, write (journal, entries, balances and the
        # audit event in one statement), release
        ("deposit", 5),
        # the same: today's debits for the daily limit come with the locked row
        ("withdrawal", 5),
        # savepoint, one statement (lock, guard, journal, entries, balances, outbox and audit;
        # services._TRANSFER_POST), release. The plan setting (bankingsystem.db.
        # generic_plans_allow) is not sent: the fixtures' opening deposits locked their
        # accounts in this test's transaction, and that lock set it. In a transaction of its
        # own a transfer sends it first (test_transfer_statement).
        ("transfer", 3),
    ],
)
def test_service_query_counts(account, other_account, operation, expected):
    work = {
        "deposit": lambda: deposit_create(account=account, amount=D("1")),
        "withdrawal": lambda: withdrawal_create(account=account, amount=D("1")),
        "transfer": lambda: transfer_create(source=account, destination=other_account, amount=D("1")),
    }[operation]
    if operation != "transfer":  # a transfer before it would have set the plan setting (below)
        work()  # warm: the cash vault is made on first use
    assert queries(work) == expected


def test_a_second_transfer_in_a_transaction_does_not_set_the_plan_setting_again(account, other_account):
    transfer_create(source=account, destination=other_account, amount=D("1"))
    # savepoint, one statement, release: the setting lasts to the end of this (the test's) transaction
    assert queries(lambda: transfer_create(source=account, destination=other_account, amount=D("1"))) == 3
    # without a savepoint of its own (fraud screening's move, see risk.services): the statement alone
    work = lambda: transfer_create(source=account, destination=other_account, amount=D("1"), savepoint=False)  # noqa: E731
    assert queries(work) == 1


def test_reversal_query_count(account, other_account, teller):
    journal = transfer_create(source=account, destination=other_account, amount=D("1"))
    # savepoint, original legs, lock, already reversed?, write (with audit), release
    assert queries(lambda: journal_reverse(journal=journal, reason="x", initiated_by=teller)) == 6


@pytest.mark.parametrize("size", [1, 10, 500])
def test_batch_query_count_does_not_grow_with_size(account, other_account, size):
    batch = [TransferRequest(account, other_account, D("0.01"))] * size
    # one audit event for the whole batch, whatever its size, in the write
    assert queries(lambda: transfer_batch_create(transfers=batch, atomic=True)) == 4


@pytest.mark.parametrize("size", [1, 10, 500])
def test_journal_batch_query_count_does_not_grow_with_size(account, other_account, size):
    fees = gl_account_get_or_create(code="fee_income", currency="INR")
    batch = [JournalRequest(legs=[Leg(account.pk, D("-0.01")), Leg(fees.pk, D("0.01"))], description="fee")] * size
    # savepoint, lock, write (journals, entries, balances and the audit event), release
    assert queries(lambda: journal_batch_create(kind="fee", journals=batch)) == 4


def test_http_transfer_query_count(api, account, other_account):
    def post() -> None:
        response = api.post(
            "/api/v1/transfers/",
            item(account, other_account, "1"),
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert response.status_code == 201

    # idempotency: savepoint, in-flight lock with the key's look-up and the plan setting (1,
    # was 2), record, release (4); caller's roles (1: a real token brings them with the
    # session); the source and the destination, with whether the destination is a
    # beneficiary still cooling off (1, was 3); the transfer service (1: its one statement,
    # without a savepoint of its own inside fraud screening's block, and without setting
    # the plan setting the claim has set; was 4); fraud screening (2, was 5): the sender's
    # recent debits with their counterparties and the active model (1), the score. Was 19,
    # then 12, then 11 before the plan setting, then 13 while it was given back after the
    # transfer, then 12, then 10 without the savepoint, 9 without the plan setting (issue 11).
    assert queries(post) == 9
    # Again, now that the sender has a debit: the roles are not read (-1: this test client
    # hands the view the same user object, which keeps them); its counterparty is read in
    # the same statement as the debits (it was one more).
    assert queries(post) == 8


def test_http_batch_query_count(api, account, other_account):
    body = {"mode": "atomic", "transfers": [item(account, other_account, "0.01")] * 200}
    # roles, sources, destinations, and the batch service (4, with audit)
    assert queries(lambda: api.post("/api/v1/transfers/batch/", body, format="json")) == 7
