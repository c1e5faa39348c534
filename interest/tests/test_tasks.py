"""The schedule runs for real: django-celery-beat's entries, a `celery beat` process, and a
`celery worker` process on Redis, all against the test database. And the embedded default
(no Redis): `celery beat` alone, running the tasks eagerly in its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from bankingsystem.celery import app as celery_app
from interest.conventions import previous_month_end
from interest.models import AccrualRun, InterestAccrual, InterestPosting
from interest.schedule import SCHEDULE, schedule_install
from interest.services import bank_today, interest_accrue_through

from .conftest import account_on, on, product_create

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 120  # an upper bound for a slow machine, not a measurement


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DB_CONN_MAX_AGE": "0", **overrides}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "bankingsystem", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(condition, what: str, logs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in logs)
    pytest.fail(f"timed out waiting for {what}\n{tails}")


def _schedule_every_second(queue: str | None) -> None:
    """Make both interest entries due every second (and route them to this test's queue)."""
    schedule_install()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    for name, _, _ in SCHEDULE:
        entry = PeriodicTask.objects.get(name=name)
        entry.crontab = None
        entry.interval = every_second
        entry.queue = queue
        entry.save()


def _history_with_three_missed_days(customer):  # type: ignore[no-untyped-def]
    """An account with 100,000.00 since before last month; last month accrued but for its
    last three days (the beat was down)."""
    last_end = previous_month_end(bank_today())
    first = last_end.replace(day=1)
    account = account_on(first - timedelta(days=1), owner=customer, account_type=product_create(), balance="100000")
    with on(last_end):
        interest_accrue_through(through=last_end - timedelta(days=3), start=first)
    days = (last_end - first).days + 1
    # 100,000.00 x 4% x days / 365, rounded to paise.
    expected = Decimal(round(Fraction(100_000 * 4 * days, 100 * 365) * 100)) / 100
    return account, last_end, days, expected


def _assert_posted(account, last_end, days, expected) -> None:  # type: ignore[no-untyped-def]
    posting = InterestPosting.objects.get(account=account, period_end=last_end)
    assert (posting.days, posting.amount) == (days, expected)
    assert posting.journal is not None
    assert InterestAccrual.objects.filter(account=account, day__gt=last_end - timedelta(days=3)).count() >= 3
    account.refresh_from_db()
    assert account.balance == Decimal("100000.00") + expected


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_beat_sends_the_scheduled_tasks_to_a_real_worker_on_redis(customer, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    account, last_end, days, expected = _history_with_three_missed_days(customer)
    queue = f"interest-test-{uuid.uuid4().hex[:10]}"
    _schedule_every_second(queue)
    env = _env(CELERY_TASK_ALWAYS_EAGER="false")
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    node = f"{queue}@{socket.gethostname()}"
    worker_args = ["worker", "--pool=solo", "-Q", queue, "-n", node, "--without-mingle", "--without-gossip"]
    with _process([*worker_args, "-l", "info"], env, worker_log):
        _wait_for(lambda: celery_app.control.ping(destination=[node], timeout=1), "the worker", [worker_log])
        beat_args = ["beat", "-l", "info", "--max-interval", "1", "--pidfile", str(tmp_path / "beat.pid")]
        with _process(beat_args, env, beat_log):
            logs = [beat_log, worker_log]
            _wait_for(
                lambda: InterestPosting.objects.filter(account=account, period_end=last_end).exists(),
                "the posting",
                logs,
            )
            yesterday = bank_today() - timedelta(days=1)
            _wait_for(lambda: AccrualRun.objects.filter(day=yesterday).exists(), "yesterday's accrual", logs)
    _assert_posted(account, last_end, days, expected)
    worker_output = worker_log.read_text()
    assert "interest.post_due" in worker_output and "succeeded" in worker_output


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_redis_beat_runs_the_schedule_in_its_own_process(customer, tmp_path):
    """The embedded default of `make run`: no broker, and beat runs each task eagerly."""
    account, last_end, days, expected = _history_with_three_missed_days(customer)
    _schedule_every_second(None)
    env = _env(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER="true")
    beat_log = tmp_path / "beat.log"
    beat_args = ["beat", "-l", "info", "--max-interval", "1", "--pidfile", str(tmp_path / "beat.pid")]
    with _process(beat_args, env, beat_log):
        _wait_for(
            lambda: InterestPosting.objects.filter(account=account, period_end=last_end).exists(),
            "the posting",
            [beat_log],
        )
    _assert_posted(account, last_end, days, expected)
