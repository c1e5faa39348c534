"""POST /api/v1/transfers/batch/: the same rules as single transfers, for up to 1,000 at once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import TransferRequest, transfer_batch_create
from transactions.tests.test_api import assert_problem, balance, ledger_size
from transactions.tests.test_concurrency import assert_books_balance, customer_accounts, customer_total, in_thread

D = Decimal
URL = "/api/v1/transfers/batch/"


def item(source, destination, amount: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"source_account": source.number, "destination_account": destination.number, "amount": amount, **extra}


def test_independent_batch_posts_what_it_can(
    api, account, second_account, other_account, customer, branch, savings_type
):
    from accounts.tests.factories import account_create

    frozen = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("50"), status="frozen")
    body = {
        "mode": "independent",
        "transfers": [
            item(account, other_account, "600.00", description="first"),
            item(account, other_account, "600.00"),  # would overspend after the first
            item(account, second_account, "400.00"),
            item(frozen, other_account, "1.00"),
            item(other_account, account, "1.00"),  # not the caller's account
        ],
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["posted"], result["refused"]) == (2, 3)
    statuses = [(r["status"], r.get("code")) for r in result["results"]]
    assert statuses == [
        ("posted", None),
        ("refused", "insufficient_funds"),
        ("posted", None),
        ("refused", "account_not_active"),
        ("refused", "account_not_found"),
    ]
    assert [r["index"] for r in result["results"]] == [0, 1, 2, 3, 4]
    assert balance(account) == D("0.00")
    assert balance(other_account) == D("1100.00")
    assert balance(second_account) == D("400.00")
    assert Journal.objects.get(pk=result["results"][0]["transaction"]).description == "first"
    assert ledger_integrity_report().ok


def test_atomic_batch_is_all_or_nothing(api, account, second_account, other_account):
    good = [item(account, other_account, "100.00"), item(account, second_account, "200.00")]
    before = ledger_size()
    refused = assert_problem(
        api.post(URL, {"mode": "atomic", "transfers": [*good, item(account, other_account, "700.01")]}, format="json"),
        422,
        "batch_refused",
    )
    assert refused["refused"] == [{"index": 2, "code": "insufficient_funds", "detail": refused["refused"][0]["detail"]}]
    assert ledger_size() == before
    assert balance(account) == D("1000.00")

    response = api.post(URL, {"mode": "atomic", "transfers": good}, format="json")
    assert response.status_code == 201
    assert response.json()["posted"] == 2
    assert balance(account) == D("700.00")


def test_atomic_batch_with_foreign_account_writes_nothing(api, account, other_account):
    before = ledger_size()
    body = {"mode": "atomic", "transfers": [item(account, other_account, "1"), item(other_account, account, "1")]}
    assert_problem(api.post(URL, body, format="json"), 422, "batch_refused")
    assert ledger_size() == before


@pytest.mark.parametrize(
    ("transfers", "field"),
    [
        ([], "transfers"),
        ("nope", "transfers"),
        ([{"amount": "1"}], "transfers.0.source_account"),
        (
            [{"source_account": "x", "destination_account": "1010001000000012", "amount": "1"}],
            "transfers.0.source_account",
        ),
        ([None], "transfers.0.non_field_errors"),
    ],
)
def test_batch_bad_input_is_400(api, account, transfers, field):
    before = ledger_size()
    problem = assert_problem(
        api.post(URL, {"mode": "atomic", "transfers": transfers}, format="json"), 400, "validation_error"
    )
    assert field in problem["errors"], problem["errors"]
    assert ledger_size() == before


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"amount": "NaN"}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"pay": 1}, "pay"),
        ({"description": "x" * 141}, "description"),
        ({"amount": "9" * 30}, "amount"),
        ({"source_account": ["1010001000000012"]}, "source_account"),
        ({"destination_account": {"number": 1}}, "destination_account"),
        ({"destination_account": 1010001000000012}, "destination_account"),
    ],
)
def test_batch_item_bad_fields(api, account, other_account, override, field):
    body = {
        "mode": "independent",
        "transfers": [item(account, other_account, "1"), {**item(account, other_account, "1"), **override}],
    }
    problem = assert_problem(api.post(URL, body, format="json"), 400, "validation_error")
    assert list(problem["errors"]) == [f"transfers.1.{field}"]


def test_batch_amount_rules_are_the_service_rules(api, account, other_account):
    body = {
        "mode": "independent",
        "transfers": [
            item(account, other_account, "-5"),
            item(account, other_account, "0.001"),
            item(account, account, "1"),
        ],
    }
    codes = [r["code"] for r in api.post(URL, body, format="json").json()["results"]]
    assert codes == ["amount_not_positive", "too_many_decimal_places", "same_account"]


def test_batch_limit_is_1000(api, account, other_account):
    body = {"mode": "independent", "transfers": [item(account, other_account, "0.01")] * 1001}
    assert_problem(api.post(URL, body, format="json"), 400, "validation_error")
    body["transfers"] = body["transfers"][:1000]
    response = api.post(URL, body, format="json")
    assert response.json()["posted"] == 1000
    assert balance(account) == D("990.00")


def test_batch_is_idempotent(api, account, other_account):
    body = {"mode": "atomic", "transfers": [item(account, other_account, "10")]}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    second = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert balance(account) == D("990.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_batch_moves_activity_and_daily_totals_only_where_it_changed_them(account, other_account):
    today = timezone.localdate()
    earlier = timezone.now() - timedelta(days=3)
    Account.objects.filter(pk=account.pk).update(debit_day=today - timedelta(days=1), debit_day_total=D("5.00"))
    Account.objects.filter(pk=other_account.pk).update(
        debit_day=today - timedelta(days=1), debit_day_total=D("7.00"), last_customer_activity_at=earlier
    )
    first, _ = transfer_batch_create(
        transfers=[
            TransferRequest(account, other_account, D("2.00")),
            TransferRequest(account, other_account, D("3.00")),
        ],
        atomic=True,
    )
    sender, receiver = Account.objects.get(pk=account.pk), Account.objects.get(pk=other_account.pk)
    # The sender: its own activity now, yesterday's total replaced by today's 2.00 + 3.00.
    assert (sender.debit_day, sender.debit_day_total) == (today, D("5.00"))
    assert sender.last_activity_at == sender.last_customer_activity_at == first.created_at
    # The receiver: active now, but money received is neither its own activity nor a debit.
    assert (receiver.debit_day, receiver.debit_day_total) == (today - timedelta(days=1), D("7.00"))
    assert receiver.last_customer_activity_at == earlier
    assert receiver.last_activity_at == first.created_at
    assert (sender.balance, receiver.balance) == (account.balance - 5, other_account.balance + 5)


@pytest.mark.parametrize(
    "description",
    [
        'say "hi"',
        "back\\slash\\",
        "a,b",
        "{braces}",
        "NULL",
        "  spaced  ",
        "\u20b9 r\u00e9sum\u00e9 \U0001f4b8",
        "it's",
        "",
    ],
)
def test_descriptions_are_stored_exactly_as_sent(account, other_account, description):
    # The posting sends its rows as array literals: quoting must keep any text as it is.
    [journal] = transfer_batch_create(
        transfers=[TransferRequest(account, other_account, D("1.00"), description)], atomic=True
    )
    expected = description or f"Transfer to {other_account.number}"
    assert Journal.objects.get(pk=journal.pk).description == journal.description == expected


def test_concurrent_batches_keep_the_books(transactional_db):
    accounts = customer_accounts(6, D("1000.00"))
    total = customer_total()

    @in_thread
    def client(seed: int) -> int:
        rng = random.Random(seed)
        posted = 0
        for _ in range(5):
            batch = [TransferRequest(*rng.sample(accounts, 2), D(rng.randint(1, 40000)) / 100) for _ in range(20)]
            try:
                outcomes = transfer_batch_create(transfers=batch, atomic=rng.random() < 0.5, initiated_by=None)
            except ApplicationError as error:  # an atomic batch refused as a whole
                assert error.code == "batch_refused"
                continue
            posted += sum(isinstance(outcome, Journal) for outcome in outcomes)
        return posted

    with ThreadPoolExecutor(8) as pool:
        posted = sum(pool.map(client, range(8)))
    assert Journal.objects.filter(kind="transfer").count() == posted
    assert_books_balance(total)
    assert not Account.objects.filter(kind="customer", balance__lt=0).exists()


def test_a_batch_audit_event_names_what_it_posted_as_the_rows_are(account, second_account, other_account):
    """The event's journals are made before the lock (audit_piece) and joined after: it names
    the posted journals only, each with its legs as the locked rows have them, and the chain
    verifies. A request whose account number is not its row's is named by the row."""
    from audit.models import AuditEvent
    from audit.selectors import audit_chain_verify
    from transactions.services import AccountRef

    mislabelled = AccountRef(second_account.pk, "NOT-ITS-NUMBER", second_account.currency)
    results = transfer_batch_create(
        transfers=[
            TransferRequest(account, other_account, D("10.00"), "one é"),
            TransferRequest(account, other_account, D("999999.00"), ""),  # refused: insufficient funds
            TransferRequest(account, mislabelled, D("2.50"), ""),  # type: ignore[arg-type]
        ],
        atomic=False,
    )
    posted = [r for r in results if isinstance(r, Journal)]
    assert [type(r) for r in results] == [Journal, ApplicationError, Journal]
    event = AuditEvent.objects.get(action="journal.batch")
    assert event.after == {
        "journals": [
            {
                "reference": journal.reference,
                "kind": "transfer",
                "description": journal.description,
                "reversal_of": None,
                "legs": [[account.number, f"-{amount}"], [destination.number, amount]],
            }
            for journal, destination, amount in zip(
                posted, [other_account, second_account], ["10.00", "2.50"], strict=True
            )
        ]
    }
    assert event.object_id == str(posted[0].pk)
    assert audit_chain_verify().ok
