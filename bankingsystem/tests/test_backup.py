"""`make backup` then `make restore` into a fresh database gives a bank whose ledger and
audit chain both verify (issue 12). Real pg_dump and pg_restore, real make targets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.tests.factories import account_create
from customers.tests.factories import CustomerFactory
from transactions.models import Entry, Journal
from transactions.services import transfer_create, withdrawal_create

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def make(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python"
    return subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def database_url(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def test_a_restored_backup_verifies(tmp_path, branch, savings_type):
    if connection.vendor != "postgresql":
        pytest.skip("backups are pg_dump's")
    ann, ben = CustomerFactory(), CustomerFactory()
    first = account_create(owner=ann, account_type=savings_type, branch=branch, balance=Decimal("1000.00"))
    second = account_create(owner=ben, account_type=savings_type, branch=branch, balance=Decimal("250.50"))
    for amount in ("10.00", "0.01", "99.99"):
        transfer_create(source=first, destination=second, amount=Decimal(amount))
    withdrawal_create(account=second, amount=Decimal("5.25"))
    journals, entries = Journal.objects.count(), Entry.objects.count()

    restored = f"{connection.settings_dict['NAME']}_restored"[:63]
    env = {**os.environ, "BACKUP_DIR": str(tmp_path)}
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'drop database if exists "{restored}"')
    try:
        printed = make("backup", env={**env, "DATABASE_URL": database_url(connection.settings_dict["NAME"])})
        dump = Path(printed.strip().splitlines()[-1])
        assert dump.exists() and dump.stat().st_size > 0

        target = {**env, "DATABASE_URL": database_url(restored)}
        make("restore", f"BACKUP={dump}", env=target)
        ledger = manage("ledger_check", env=target)
        assert ledger.returncode == 0, ledger.stdout + ledger.stderr
        assert f"{journals} journals, {entries} entries" in ledger.stdout
        assert "The ledger is consistent." in ledger.stdout
        audit = manage("audit_verify", env=target)
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert int(re.search(r"audit chain OK: (\d+) events", audit.stdout).group(1)) > 0

        # The append-only guards came back with the data: the restored ledger refuses edits.
        with psycopg.connect(database_url(restored)) as restored_db, pytest.raises(psycopg.Error):
            restored_db.execute("update transactions_entry set amount = amount + 1")

        # A second restore into a database that has tables is refused, not merged.
        again = subprocess.run(
            ["make", "--no-print-directory", "restore", f"BACKUP={dump}"], cwd=ROOT, env=target, capture_output=True,
            text=True,
        )  # fmt: skip
        assert again.returncode != 0 and "already has tables" in again.stdout + again.stderr
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'drop database if exists "{restored}" with (force)')
