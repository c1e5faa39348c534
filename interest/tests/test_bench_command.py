"""`manage.py bench_interest` (part of `make bench`) runs end to end on a small scratch
database, so a schema change cannot silently break the benchmark's raw seeding SQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_interest_benchmark_runs_on_a_small_database():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark is PostgreSQL's")
    settings = connection.settings_dict
    server = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    name = f"{settings['NAME']}_interest_bench"[:63]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        done = subprocess.run(
            [sys.executable, "manage.py", "bench_interest", "--accounts", "300", "--posting-accounts", "30"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": f"{server}/{name}"}, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"accrual of \S+: 300 accounts in [\d.]+ s", done.stdout), done.stdout
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
