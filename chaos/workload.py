"""The bank workload under faults (issue 12), in the spirit of Jepsen's bank test.

A throwaway PostgreSQL cluster and Redis server (so restarting them hurts nobody), the app
under gunicorn (the production config, several workers), a Celery worker and beat. Client
threads make deposits, withdrawals and transfers over HTTP with an Idempotency-Key each and
retry timeouts, connection errors, 5xx, 409 (in flight) and 429 with the same key, as a
careful client does; a few send deliberately bad input. Reader threads keep reading the
ledger's integrity report (every figure in it is one SQL statement, so one snapshot) and
customers' balances. Meanwhile a fault thread SIGKILLs gunicorn workers and the Celery
worker, terminates PostgreSQL connections, restarts PostgreSQL (immediate mode: a crash)
and restarts Redis.

At the end, and in every read during the run:
- all balances sum to zero (double entry) and the ledger proves itself (`ledger_check`);
- customers' money = opening + deposits - withdrawals, counting every operation that
  committed, including those whose answer the client never got (found by the unique tag
  each operation carries in its description);
- no balance below its limit; each idempotency key moved money at most once; every
  acknowledged operation is in the ledger; no bad input was ever answered 2xx or 5xx.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import requests

from interbank.tests.cluster import BIN, Cluster, Node, child_pids, free_port, signal_quietly, wait_for

FAULTS = ["gunicorn_worker_killed", "celery_worker_killed", "connections_terminated", "postgres_restarted",
          "redis_restarted"]  # fmt: skip
RETRYABLE = {409, 429, 500, 502, 503, 504}
# What a valid request may be refused with, given the state of the bank (not malformed input).
BUSINESS_REFUSALS = {"insufficient_funds", "daily_limit_exceeded", "amount_above_limit"}

SEED = """
import json
from decimal import Decimal
from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from customers import roles
from customers.services import ClientInfo, session_start
from customers.tests.factories import CustomerFactory, staff_user_create
branch = BranchFactory(code="0001")
kind = AccountTypeFactory(code="chaos", per_transaction_limit=Decimal("1000000.00"),
                          daily_debit_limit=Decimal("1000000000.00"))
client = ClientInfo(ip_address="127.0.0.1", user_agent="chaos")
customers = []
for _ in range({count}):
    customer = CustomerFactory()
    account = account_create(owner=customer, account_type=kind, branch=branch, balance=Decimal({opening!r}))
    customers.append({{"number": account.number, "token": session_start(user=customer.user, client=client).access}})
auditor = staff_user_create(username="chaos-auditor", role=roles.AUDITOR)
print(json.dumps({{"customers": customers, "auditor": session_start(user=auditor, client=client).access}}))
"""


@dataclass
class Operation:
    kind: str  # deposit, withdrawal, transfer, bad_input
    tag: str
    body: dict[str, Any] | str
    amount: Decimal = Decimal("0.00")
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    outcome: str = "ambiguous"  # acked, refused, ambiguous
    reference: str = ""
    code: str = ""


@dataclass
class Summary:
    operations: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    retries: int = 0
    server_errors: int = 0
    reads: Counter = field(default_factory=Counter)
    restarts: Counter = field(default_factory=Counter)
    anomalies: list[str] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        lines = ["bank workload summary", "  operations:"]
        lines += [f"    {key}: {count}" for key, count in sorted(self.operations.items())]
        lines.append(f"  retries: {self.retries} (server errors seen: {self.server_errors})")
        lines.append("  reads: " + ", ".join(f"{key} {count}" for key, count in sorted(self.reads.items())))
        lines.append("  faults: " + ", ".join(f"{key} {self.faults[key]}" for key in FAULTS))
        if self.restarts:
            lines.append("  processes restarted by the supervisor: " + ", ".join(
                f"{key} {count}" for key, count in sorted(self.restarts.items())))  # fmt: skip
        lines += [f"  {key}: {value}" for key, value in self.figures.items()]
        lines.append(f"  anomalies found: {len(self.anomalies)}")
        lines += [f"    - {anomaly}" for anomaly in self.anomalies[:50]]
        return "\n".join(lines)


class _ReadFailed(Exception):
    """A read answered other than 200 (expected while faults are injected)."""


class Redis:
    """A redis-server of our own on a free port, restartable."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.workdir / "redis.log").open("a")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for("redis", self.ping)

    def ping(self) -> bool:
        answer = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return answer.stdout.strip() == "PONG"

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)


class Bank:
    """Everything the workload starts, and how to break it."""

    def __init__(self, *, workers: int, customers: int, opening: Decimal) -> None:
        self.workdir = Path(mkdtemp(prefix="bank-chaos-"))
        self.cluster = Cluster("chaos")
        self.redis = Redis(self.workdir)
        self.workers = workers
        self.customer_count = customers
        self.opening = opening
        self.node: Node | None = None
        self.lock = threading.Lock()  # faults and the supervisor do not interleave

    def start(self) -> dict[str, Any]:
        self.cluster.init().start()
        self.cluster.sql("postgres", "CREATE DATABASE bank")
        self.redis.start()
        redis_url = f"redis://127.0.0.1:{self.redis.port}/0"
        self.node = Node("chaos", self.cluster, "bank", {
            "REDIS_URL": redis_url,
            "DB_CONN_MAX_AGE": "60",  # production's persistent connections: they must survive faults
            "JWT_ACCESS_MINUTES": "120",
            "THROTTLE_MONEY": "100000/min",
            "LOG_LEVEL": "ERROR",
        }, self.workdir)  # fmt: skip
        self.node.manage("migrate", "--noinput", "-v0", timeout=600)
        seeded = json.loads(self.node.shell(SEED.format(count=self.customer_count, opening=str(self.opening)))
                            .strip().splitlines()[-1])  # fmt: skip
        self.node.serve({"GUNICORN_WORKERS": str(self.workers), "GUNICORN_TIMEOUT": "30"})
        self._spawn_worker()
        self._spawn_beat()
        return seeded

    def _spawn_worker(self) -> None:
        assert self.node is not None
        self.node.spawn("worker", [str(BIN / "celery"), "-A", "bankingsystem", "worker", "-c", "2", "-l", "WARNING",
                                   "--without-mingle", "--without-gossip"])  # fmt: skip

    def _spawn_beat(self) -> None:
        assert self.node is not None
        self.node.spawn("beat", [str(BIN / "celery"), "-A", "bankingsystem", "beat", "-l", "WARNING",
                                 "-s", str(self.workdir / "beat-schedule")])  # fmt: skip

    def supervise(self, summary: Summary) -> None:
        """What Kubernetes would do: start again a process that died (beat may exit when
        its database goes away)."""
        assert self.node is not None
        with self.lock:
            for key, spawn in (("worker", self._spawn_worker), ("beat", self._spawn_beat)):
                process = self.node.processes.get(key)
                if process is not None and process.poll() is not None:
                    self.node.processes.pop(key)
                    spawn()
                    summary.restarts[key] += 1

    def inject(self, fault: str) -> None:
        assert self.node is not None
        with self.lock:
            if fault == "gunicorn_worker_killed":
                workers = child_pids(self.node.processes["web"].pid)
                if workers:
                    signal_quietly(random.choice(workers), signal.SIGKILL)
            elif fault == "celery_worker_killed":
                self.node.kill("worker")
                self._spawn_worker()
            elif fault == "connections_terminated":
                self.cluster.sql(
                    "postgres",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'bank' "
                    "AND pid <> pg_backend_pid()",
                )
            elif fault == "postgres_restarted":
                self.cluster.stop("immediate")  # a crash: no checkpoint, recovery from WAL
                time.sleep(0.5)
                self.cluster.start()
            elif fault == "redis_restarted":
                self.redis.kill()
                time.sleep(0.5)
                self.redis.start()

    def stop(self) -> None:
        if self.node is not None:
            self.node.stop_all()
        self.redis.kill()
        self.cluster.destroy()


class Workload:
    def __init__(self, bank: Bank, seeded: dict[str, Any], *, clients: int, readers: int, seed: int) -> None:
        self.bank = bank
        self.base = bank.node.base_url  # type: ignore[union-attr]
        self.customers = seeded["customers"]
        self.auditor = seeded["auditor"]
        self.clients = clients
        self.readers = readers
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.operations: list[Operation] = []
        self.summary = Summary()
        self.lock = threading.Lock()

    # --- clients -------------------------------------------------------------------------

    def _operation(self, rng: random.Random) -> tuple[Operation, dict[str, Any]]:
        customer = rng.choice(self.customers)
        tag = f"chaos:{uuid.uuid4()}"
        # Mostly everyday amounts; one in ten large enough that some are refused for funds.
        paise = rng.randint(500_000, 2_000_000) if rng.random() < 0.1 else rng.randint(1, 20_000)
        amount = Decimal(paise).scaleb(-2)
        roll = rng.random()
        if roll < 0.05:
            bad = rng.choice([
                {"account": customer["number"], "amount": "-5.00"},
                {"account": customer["number"], "amount": "NaN"},
                {"account": customer["number"], "amount": "1.001"},
                '{"account": "' + customer["number"] + '", "amount": "1.00", "amount": "900.00"}',
                "{not json",
            ])  # fmt: skip
            return Operation("bad_input", tag, bad), customer
        if roll < 0.30:
            body = {"account": customer["number"], "amount": str(amount), "description": tag}
            return Operation("deposit", tag, body, amount), customer
        if roll < 0.50:
            body = {"account": customer["number"], "amount": str(amount), "description": tag}
            return Operation("withdrawal", tag, body, amount), customer
        other = rng.choice([c for c in self.customers if c is not customer])
        body = {"source_account": customer["number"], "destination_account": other["number"],
                "amount": str(amount), "description": tag}  # fmt: skip
        return Operation("transfer", tag, body, amount), customer

    def _send(self, operation: Operation, customer: dict[str, Any], session: requests.Session) -> None:
        path = {"deposit": "deposits", "withdrawal": "withdrawals", "transfer": "transfers",
                "bad_input": "deposits"}[operation.kind]  # fmt: skip
        headers = {"Authorization": f"Bearer {customer['token']}", "Idempotency-Key": operation.tag,
                   "Content-Type": "application/json"}  # fmt: skip
        data = operation.body if isinstance(operation.body, str) else json.dumps(operation.body)
        deadline = time.monotonic() + 90
        delay = 0.1
        while time.monotonic() < deadline:
            operation.attempts += 1
            try:
                response = session.post(f"{self.base}/api/v1/{path}/", data=data, headers=headers, timeout=10)
            except requests.RequestException:
                operation.statuses.append(0)
            else:
                operation.statuses.append(response.status_code)
                if response.status_code not in RETRYABLE:
                    body = response.json() if response.content else {}
                    if response.ok:
                        operation.outcome, operation.reference = "acked", body.get("reference", "")
                    else:
                        operation.outcome, operation.code = "refused", body.get("code", "")
                    return
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def client(self, number: int) -> None:
        rng = random.Random(self.random.random() + number)
        session = requests.Session()
        while not self.stop.is_set():
            operation, customer = self._operation(rng)
            self._send(operation, customer, session)
            with self.lock:
                self.operations.append(operation)

    # --- readers -------------------------------------------------------------------------

    def reader(self, number: int) -> None:
        session = requests.Session()
        rng = random.Random(number)
        while not self.stop.is_set():
            try:
                if number % 2 == 0:
                    self._read_integrity(session)
                else:
                    self._read_balances(session, rng.choice(self.customers))
            except (requests.RequestException, ValueError, _ReadFailed):
                with self.lock:
                    self.summary.reads["failed (faults)"] += 1
            time.sleep(0.05)

    def _get(self, session: requests.Session, path: str, token: str) -> Any:
        response = session.get(f"{self.base}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if response.status_code != 200:
            raise _ReadFailed(response.status_code)
        return response.json()

    def _read_integrity(self, session: requests.Session) -> None:
        report = self._get(session, "ledger/integrity/", self.auditor)
        problems = []
        if not report["ok"]:
            problems.append(f"integrity report not ok during the run: {report}")
        if any(Decimal(total) != 0 for total in report["totals_by_currency"].values()):
            problems.append(f"balances do not sum to zero during the run: {report['totals_by_currency']}")
        with self.lock:
            self.summary.reads["integrity reports"] += 1
            self.summary.anomalies += problems

    def _read_balances(self, session: requests.Session, customer: dict[str, Any]) -> None:
        body = self._get(session, "accounts/", customer["token"])
        accounts = body["results"] if isinstance(body, dict) else body
        negative = [a for a in accounts if Decimal(a["balance"]) < 0]
        with self.lock:
            self.summary.reads["balance reads"] += 1
            self.summary.anomalies += [f"balance below its limit seen by a reader: {a}" for a in negative]

    # --- faults --------------------------------------------------------------------------

    def faults(self, interval: float) -> None:
        order: list[str] = []
        while not self.stop.wait(interval):
            if not order:
                order = FAULTS[:]
                self.random.shuffle(order)
            fault = order.pop()
            self.bank.inject(fault)
            with self.lock:
                self.summary.faults[fault] += 1
            time.sleep(1)
            self.bank.supervise(self.summary)

    # --- the run and the verdict ---------------------------------------------------------

    def run(self, duration: float) -> Summary:
        threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(self.clients)]
        threads += [threading.Thread(target=self.reader, args=(i,), daemon=True) for i in range(self.readers)]
        interval = max(2.0, duration / (2 * len(FAULTS) + 1))
        fault_thread = threading.Thread(target=self.faults, args=(interval,), daemon=True)
        for thread in [*threads, fault_thread]:
            thread.start()
        time.sleep(duration)
        self.stop.set()
        fault_thread.join()
        for thread in threads:
            thread.join(timeout=120)
        self.bank.supervise(self.summary)
        self.verify()
        return self.summary

    def verify(self) -> None:
        cluster, summary = self.bank.cluster, self.summary
        # The stack is healthy again before we judge it.
        wait_for("the app after the faults", lambda: requests.get(f"{self.base}/readyz", timeout=5).ok, timeout=120)
        committed = dict(
            cluster.sql(
                "bank",
                "SELECT description, count(*) FROM transactions_journal WHERE description LIKE 'chaos:%%' "
                "GROUP BY description",
            )
        )
        references = {row[0] for row in cluster.sql("bank", "SELECT reference FROM transactions_journal")}
        moved = Counter()
        for operation in self.operations:
            summary.operations[f"{operation.kind} {operation.outcome}"] += 1
            summary.retries += operation.attempts - 1
            summary.server_errors += sum(1 for status in operation.statuses if status >= 500)
            times = committed.get(operation.tag, 0)
            if times > 1:
                summary.anomalies.append(f"{operation.tag} moved money {times} times")
            if operation.kind == "bad_input":
                if operation.outcome != "refused" or not any(400 <= s < 500 for s in operation.statuses):
                    summary.anomalies.append(f"bad input answered {operation.statuses}: {operation.body!r}")
                continue
            if operation.outcome == "acked" and (times != 1 or operation.reference not in references):
                summary.anomalies.append(f"acknowledged {operation.kind} {operation.reference} is not in the ledger")
            if operation.outcome == "refused":
                if times:
                    summary.anomalies.append(f"refused {operation.kind} {operation.tag} moved money")
                if operation.code not in BUSINESS_REFUSALS:
                    summary.anomalies.append(f"valid {operation.kind} refused with {operation.code}")
            if times:
                moved[operation.kind] += operation.amount
        ambiguous_committed = sum(
            1 for o in self.operations if o.outcome == "ambiguous" and committed.get(o.tag, 0) == 1
        )
        opening = self.bank.opening * len(self.customers)
        expected = opening + moved["deposit"] - moved["withdrawal"]
        actual = cluster.value("bank", "SELECT coalesce(sum(balance), 0) FROM accounts_account WHERE kind = 'customer'")
        everyone = cluster.value("bank", "SELECT coalesce(sum(balance), 0) FROM accounts_account")
        if actual != expected:
            summary.anomalies.append(f"customers hold {actual}, expected {expected} (opening + deposits - withdrawals)")
        if everyone != 0:
            summary.anomalies.append(f"all balances sum to {everyone}, not zero")
        below = cluster.value("bank", "SELECT count(*) FROM accounts_account WHERE kind = 'customer' "
                                      "AND balance < -overdraft_limit")  # fmt: skip
        if below:
            summary.anomalies.append(f"{below} accounts below their limit")
        duplicates = cluster.value("bank", "SELECT count(*) FROM (SELECT user_id, key FROM transactions_idempotencykey "
                                           "GROUP BY 1, 2 HAVING count(*) > 1) d")  # fmt: skip
        if duplicates:
            summary.anomalies.append(f"{duplicates} idempotency keys recorded twice")
        try:
            self.bank.node.manage("ledger_check")  # type: ignore[union-attr]
        except AssertionError as error:
            summary.anomalies.append(f"ledger_check failed: {error}")
        summary.figures = {
            "customers' money": f"{actual} = opening {opening} + deposits {moved['deposit']} - withdrawals "
            f"{moved['withdrawal']}",
            "transfers moved": str(moved["transfer"]),
            "unanswered operations found committed": str(ambiguous_committed),
            "ledger_check": "consistent" if not any("ledger_check" in a for a in summary.anomalies) else "FAILED",
        }


def run(*, duration: float = 180, clients: int = 12, readers: int = 4, customers: int = 20, workers: int = 3,
        seed: int = 0) -> Summary:  # fmt: skip
    bank = Bank(workers=workers, customers=customers, opening=Decimal("10000.00"))
    try:
        seeded = bank.start()
        return Workload(bank, seeded, clients=clients, readers=readers, seed=seed).run(duration)
    finally:
        if not os.environ.get("CHAOS_KEEP"):
            bank.stop()
