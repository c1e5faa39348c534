"""Fraud screening's reads: on PostgreSQL one statement (risk.selectors), the same answer as
the ORM's reads that serve SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import account_create
from risk.features import HISTORY_DAYS, HISTORY_DEBITS
from risk.selectors import _screening_reads_orm, screening_reads
from transactions.services import deposit_create, transfer_create, withdrawal_create

D = Decimal
UTC = ZoneInfo("UTC")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one statement is PostgreSQL's")
def test_one_statement_reads_the_debits_their_counterparties_and_the_model_as_the_orm_does(
    customer, other_customer, branch, savings_type
):
    sender = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("100000.00"))
    payees = [account_create(owner=other_customer, account_type=savings_type, branch=branch) for _ in range(3)]
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    # Older than the window, then debits over three months (two monthly partitions and more),
    # more of them than the read keeps, with credits and cash between them.
    moments = [start - timedelta(days=HISTORY_DAYS + 5)] + [
        start + timedelta(hours=7 * i) for i in range(HISTORY_DEBITS * 2 + 15)
    ]
    for i, moment in enumerate(moments):
        with time_machine.travel(moment, tick=False):
            transfer_create(source=sender, destination=payees[i % 3], amount=D(i + 1))
            if i % 10 == 0:
                withdrawal_create(account=sender, amount=D("1.00"))
                deposit_create(account=sender, amount=D("2.00"))
    now = moments[-1] + timedelta(hours=1)
    with CaptureQueriesContext(connection) as ctx:
        debits, model = screening_reads(account=sender, now=now)
    assert len(ctx.captured_queries) == 1
    assert (debits, model) == _screening_reads_orm(account=sender, now=now)
    assert len(debits) == HISTORY_DEBITS * 2
    assert {d.destination_id for d in debits} >= {p.pk for p in payees}
    assert any(d.destination_id not in {p.pk for p in payees} for d in debits)  # the cash vault's leg
    # An account with no debits in the window: no counterparties to read, no model yet.
    assert screening_reads(account=payees[0], now=timezone.now()) == ([], None)
