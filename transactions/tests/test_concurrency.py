"""Real concurrent clients against real PostgreSQL: threads with their own connections,
and HTTP clients against a live server. Afterwards the money must add up exactly."""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import psycopg
import pytest
import requests
from django.db import connection
from django.db.models import Sum

from accounts.models import Account
from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from bankingsystem.errors import ApplicationError
from customers.tests.factories import TEST_PASSWORD, CustomerFactory
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import journal_reverse, transfer_create

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

D = Decimal
CLIENTS = 8


def customer_accounts(n: int, opening: Decimal) -> list[Account]:
    branch = BranchFactory()
    kind = AccountTypeFactory(code="race", daily_debit_limit=D("100000000.00"))
    return [
        account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=opening) for _ in range(n)
    ]


def customer_total() -> Decimal:
    return Account.objects.filter(kind="customer").aggregate(total=Sum("balance"))["total"]


def assert_books_balance(expected_customer_total: Decimal) -> None:
    assert customer_total() == expected_customer_total
    assert not Account.objects.filter(kind="customer", balance__lt=0).exists()
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()


def in_thread(work):  # type: ignore[no-untyped-def]
    """Run `work` with this thread's own database connection, closed afterwards."""

    def run(*args):  # type: ignore[no-untyped-def]
        try:
            return work(*args)
        finally:
            connection.close()

    return run


def test_concurrent_transfers_through_the_service_layer(transactional_db):
    accounts = customer_accounts(4, D("1000.00"))
    total = customer_total()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    @in_thread
    def client(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(40):
            source, destination = rng.sample(accounts, 2)
            amount = D(rng.randint(1, 60000)) / 100
            try:
                transfer_create(source=source, destination=destination, amount=amount)
                outcome = "posted"
            except ApplicationError as error:
                outcome = error.code
            with lock:
                outcomes[outcome] += 1

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))

    assert outcomes["posted"] > 0
    assert set(outcomes) <= {"posted", "insufficient_funds"}, outcomes
    assert Journal.objects.filter(kind="transfer").count() == outcomes["posted"]
    assert_books_balance(total)


def test_opposite_transfers_do_not_deadlock(transactional_db):
    a, b = customer_accounts(2, D("500.00"))

    @in_thread
    def shuttle(direction: int) -> int:
        source, destination = (a, b) if direction == 0 else (b, a)
        for _ in range(50):
            transfer_create(source=source, destination=destination, amount=D("1.00"))
        return 50

    with ThreadPoolExecutor(CLIENTS) as pool:
        assert sum(pool.map(shuttle, [i % 2 for i in range(CLIENTS)])) == 400
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance == b.balance == D("500.00")
    assert_books_balance(D("1000.00"))


def test_concurrent_reversals_of_one_journal_post_once(transactional_db):
    a, b = customer_accounts(2, D("500.00"))
    journal = transfer_create(source=a, destination=b, amount=D("100.00"))
    barrier = threading.Barrier(CLIENTS)

    @in_thread
    def reverse(_: int) -> str:
        barrier.wait()
        try:
            journal_reverse(journal=journal, reason="race", initiated_by=None)
            return "reversed"
        except ApplicationError as error:
            return error.code

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = Counter(pool.map(reverse, range(CLIENTS)))
    assert results == {"reversed": 1, "journal_already_reversed": CLIENTS - 1}
    assert_books_balance(D("1000.00"))


# --- Over HTTP ------------------------------------------------------------------------------


def token_for(base: str, username: str) -> str:
    response = requests.post(
        f"{base}/api/v1/auth/token/", json={"username": username, "password": TEST_PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def test_concurrent_http_clients_keep_the_books(live_server, transactional_db):
    accounts = customer_accounts(4, D("2000.00"))
    total = customer_total()
    base = live_server.url
    tokens = {acc.pk: token_for(base, acc.owner.user.username) for acc in accounts}
    statuses: Counter[int] = Counter()
    acknowledged: list[int] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        source = accounts[seed % len(accounts)]
        session.headers["Authorization"] = f"Bearer {tokens[source.pk]}"
        for _ in range(20):
            destination = rng.choice([a for a in accounts if a.pk != source.pk])
            body = {
                "source_account": source.number,
                "destination_account": destination.number,
                "amount": f"{rng.randint(1, 80000) / 100:.2f}",
            }
            key = str(uuid.uuid4())
            # A careful client sometimes retries with the same key: it must not pay twice.
            for _attempt in range(rng.choice([1, 1, 2])):
                response = session.post(
                    f"{base}/api/v1/transfers/", json=body, headers={"Idempotency-Key": key}, timeout=60
                )
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 201 and response.headers.get("Idempotent-Replayed") != "true":
                        acknowledged.append(response.json()["id"])
                if response.status_code >= 500:
                    break

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))

    assert not [status for status in statuses if status >= 500], statuses
    assert set(statuses) <= {201, 422}, statuses
    # Every acknowledged transfer is in the ledger, once; replays moved nothing.
    assert len(acknowledged) == len(set(acknowledged))
    assert Journal.objects.filter(kind="transfer").count() == len(acknowledged)
    assert set(Journal.objects.filter(kind="transfer").values_list("pk", flat=True)) == set(acknowledged)
    assert_books_balance(total)


def test_identical_requests_racing_with_one_key_move_money_once(live_server, transactional_db):
    source, destination = customer_accounts(2, D("1000.00"))
    base = live_server.url
    token = token_for(base, source.owner.user.username)
    body = {"source_account": source.number, "destination_account": destination.number, "amount": "10.00"}

    for round_ in range(5):
        key = f"race-{round_}"
        barrier = threading.Barrier(CLIENTS)

        def send(_: int) -> requests.Response:
            barrier.wait()  # noqa: B023  (used within this loop iteration only)
            return requests.post(
                f"{base}/api/v1/transfers/",
                json=body,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},  # noqa: B023
                timeout=60,
            )

        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = list(pool.map(send, range(CLIENTS)))
        codes = Counter(r.status_code for r in responses)
        assert set(codes) <= {201, 409}, codes
        assert codes[201] >= 1
        created = {r.json()["id"] for r in responses if r.status_code == 201}
        assert len(created) == 1  # every 201 is the same journal, replayed
        for r in responses:
            if r.status_code == 409:
                assert r.json()["code"] == "idempotency_key_in_flight"

    source.refresh_from_db()
    assert source.balance == D("950.00")
    assert Journal.objects.filter(kind="transfer").count() == 5
    assert_books_balance(D("2000.00"))


@pytest.mark.django_db(transaction=True)
def test_an_answer_committed_after_the_look_up_is_replayed(monkeypatch):
    """The key's claim and look-up are one statement, whose snapshot predates the claim: the
    key's first request may commit its answer in between. Another connection commits one
    just then; this request's transfer is rolled back and that answer replayed."""
    import json

    from conftest import client_for
    from transactions import idempotency

    source, destination = customer_accounts(2, D("100.00"))
    dsn = connection.get_connection_params()
    other = psycopg.connect(
        host=dsn.get("host"), port=dsn.get("port"), user=dsn.get("user"), dbname=dsn["dbname"], autocommit=True
    )
    record = idempotency._answer_record

    def first_request_commits_meanwhile(user_id, key, fingerprint, response):  # type: ignore[no-untyped-def]
        other.execute(
            "INSERT INTO transactions_idempotencykey (user_id, key, request_fingerprint, response_status,"
            " response_body, created_at) VALUES (%s, %s, %s, 201, %s, now())",
            [user_id, key, fingerprint, json.dumps({"first": "answer"})],
        )
        return record(user_id, key, fingerprint, response)

    monkeypatch.setattr(idempotency, "_answer_record", first_request_commits_meanwhile)
    try:
        body = {"source_account": source.number, "destination_account": destination.number, "amount": "10"}
        api = client_for(source.owner.user)
        response = api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="late")
    finally:
        other.close()
    assert (response.status_code, response.json()) == (201, {"first": "answer"})
    assert response["Idempotent-Replayed"] == "true"
    source.refresh_from_db()
    assert source.balance == D("100.00")  # this request's own transfer was rolled back
    assert Journal.objects.filter(kind="transfer").count() == 0


def test_request_with_key_in_flight_gets_409(api, customer, account, other_account, settings):
    """Hold the key's in-flight lock from another connection, as a first request would."""
    dsn = connection.get_connection_params()
    holder = psycopg.connect(
        host=dsn.get("host"), port=dsn.get("port"), user=dsn.get("user"), dbname=dsn["dbname"], autocommit=False
    )
    try:
        holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{customer.user.pk}:slow-key"]
        )
        body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
        response = api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow-key")
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_key_in_flight"
    finally:
        holder.rollback()
        holder.close()
    account.refresh_from_db()
    assert account.balance == D("1000.00")
    response = api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow-key")
    assert response.status_code == 201
