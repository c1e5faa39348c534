"""Two banks, each its own throwaway PostgreSQL cluster, exchanging transfers over Redis
Streams: many at once in both directions, every event published twice on purpose, the
receiving consumer SIGKILLed mid-stream and restarted (its pending entries reclaimed with
XAUTOCLAIM), rejected transfers refunded. At the end each bank's ledger balances and the
money sent equals the money received plus the refunds."""

from __future__ import annotations

import json
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import redis
from django.conf import settings

from accounts.numbers import account_number_build

from .cluster import (
    BIN,
    Node,
    clusters,
    customer_total,
    database_from,
    ledger_ok,
    migrated_template,
    seed_accounts,
    wait_for,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (make test sets REDIS_URL)"),
]
D = Decimal

SEND = """
import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from django.db import connection
from accounts.models import Account
from bankingsystem.errors import ApplicationError
from interbank.services import interbank_transfer_create

def send(item):
    source, destination, amount = item
    try:
        interbank_transfer_create(
            source=Account.objects.get(number=source), destination_number=destination, amount=Decimal(amount)
        )
        return "sent"
    except ApplicationError as refusal:
        return refusal.code
    finally:
        connection.close()

with ThreadPoolExecutor(4) as pool:
    print(json.dumps(list(pool.map(send, json.loads({plan!r})))))
"""


@pytest.fixture(scope="module")
def banks(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("banks")
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    common = {
        "INTERBANK_REDIS_URL": settings.REDIS_URL,
        "INTERBANK_STREAM_PREFIX": prefix,
        "INTERBANK_CLAIM_IDLE_MS": "1500",
        "INTERBANK_PUBLISH_TWICE": "true",  # every event delivered twice, on purpose
    }
    with clusters("alpha", "beta") as (alpha_pg, beta_pg):
        with ThreadPoolExecutor(2) as pool:
            templates = list(pool.map(lambda pg: migrated_template(pg, common, workdir), [alpha_pg, beta_pg]))
        alpha = Node("alpha", alpha_pg, database_from(alpha_pg, templates[0], "bank_alpha"), {}, workdir)
        beta = Node("beta", beta_pg, database_from(beta_pg, templates[1], "bank_beta"), {}, workdir)
        alpha.env |= common | {"BANK_CODE": "101", "INTERBANK_BANKS": "102"}
        beta.env |= common | {"BANK_CODE": "102", "INTERBANK_BANKS": "101"}
        try:
            yield alpha, beta
        finally:
            alpha.stop_all()
            beta.stop_all()
            broker = redis.Redis.from_url(settings.REDIS_URL)
            for key in broker.scan_iter(f"{prefix}*"):
                broker.delete(key)


def worker(node: Node, name: str, fault: str = "") -> None:
    node.spawn(
        "worker",
        [str(BIN / "python"), "manage.py", "interbank_worker", "--consumer", name],
        {"FAULT_POINTS": fault} if fault else None,
    )


def scalar(node: Node, query: str, params: list | None = None):  # type: ignore[no-untyped-def]
    return node.cluster.value(node.db, query, params)


def transfers_total(node: Node, direction: str, status: str) -> Decimal:
    return scalar(
        node,
        "SELECT coalesce(sum(amount), 0) FROM interbank_interbanktransfer WHERE direction = %s AND status = %s",
        [direction, status],
    )


def test_many_transfers_both_ways_with_a_killed_consumer_and_duplicates(banks):
    alpha, beta = banks
    alpha_accounts = seed_accounts(alpha, branch="0001", count=4, opening="10000.00")
    beta_accounts = seed_accounts(beta, branch="0001", count=4, opening="3000.00", closed=1)
    closed, unknown = beta_accounts[0], account_number_build(bank_code="102", branch_code="0001", serial=999999)
    before = customer_total(alpha) + customer_total(beta)

    # 60 from alpha to beta (every fifth to the closed account, every seventh to no account), 20 back.
    to_beta = [
        [
            alpha_accounts[i % 4],
            closed if i % 5 == 0 else unknown if i % 7 == 0 else beta_accounts[1 + i % 3],
            f"{10 + i}.50",
        ]
        for i in range(60)
    ]
    to_alpha = [[beta_accounts[1 + i % 3], alpha_accounts[i % 4], f"{5 + i}.25"] for i in range(20)]

    broker = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    stream = f"{alpha.env['INTERBANK_STREAM_PREFIX']}102"
    worker(alpha, "alpha-1")
    # beta's first consumer stops after committing its first event, before XACK...
    worker(beta, "beta-1", fault="interbank.consumer_before_ack")
    with ThreadPoolExecutor(2) as pool:
        sending = [
            pool.submit(alpha.shell, SEND.format(plan=json.dumps(to_beta))),
            pool.submit(beta.shell, SEND.format(plan=json.dumps(to_alpha))),
        ]
        wait_for("beta-1 to stop before XACK", lambda: "FAULT POINT" in beta.log("worker"))
        beta.kill("worker", signal.SIGKILL)  # ... and dies there, mid-stream
        results = [json.loads(future.result().strip().splitlines()[-1]) for future in sending]
    assert results == [["sent"] * 60, ["sent"] * 20]
    left = broker.xpending_range(stream, "bank-102", min="-", max="+", count=1000, consumername="beta-1")
    assert left, "the killed consumer left entries pending"
    worker(beta, "beta-2")  # a new consumer: it must XAUTOCLAIM what beta-1 left pending

    def settled() -> bool:
        pending = "SELECT count(*) FROM interbank_interbanktransfer WHERE direction = 'out' AND status = 'pending'"
        return scalar(alpha, pending) == 0 and scalar(beta, pending) == 0

    wait_for("every transfer to be answered", settled, timeout=180)
    wait_for("beta's stream to have nothing pending", lambda: broker.xpending(stream, "bank-102")["pending"] == 0)

    refused = [t for t in to_beta if t[1] in (closed, unknown)]
    for sender, receiver in [(alpha, beta), (beta, alpha)]:
        sent = scalar(
            sender, "SELECT coalesce(sum(amount), 0) FROM interbank_interbanktransfer WHERE direction = 'out'"
        )
        credited = transfers_total(receiver, "in", "credited")
        refunded = transfers_total(sender, "out", "refunded")
        assert transfers_total(sender, "out", "credited") == credited
        assert sent == credited + refunded  # the money sent equals the money received plus refunds
    assert scalar(alpha, "SELECT count(*) FROM interbank_interbanktransfer WHERE status = 'refunded'") == len(refused)
    assert transfers_total(alpha, "out", "refunded") == sum(D(t[2]) for t in refused)

    # Every event arrived twice and was handled once.
    events_to_beta = scalar(alpha, "SELECT count(*) FROM interbank_outboxevent")
    assert broker.xlen(stream) == 2 * events_to_beta
    assert scalar(beta, "SELECT count(*) FROM interbank_inboxevent") == events_to_beta
    assert scalar(beta, "SELECT count(*) FROM interbank_interbanktransfer WHERE direction = 'in'") == 60

    # Each bank's ledger balances; what is in flight between them nets to zero.
    assert ledger_ok(alpha) and ledger_ok(beta)
    clearing = "SELECT coalesce(sum(balance), 0) FROM accounts_account WHERE gl_code = 'interbank_clearing'"
    assert scalar(alpha, clearing) + scalar(beta, clearing) == 0
    assert customer_total(alpha) + customer_total(beta) == before
