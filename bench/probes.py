"""Probes for finding where time goes between `make bench` runs (docs/performance.md cites
their figures). They run against the database a bench run left (BENCH_DATABASE_URL, its
10,000 accounts and their customers) and print CPU per operation, which holds steadier than
wall-clock figures on a shared machine.

    python -m bench.probes http [--requests 300]     # single transfers over HTTP, in process
    python -m bench.probes batch [--batches 20]      # a 1,000-transfer batch request, in process
    python -m bench.probes transfers [--processes 8] [--hot]   # service-layer transfers
    python -m bench.probes cpu [--seconds 60]        # CPU by process group, every second

`http` and `batch` post through Django's whole stack (test client, a real token and
Idempotency-Key, the bodies bench.run sends) and report the web process's and its
PostgreSQL backend's CPU per request; `http` also the statements of one request, `batch`
where the section from the accounts' lock to COMMIT goes (the batches of concurrent
requests queue on each other's row locks there). `transfers` runs `transfer_create` in a
loop in N processes at once and reports each one's client and backend CPU per transfer.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import multiprocessing
import os
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from bench.run import accounts_by_owner, accounts_load, batch_body, django_setup, machine_cpu_ticks, transfer_pair

HZ = os.sysconf("SC_CLK_TCK")


def _process_cpu_ticks(pid: int | str) -> int:
    """CPU time (user + system) a process has used, in clock ticks (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _backend_cpu_ms(pid: int) -> float:
    """CPU a process has used, in ms: our PostgreSQL backend's."""
    return _process_cpu_ticks(pid) * 1000 / HZ


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class _Timers:
    """Wall time spent in wrapped functions, and in the locked section (from the return of
    the accounts' lock to the end of the COMMIT after it)."""

    def __init__(self) -> None:
        self.spent: collections.Counter[str] = collections.Counter()
        self.locked_at: float | None = None

    def wrap(self, module: object, name: str) -> None:
        func = getattr(module, name)

        @functools.wraps(func)
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.spent[name] += time.perf_counter() - started
                if name == "_accounts_lock_values":
                    self.locked_at = time.perf_counter()

        setattr(module, name, timed)

    def wrap_commit(self, connection: object) -> None:
        commit = connection.commit  # type: ignore[attr-defined]

        def timed_commit() -> None:
            started = time.perf_counter()
            commit()
            ended = time.perf_counter()
            self.spent["COMMIT"] += ended - started
            if self.locked_at is not None:
                self.spent["locked section (lock to COMMIT)"] += ended - self.locked_at
                self.locked_at = None

        connection.commit = timed_commit  # type: ignore[attr-defined]


class _Api:
    """Django's whole stack in this process, as the bench's clients call it: the accounts and
    fresh tokens of the database a bench run left (bench.run.accounts_load)."""

    def __init__(self) -> None:
        django_setup()
        from django.test import Client

        self.data = accounts_load()
        self.by_owner, self.numbers = accounts_by_owner(self.data)
        self.rng = random.Random(7)
        self.client = Client(raise_request_exception=True, HTTP_HOST="127.0.0.1")

    def transfer(self) -> tuple[int, str]:
        """An owner and the body of one transfer from one of their accounts (bench/transfer.lua's)."""
        owner = self.rng.choice(list(self.by_owner))
        source, destination = self.rng.choice(self.by_owner[owner]), self.rng.choice(self.numbers)
        while destination == source:
            destination = self.rng.choice(self.numbers)
        amount = f"{self.rng.randint(1, 9999) / 100:.2f}"
        body = {"source_account": source, "destination_account": destination, "amount": amount, "description": "bench"}
        return owner, json.dumps(body)

    def batch(self) -> tuple[int, str]:
        """An owner and the body of a batch of 1,000 from their accounts (bench.run.http_batches')."""
        return batch_body(self.rng, self.by_owner, self.numbers, 1000)

    def post(self, path: str, owner: int, body: str) -> dict:
        response = self.client.post(
            path,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.data['tokens'][owner]}",
            HTTP_IDEMPOTENCY_KEY=f"probe-{time.perf_counter_ns()}",
        )
        assert response.status_code in (200, 201), response.content[:300]
        return response.json()


def _cpu_per_request(api: _Api, path: str, bodies: list[tuple[int, str]], backend: int) -> tuple[float, float, float]:
    """Web CPU, backend CPU and wall time per request (ms) of posting `bodies`."""
    cpu, backend_cpu, wall = time.process_time(), _backend_cpu_ms(backend), time.perf_counter()
    for owner, body in bodies:
        api.post(path, owner, body)
    count = len(bodies)
    return (
        1000 * (time.process_time() - cpu) / count,
        (_backend_cpu_ms(backend) - backend_cpu) / count,
        1000 * (time.perf_counter() - wall) / count,
    )


def probe_http(requests: int) -> None:
    api = _Api()
    from django.db import connection

    from bankingsystem.process import collector_tune

    for _ in range(30):  # connect, warm caches and prepared statements
        api.post("/api/v1/transfers/", *api.transfer())
    collector_tune()  # as gunicorn's workers are
    statements: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        api.post("/api/v1/transfers/", *api.transfer())
    web, backend, wall = _cpu_per_request(
        api, "/api/v1/transfers/", [api.transfer() for _ in range(requests)], _backend_pid()
    )
    print(f"{requests} transfers over HTTP; per request:")
    print(f"  web CPU {web:.2f} ms, backend CPU {backend:.2f} ms, wall {wall:.2f} ms")
    print(f"  statements of one request, besides BEGIN and COMMIT: {len(statements)}")
    for sql in statements:
        print(f"    {' '.join(sql.split())[:110]}")


def probe_batch(batches: int) -> None:
    api = _Api()
    from django.db import connection

    from bankingsystem.process import collector_tune
    from transactions import idempotency, services

    api.post("/api/v1/transfers/batch/", *api.batch())  # connect, warm caches
    collector_tune()  # as gunicorn's workers are
    backend = _backend_pid()
    timers = _Timers()
    for module, name in (
        (services, "_accounts_lock_values"),
        (services, "_journals_post"),
        (services, "_ledger_write_postgresql"),
        (services, "audit_step"),
        (idempotency, "_answer_record"),
    ):
        timers.wrap(module, name)
    timers.wrap_commit(connection)
    web, backend_cpu, wall = _cpu_per_request(
        api, "/api/v1/transfers/batch/", [api.batch() for _ in range(batches)], backend
    )
    print(f"{batches} requests of 1,000 transfers; per request:")
    print(f"  web CPU {web:.1f} ms, backend CPU {backend_cpu:.1f} ms")
    print(f"  wall {wall:.1f} ms, of which (wall):")
    for name, seconds in timers.spent.most_common():
        print(f"    {name:34s} {1000 * seconds / batches:6.1f} ms")


def _transfer_worker(count: int, hot: bool, seed: int, start: object, results: object) -> None:
    django_setup()
    from accounts.models import Account
    from bankingsystem.process import collector_tune
    from transactions.services import transfer_create

    accounts = [
        Account(pk=pk, currency="INR", number=number)
        for pk, number in Account.objects.filter(kind=Account.Kind.CUSTOMER).order_by("pk").values_list("pk", "number")
    ]
    rng = random.Random(seed)

    transfer_create(source=accounts[1], destination=accounts[2], amount=Decimal("0.01"))  # connect, warm
    collector_tune()
    backend = _backend_pid()
    start.wait()  # type: ignore[attr-defined]
    cpu, backend_cpu, wall = time.process_time(), _backend_cpu_ms(backend), time.perf_counter()
    for _ in range(count):
        source, destination = transfer_pair(rng, accounts, hot=hot)
        amount = Decimal(rng.randint(1, 999)) / 100
        transfer_create(source=source, destination=destination, amount=amount, description="probe")
    cpu, backend_cpu = time.process_time() - cpu, _backend_cpu_ms(backend) - backend_cpu
    results.put((1000 * cpu / count, backend_cpu / count, 1000 * (time.perf_counter() - wall) / count))  # type: ignore[attr-defined]


def probe_transfers(processes: int, count: int, hot: bool) -> None:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_transfer_worker, args=(count, hot, seed, start, results)) for seed in range(processes)
    ]
    for worker in workers:
        worker.start()
    figures = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    kind = "hot-account" if hot else "service-layer"
    print(f"{processes} processes x {count:,} {kind} transfers; per transfer, each process:")
    for client, backend, wall in sorted(figures):
        print(f"  client CPU {client:.3f} ms, backend CPU {backend:.3f} ms, wall {wall:.3f} ms")


def _process_group(pid: str) -> tuple[str, int] | None:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        ticks = _process_cpu_ticks(pid)
    except OSError:
        return None
    if command.startswith("postgres:"):
        client = "127.0.0.1" in command or "[local]" in command
        return ("postgres backends" if client else "postgres (own processes)"), ticks
    for group in ("pgbench", "wrk"):
        if group in command:
            return group, ticks
    return ("python" if "python" in command or "gunicorn" in command else "other"), ticks


def probe_cpu(seconds: int) -> None:
    def sample() -> tuple[dict[str, tuple[str, int]], list[int]]:
        groups = {pid: g for pid in os.listdir("/proc") if pid.isdigit() and (g := _process_group(pid))}
        return groups, machine_cpu_ticks()

    previous = sample()
    for _ in range(seconds):
        time.sleep(1)
        current = sample()
        spent: collections.Counter[str] = collections.Counter()
        for pid, (group, ticks) in current[0].items():
            before = previous[0].get(pid)
            spent[group] += ticks - (before[1] if before and before[0] == group else 0)
        idle = (current[1][3] - previous[1][3]) * 1000 / HZ
        parts = ", ".join(f"{group} {ticks * 1000 / HZ:.0f}" for group, ticks in spent.most_common() if ticks)
        print(f"{time.strftime('%H:%M:%S')} CPU ms/s: {parts}; idle {idle:.0f}", flush=True)
        previous = current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    probes = parser.add_subparsers(dest="probe", required=True)
    http = probes.add_parser("http")
    http.add_argument("--requests", type=int, default=300)
    batch = probes.add_parser("batch")
    batch.add_argument("--batches", type=int, default=20)
    transfers = probes.add_parser("transfers")
    transfers.add_argument("--processes", type=int, default=1)
    transfers.add_argument("--count", type=int, default=2000)
    transfers.add_argument("--hot", action="store_true", help="every transfer debits the first account")
    cpu = probes.add_parser("cpu")
    cpu.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    run: dict[str, Callable[[], None]] = {
        "http": lambda: probe_http(args.requests),
        "batch": lambda: probe_batch(args.batches),
        "transfers": lambda: probe_transfers(args.processes, args.count, args.hot),
        "cpu": lambda: probe_cpu(args.seconds),
    }
    run[args.probe]()


if __name__ == "__main__":
    main()
