from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import Account
from customers.models import Customer
from transactions.models import Entry, Journal
from transactions.tests.test_api import assert_problem

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_and_readyz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


def test_openapi_schema_generates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/transfers/" in text and "Idempotency-Key" in text


def test_swagger_ui_is_served_without_a_cdn(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"cdn.jsdelivr" not in page.content and b"/static/drf_spectacular_sidecar/" in page.content
    assert client.get("/api/schema/").status_code == 200


def test_unknown_api_path_and_wrong_method_are_problem_json(db):
    client = APIClient()
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    user_client = APIClient()
    from customers.tests.factories import UserFactory

    user_client.force_authenticate(UserFactory())
    assert_problem(user_client.delete("/api/v1/transfers/"), 405, "method_not_allowed")


def test_seed_demo_is_idempotent(db, capsys):
    call_command("seed_demo")
    counts = (Customer.objects.count(), Account.objects.count(), Journal.objects.count(), Entry.objects.count())
    call_command("seed_demo")
    assert (Customer.objects.count(), Account.objects.count(), Journal.objects.count(), Entry.objects.count()) == counts
    assert counts[0] == 3
    out = capsys.readouterr().out
    assert "arjun" in out and "teller" in out
    call_command("ledger_check")


def test_ledger_check_finds_a_tampered_balance(account):
    call_command("ledger_check")
    Account.objects.filter(pk=account.pk).update(balance=account.balance + Decimal("0.01"))
    with pytest.raises(CommandError, match="NOT consistent"):
        call_command("ledger_check")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_embedded_default_runs_on_sqlite_without_redis(tmp_path):
    """What `make run` does, on a fresh SQLite file with no Redis: migrate, seed twice, serve."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bank.sqlite3'}",
        "REDIS_URL": "",
        "SECRET_KEY": "embedded-default-test-key-0123456789-abcdefghijklmnop",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; production redirects to HTTPS
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    steps = (["migrate", "--noinput", "-v0"], ["seed_demo"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"])
    for command in steps:
        subprocess.run(manage + command, env=env, check=True, cwd=ROOT, capture_output=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded CI machine starts Django slowly
        while True:
            assert server.poll() is None, "the server exited"
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "the server did not answer within 180 s"
                time.sleep(0.5)
        token = requests.post(
            f"{base}/api/v1/auth/token/", json={"username": "arjun", "password": "arjun-demo-2026"}, timeout=10
        ).json()["access"]
        headers = {"Authorization": f"Bearer {token}"}
        accounts = requests.get(f"{base}/api/v1/accounts/", headers=headers, timeout=10).json()["results"]
        assert len(accounts) == 2  # seeding twice did not duplicate
        savings, current = accounts
        response = requests.post(
            f"{base}/api/v1/transfers/",
            json={"source_account": current["number"], "destination_account": savings["number"], "amount": "99.99"},
            headers={**headers, "Idempotency-Key": "embedded-1"},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
        assert requests.get(f"{base}/admin/login/", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    check = subprocess.run([*manage, "ledger_check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
