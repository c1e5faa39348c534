from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from customers import roles
from customers.models import Customer

from .models import Account, AccountChange, ClosedAccount


def account_list_for(*, user: AbstractBaseUser) -> QuerySet[Account]:
    """Customer accounts this user may see: their own, or every customer's for bank staff."""
    accounts = Account.objects.filter(kind=Account.Kind.CUSTOMER).select_related(
        "branch", "account_type", "owner__user"
    )
    if roles.is_staff_member(user):
        return accounts
    return accounts.filter(owner__user=user)


def account_get_for(*, user: AbstractBaseUser, number: str) -> Account:
    """One visible account; another customer's account is reported as missing (404), not forbidden."""
    account = account_list_for(user=user).filter(number=number).first()
    if account is None:
        raise Http404("No such account.")
    return account


def account_get_by_number(*, number: str) -> Account | None:
    """Any customer account of this bank, for the receiving side of a transfer."""
    return Account.objects.filter(kind=Account.Kind.CUSTOMER, number=number).first()


def transfer_accounts_get(
    *, user: AbstractBaseUser, source: str, destination: str, extra: tuple[str, str, dict[str, Any]] | None = None
) -> tuple[Account, Account | None]:
    """Both sides of a transfer in one statement (two before): the source as `account_get_for`
    gives it (the caller's own, any customer's for staff; 404 otherwise) and the destination
    as `account_get_by_number` (any customer account of this bank; None when there is none).

    Only the accounts' own columns are read: the services lock and read both rows again.
    `extra` is (name, an SQL expression on the account row `a`, its named parameters),
    computed in the same statement and set on both accounts as `name`. Plain SQL: the ORM
    took 1.3 ms of CPU to build this statement (with a subquery as `extra`), RawQuerySet 0.3 ms,
    building the two accounts from the row about 0.1 ms."""
    name, expression, params = extra or ("extra", "NULL", {})
    sql = _transfer_accounts_sql(name, expression)
    params = {**params, "kind": Account.Kind.CUSTOMER.value, "source": source, "destination": destination}
    if connection.vendor == "postgresql":  # psycopg returns the fields' own types: no converters to run
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [_account_with(row, name) for row in cursor.fetchall()]
    else:
        rows = list(Account.objects.raw(sql, params))
    by_number = {account.number: account for account in rows}
    sender = by_number.get(source)
    if sender is None or (sender.owner_user_id != user.pk and not roles.is_staff_member(user)):  # type: ignore[attr-defined]
        raise Http404("No such account.")
    return sender, by_number.get(destination)


@functools.cache
def _transfer_accounts_sql(name: str, expression: str) -> str:
    """transfer_accounts_get's statement, built once per `extra` (the same on every request)."""
    quote = connection.ops.quote_name
    return f"""
        SELECT {", ".join(f"a.{quote(f.column)}" for f in Account._meta.concrete_fields)},
               c.{quote("user_id")} AS owner_user_id, ({expression}) AS {quote(name)}
        FROM {quote(Account._meta.db_table)} a
        LEFT JOIN {quote(Customer._meta.db_table)} c ON c.{quote("id")} = a.{quote("owner_id")}
        WHERE a.{quote("kind")} = %(kind)s AND a.{quote("number")} IN (%(source)s, %(destination)s)
    """  # noqa: S608 (names from the models, values are parameters)


_ACCOUNT_ATTNAMES = [f.attname for f in Account._meta.concrete_fields]


def _account_with(row: tuple, name: str) -> Account:
    width = len(_ACCOUNT_ATTNAMES)
    account = Account.from_db(connection.alias, _ACCOUNT_ATTNAMES, row[:width])
    account.owner_user_id, extra = row[width:]  # type: ignore[misc]
    setattr(account, name, extra)
    return account


def account_changes_for(*, account: Account) -> QuerySet[AccountChange]:
    return AccountChange.objects.filter(account=account).select_related("changed_by").order_by("-pk")


def closed_account_list() -> QuerySet[ClosedAccount]:
    return ClosedAccount.objects.select_related("closed_by").order_by("-pk")
