"""Interest needs history: accounts opened and funded on past days. The tests travel in
time (time-machine) so that journals, entries and accounts carry the dates they would
have had; the ledger itself is written through its real services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from accounts.models import Account, AccountType
from accounts.tests.factories import AccountTypeFactory, account_create
from interest.services import interest_product_set, interest_rate_set

D = Decimal


@contextmanager
def on(day: date, hour: int = 12, minute: int = 0) -> Iterator[None]:
    """Be at `hour:minute` on `day`, bank time."""
    moment = datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(moment, tick=False):
        yield


def product_create(
    *,
    code: str = "saver",
    rate: str = "4",
    overdraft_rate: str = "0",
    overdraft_limit: str = "0",
    effective_from: date = date(2000, 1, 1),
    currency: str = "INR",
    **options: object,
) -> AccountType:
    account_type = AccountTypeFactory(
        code=code,
        currency=currency,
        overdraft_limit=D(overdraft_limit),
        per_transaction_limit=D("10000000"),
        daily_debit_limit=D("10000000"),
    )
    interest_product_set(account_type=account_type, **options)  # type: ignore[arg-type]
    interest_rate_set(
        account_type=account_type, effective_from=effective_from, annual_rate=D(rate), overdraft_rate=D(overdraft_rate)
    )
    return account_type


def account_on(day: date, *, owner, account_type: AccountType, balance: str = "0") -> Account:  # type: ignore[no-untyped-def]
    """An account opened (and funded through the ledger) on `day`."""
    with on(day, hour=10):
        return account_create(owner=owner, account_type=account_type, balance=D(balance))


@pytest.fixture
def saver(db) -> AccountType:
    return product_create()
