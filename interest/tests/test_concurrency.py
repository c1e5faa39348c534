"""Two workers at once (real threads, real PostgreSQL connections): a day is accrued once,
an account is posted once a period, and posting does not deadlock with customers' money."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections

from accounts.models import Account
from interest.models import AccrualRun, InterestAccrual, InterestPosting, PostingFailure
from interest.services import interest_accrue_through, interest_post_period
from transactions.models import Journal
from transactions.selectors import ledger_integrity_report
from transactions.services import transfer_create

from .conftest import account_on, on, product_create

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]
D = Decimal
JAN1, JAN31 = date(2026, 1, 1), date(2026, 1, 31)


def run_together(*calls: Callable[[], object]) -> list[BaseException]:
    """Start every call at the same moment, each on its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_workers_accrue_each_day_once(customer):
    kind = product_create()
    accounts = [account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="1000") for _ in range(5)]
    with on(date(2026, 2, 1)):
        errors = run_together(*[lambda: interest_accrue_through(through=JAN31, start=JAN1)] * 2)
    assert errors == []
    assert AccrualRun.objects.count() == 31
    assert InterestAccrual.objects.count() == 31 * len(accounts)
    assert sorted(AccrualRun.objects.values_list("accounts", flat=True)) == [5] * 31


def test_two_workers_post_each_account_once_while_customers_transfer(customer, other_customer):
    kind = product_create(code="current", overdraft_rate="12", overdraft_limit="100000")
    accounts = [account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="50000") for _ in range(6)]
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=JAN31, start=JAN1)
        journals = Journal.objects.count()

        def transfers() -> None:
            for index in range(10):
                source, destination = accounts[index % 6], accounts[(index + 3) % 6]
                transfer_create(source=source, destination=destination, amount=D("100.00"))
                transfer_create(source=destination, destination=source, amount=D("100.00"))

        errors = run_together(
            lambda: interest_post_period(period_end=JAN31),
            lambda: interest_post_period(period_end=JAN31),
            transfers,
        )
    assert errors == []
    assert InterestPosting.objects.count() == len(accounts)
    assert Journal.objects.filter(kind="interest").count() == len(accounts)
    assert Journal.objects.count() == journals + len(accounts) + 20
    # 50,000.00 x 4% x 31/365 = 169.8630... for each account
    assert set(InterestPosting.objects.values_list("amount", flat=True)) == {D("169.86")}
    assert ledger_integrity_report().ok
    assert all(p.period_start == JAN1 and p.days == 31 for p in InterestPosting.objects.all())


def test_runs_with_different_chunks_at_once_post_each_account_once(customer):
    """Three runs over the same period whose chunks overlap differently: they queue on the
    account locks, and each account is posted by whichever reaches it first, once."""
    kind = product_create(code="saver")
    accounts = [account_on(date(2025, 12, 31), owner=customer, account_type=kind, balance="50000") for _ in range(14)]
    with on(date(2026, 2, 1)):
        interest_accrue_through(through=JAN31, start=JAN1)
    closed = accounts[5]
    Account.objects.filter(pk=closed.pk).update(status="closed")  # accrued, then closed: refused
    with on(date(2026, 2, 1)):
        errors = run_together(
            lambda: interest_post_period(period_end=JAN31, chunk_size=4),
            lambda: interest_post_period(period_end=JAN31, chunk_size=5),
            lambda: interest_post_period(period_end=JAN31, chunk_size=1),
        )
    assert errors == []
    posted = list(InterestPosting.objects.values_list("account_id", flat=True))
    assert sorted(posted) == sorted(a.pk for a in accounts if a.pk != closed.pk)  # each once
    assert Journal.objects.filter(kind="interest").count() == len(accounts) - 1
    assert set(InterestPosting.objects.values_list("amount", flat=True)) == {D("169.86")}
    # Every run found the closed account still unposted and logged it.
    assert list(PostingFailure.objects.values_list("account_id", flat=True)) == [closed.pk] * 3
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert "The ledger is consistent." in out.getvalue()
