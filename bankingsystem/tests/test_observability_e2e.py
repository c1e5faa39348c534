"""End to end on loopback: gunicorn (gunicorn.conf.py, two workers, multiprocess metrics),
a real Celery worker with its metrics server, and a real Prometheus scraping both. A
customer signs in and makes a transfer over HTTP; the integrity check runs on the worker;
the domain metrics are read back through Prometheus's query API, and the logs are JSON
with request and task ids and without the password or the token.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from accounts.tests.factories import account_create
from bankingsystem.tests.test_ops_configs import tool
from customers.tests.factories import TEST_PASSWORD, CustomerFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WAIT_SECONDS = 90  # an upper bound for things to happen, not a speed requirement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check, seconds: float = WAIT_SECONDS):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
        except (requests.RequestException, KeyError, IndexError, ValueError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.5)


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def json_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_transfer_metric_reaches_prometheus_and_logs_stay_clean(tmp_path):
    prometheus = tool("prometheus")
    customer = CustomerFactory(user__username="meera")
    other = CustomerFactory(user__username="kabir")
    source = account_create(owner=customer, balance=Decimal("1000.00"))
    destination = account_create(owner=other, balance=Decimal("0.00"))

    web_port, worker_port, prometheus_port = free_port(), free_port(), free_port()
    db = settings.DATABASES["default"]
    env = {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),  # gunicorn refuses a weak key with DEBUG off
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "PASSWORD_HASHERS": ",".join(settings.PASSWORD_HASHERS),
        "METRICS_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    assert env["REDIS_URL"], "the test needs Redis (make test sets REDIS_URL)"
    web_env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "web-metrics"),
    }
    worker_env = env | {
        "CELERY_METRICS_PORT": str(worker_port),
        "CELERY_METRICS_ADDR": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "worker-metrics"),
    }
    (tmp_path / "prometheus.yml").write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "scrape_configs": [
                    {"job_name": "web", "static_configs": [{"targets": [f"127.0.0.1:{web_port}"]}]},
                    {"job_name": "celery", "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}]},
                ],
            }
        )
    )
    web_log, worker_log = tmp_path / "web.log", tmp_path / "worker.log"
    with (
        process([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "bankingsystem.wsgi"], web_env, web_log),
        process(
            [str(BIN / "celery"), "-A", "bankingsystem", "worker", "-E", "--concurrency", "2", "--loglevel", "INFO"],
            worker_env,
            worker_log,
        ),
        process(
            [
                prometheus,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
            env,
            tmp_path / "prometheus.log",
        ),
    ):
        web = f"http://127.0.0.1:{web_port}"
        wait_for("gunicorn", lambda: requests.get(f"{web}/readyz", timeout=5).status_code == 200)

        token = requests.post(
            f"{web}/api/v1/auth/token/", json={"username": "meera", "password": TEST_PASSWORD}, timeout=10
        ).json()["access"]
        response = requests.post(
            f"{web}/api/v1/transfers/",
            json={"source_account": source.number, "destination_account": destination.number, "amount": "125.00"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        from transactions.tasks import ledger_integrity_check

        result = ledger_integrity_check.delay()
        assert result.get(timeout=WAIT_SECONDS) is True

        def query(expr: str) -> float | None:
            body = requests.get(
                f"http://127.0.0.1:{prometheus_port}/api/v1/query", params={"query": expr}, timeout=5
            ).json()
            assert body["status"] == "success", body
            return float(body["data"]["result"][0]["value"][1]) if body["data"]["result"] else None

        def equals(expr: str, value: float):  # type: ignore[no-untyped-def]
            return lambda: query(expr) == value

        wait_for("the posted transfer", equals('sum(bank_money_movements_total{kind="transfer",outcome="posted"})', 1))
        wait_for("the transfer's amount", equals('sum(bank_money_movement_amount_sum{kind="transfer"})', 125))
        wait_for(
            "the HTTP metrics of both gunicorn workers",
            equals('sum(django_http_responses_total_by_status_view_method_total{view="transfer",status="201"})', 1),
        )
        wait_for("the ledger gauges", equals('bank_ledger_imbalance{currency="INR"}', 0))
        assert wait_for("the last check time", lambda: query("bank_ledger_integrity_last_check_timestamp_seconds"))
        wait_for(
            "the task outcome",
            equals('sum(celery_task_succeeded_total{name="transactions.ledger_integrity_check"})', 1),
        )
        wait_for("the worker", equals('celery_worker_up{job="celery"}', 1))

    web_lines, worker_lines = json_lines(web_log), json_lines(worker_log)
    for log in (web_log, worker_log):
        text = log.read_text()
        assert TEST_PASSWORD not in text and token not in text and "Bearer" not in text
    transfer_logs = [line for line in web_lines if line.get("request") == "POST /api/v1/transfers/"]
    assert transfer_logs and all(line["request_id"] for line in transfer_logs)
    finished = next(line for line in transfer_logs if line["event"] == "request_finished")
    assert finished["user_id"] == customer.user_id and finished["code"] == 201
    task_lines = [line for line in worker_lines if line.get("task_id") == result.id]
    assert {"task_started", "task_succeeded"} <= {line["event"] for line in task_lines}
    assert any(line["event"] == "ledger_integrity_ok" for line in task_lines)
    shutil.rmtree(tmp_path / "tsdb", ignore_errors=True)
