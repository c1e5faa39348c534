"""Throwaway PostgreSQL clusters and app nodes for the federation tests.

Each cluster is initdb'd into a temporary directory and served by the local PostgreSQL
binaries on a free loopback port, with `wal_level=logical` and `max_prepared_transactions`
set, so the tests neither depend on nor disturb the shared server. As root (CI), the
server runs as the `postgres` OS user, which PostgreSQL insists on. Each node is this
project run as separate processes (gunicorn, management commands) whose environment
points at its own cluster: a real second bank or branch server, not a thread.
Everything started here is stopped and removed by the fixtures' teardown.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
# Debian's layout; the newest installed version unless PG_BIN says otherwise.
PG_BIN = Path(
    os.environ.get("PG_BIN")
    or max(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name),
        default="/usr/lib/postgresql/15/bin",
    )
)
BIN = Path(sys.executable).parent
TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (OSError, psycopg.Error, requests.RequestException):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs the tests as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self, name: str) -> None:
        self.name = name
        self.root = Path(tempfile.mkdtemp(prefix=f"bank-pg-{name}-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "server.log"
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def init(self) -> Cluster:
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        return self

    def start(self) -> Cluster:
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c max_prepared_transactions=20",
                "-c wal_level=logical",
                "-c max_connections=60",
                "-c shared_buffers=32MB",
                "-c fsync=off",  # the OS keeps what a killed process wrote; only a machine crash loses it
            ]
        )
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"]
            ),
            check=True,
            capture_output=True,
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            check=False,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def conninfo(self, db: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def sql(self, db: str, query: str, params: Any = None) -> list[tuple]:
        with psycopg.connect(self.conninfo(db), autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def value(self, db: str, query: str, params: Any = None) -> Any:
        return self.sql(db, query, params)[0][0]


@contextmanager
def clusters(*names: str) -> Iterator[list[Cluster]]:
    made = [Cluster(name) for name in names]
    try:
        for cluster in made:
            cluster.init().start()
        yield made
    finally:
        for cluster in made:
            cluster.destroy()


class Node:
    """This project, run as separate processes against one database: a bank or branch server."""

    def __init__(self, name: str, cluster: Cluster, db: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.cluster = cluster
        self.db = db
        self.port = free_port()
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "HOME": str(workdir),
            # A real-length key (the app refuses weak ones) and plain HTTP on loopback.
            "SECRET_KEY": f"node-{name}-test-only-" + "k" * 48,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "THROTTLE_ANON": "100000/min",
            "THROTTLE_USER": "100000/min",
            "DATABASE_URL": cluster.url(db),
            "DB_CONN_MAX_AGE": "0",
            "LOG_FORMAT": "console",
            "LOG_LEVEL": "WARNING",
            "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
            **env,
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, timeout: float = 180, extra_env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env | (extra_env or {}),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(f"{self.name}: manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def spawn(self, key: str, args: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.workdir / f"{self.name}-{key}.log").open("a")
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env | (extra_env or {}), stdout=log, stderr=subprocess.STDOUT)
        self.processes[key] = proc
        return proc

    def serve(self, extra_env: dict[str, str] | None = None) -> Node:
        self.spawn(
            "web",
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "bankingsystem.wsgi"],
            {"GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "2", "GUNICORN_TIMEOUT": "120"}
            | (extra_env or {}),
        )
        wait_for(f"{self.name} to serve", lambda: requests.get(f"{self.base_url}/healthz", timeout=2).ok)
        return self

    def kill(self, key: str, sig: int = signal.SIGKILL) -> None:
        """SIGKILL a process and, for gunicorn, its workers (its whole process group is ours)."""
        proc = self.processes.pop(key)
        # Frozen first: a gunicorn master that saw its workers die would fork a replacement,
        # which outlived the master and went on answering on the inherited socket.
        signal_quietly(proc.pid, signal.SIGSTOP)
        for pid in child_pids(proc.pid):
            signal_quietly(pid, sig)
        signal_quietly(proc.pid, sig)
        signal_quietly(proc.pid, signal.SIGCONT)  # so a signal other than SIGKILL is handled
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for key in list(self.processes):
            self.kill(key, signal.SIGKILL)

    def log(self, key: str) -> str:
        path = self.workdir / f"{self.name}-{key}.log"
        return path.read_text() if path.exists() else ""


def child_pids(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return []
    return [int(line) for line in out.split()]


def signal_quietly(pid: int, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, sig)


def migrated_template(cluster: Cluster, env: dict[str, str], workdir: Path, name: str = "bank_template") -> str:
    """Migrate one database on `cluster` to copy node databases from (CREATE DATABASE ... TEMPLATE)."""
    cluster.sql("postgres", f"CREATE DATABASE {name}")
    Node("template", cluster, name, env, workdir).manage("migrate", "--noinput", "-v0", timeout=300)
    return name


def database_from(cluster: Cluster, template: str, name: str) -> str:
    cluster.sql("postgres", f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


SEED = """
import json
from decimal import Decimal
from accounts.models import Account
from accounts.tests.factories import AccountTypeFactory, BranchFactory, account_create
from customers.tests.factories import CustomerFactory
branch = BranchFactory(code={branch!r})
kind = AccountTypeFactory(code="federation", daily_debit_limit=Decimal("100000000.00"))
numbers = [
    account_create(owner=CustomerFactory(), account_type=kind, branch=branch, balance=Decimal({opening!r})).number
    for _ in range({count})
]
for number in numbers[:{closed}]:
    Account.objects.filter(number=number).update(status="closed")
print(json.dumps(numbers))
"""


def seed_accounts(node: Node, *, branch: str, count: int, opening: str, closed: int = 0) -> list[str]:
    """Open `count` funded customer accounts at `branch` on `node` (the first `closed` closed)."""
    out = node.shell(SEED.format(branch=branch, count=count, opening=opening, closed=closed))
    return json.loads(out.strip().splitlines()[-1])


def customer_total(node: Node) -> Decimal:
    return node.cluster.value(node.db, "SELECT coalesce(sum(balance), 0) FROM accounts_account WHERE kind = 'customer'")


def balance_of(node: Node, number: str) -> Decimal:
    return node.cluster.value(node.db, "SELECT balance FROM accounts_account WHERE number = %s", [number])


def prepared_gids(node: Node) -> list[str]:
    return [row[0] for row in node.cluster.sql(node.db, "SELECT gid FROM pg_prepared_xacts ORDER BY gid")]


def ledger_ok(node: Node) -> bool:
    return "The ledger is consistent." in node.manage("ledger_check")
