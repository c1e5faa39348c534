"""`make bench`'s quick size runs end to end (the CI smoke run the issue asks for): the
service-layer, hot-account, transfer-statement-under-pgbench, batch and interest scenarios
against a scratch database, a report with every figure, and a consistent ledger afterwards.
No figure is asserted: speed is measured by the bench, not by tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_quick_bench_runs_and_leaves_the_ledger_consistent(tmp_path):
    db = connection.settings_dict
    # Named after this test database, so parallel test workers never share scratch databases.
    bench_db = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}_bench"
    report = tmp_path / "benchmarks.md"
    try:
        done = _bench(bench_db, report)
        # The probes docs/performance.md cites run on the database a bench run leaves.
        probes = [
            _probe(bench_db, *args)
            for args in (["batch", "--batches", "1"], ["http", "--requests", "5"], ["transfers", "--count", "20"])
        ]
    finally:
        subprocess.run(
            [
                "psql",
                "-h",
                db["HOST"] or "127.0.0.1",
                "-U",
                db["USER"],
                "-d",
                "postgres",
                "-c",
                f"DROP DATABASE IF EXISTS {db['NAME']}_bench WITH (FORCE)",
            ],
            capture_output=True,
        )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = report.read_text()
    for scenario in (
        "pgbench TPC-B (baseline)",
        "service layer, 8 processes",
        "hot account",
        "the service's transfer statement alone via pgbench",
        "the service's transfer statement alone via pgbench, hot account",
        "batch posting over HTTP",
        "interest accrual, one day, 20,000 accounts",
        "interest posting, one month",
    ):
        assert f"| {scenario}" in text, scenario
    assert "Ledger check after the run: The ledger is consistent." in text
    # pgbench ran the service's own statement, and every transaction of it posted a transfer.
    posted = re.findall(r"([\d,]+) journals posted by ([\d,]+) transactions", text)
    assert len(posted) == 2 and all(journals == transactions != "0" for journals, transactions in posted), posted
    for probe in probes:
        assert probe.returncode == 0, probe.stderr[-3000:]
    batch, http, transfers = probes
    assert "1 requests of 1,000 transfers" in batch.stdout and "locked section (lock to COMMIT)" in batch.stdout
    assert "5 transfers over HTTP" in http.stdout and "statements of one request" in http.stdout
    assert "1 processes x 20 service-layer transfers" in transfers.stdout and "client CPU" in transfers.stdout


def _bench(bench_db: str, report: Path) -> subprocess.CompletedProcess:
    return _run(bench_db, "bench.run", "--quick", "--only", "service,hot,sql,batch,interest", "--report", str(report))


def _probe(bench_db: str, *args: str) -> subprocess.CompletedProcess:
    return _run(bench_db, "bench.probes", *args)


def _run(bench_db: str, module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BENCH_DATABASE_URL": bench_db, "BENCH_REDIS_URL": settings.REDIS_URL or ""},
        capture_output=True,
        text=True,
        timeout=900,
    )
