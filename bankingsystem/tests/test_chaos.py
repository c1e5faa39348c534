"""The bank workload, short, inside `make test` (`make chaos` runs the long one): real
gunicorn, Celery and clients over HTTP against a throwaway PostgreSQL and Redis, with every
kind of fault injected at least once, and no anomaly allowed."""

from __future__ import annotations

import shutil

import pytest

from chaos.workload import FAULTS, run
from interbank.tests.cluster import PG_BIN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or shutil.which("redis-server") is None,
        reason="needs PostgreSQL's server binaries and redis-server (.ci/run installs them)",
    ),
]


def test_the_bank_keeps_its_invariants_under_faults():
    summary = run(duration=45, clients=6, readers=2, customers=8, workers=2, seed=1)
    report = summary.text()
    print(report)
    assert summary.anomalies == [], report
    assert all(summary.faults[fault] >= 1 for fault in FAULTS), report
    # Not vacuous: money moved through every path while the faults hit.
    for kind in ("deposit", "withdrawal", "transfer"):
        assert summary.operations[f"{kind} acked"] > 20, report
    assert summary.operations["bad_input refused"] > 0, report
    assert summary.reads["integrity reports"] > 10, report
    assert summary.server_errors > 0, "the faults were felt by clients (and retried)"
