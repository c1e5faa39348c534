from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, AccountType, Branch
from accounts.services import account_open


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{n % 9000 + 1:04d}")
    name = factory.Sequence(lambda n: f"Branch {n}")


class AccountTypeFactory(DjangoModelFactory):
    class Meta:
        model = AccountType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.LazyAttribute(lambda t: t.code.title())
    currency = "INR"
    minimum_balance = Decimal("0.00")
    overdraft_limit = Decimal("0.00")
    per_transaction_limit = Decimal("200000.00")
    daily_debit_limit = Decimal("500000.00")


def account_create(
    *,
    owner,  # type: ignore[no-untyped-def]
    account_type: AccountType | None = None,
    branch: Branch | None = None,
    balance: Decimal = Decimal("0.00"),
    status: str = Account.Status.ACTIVE,
) -> Account:
    """An account opened through the service and funded through the ledger (a real deposit),
    so its balance always equals its entries."""
    from transactions.services import deposit_create

    account = account_open(
        owner=owner, account_type=account_type or AccountTypeFactory(), branch=branch or BranchFactory()
    )
    if balance:
        deposit_create(account=account, amount=balance, description="Opening deposit")
    if status != Account.Status.ACTIVE:
        Account.objects.filter(pk=account.pk).update(status=status)
    account.refresh_from_db()
    return account
