from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from customers import roles

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


def account_changes_for(*, account: Account) -> QuerySet[AccountChange]:
    return AccountChange.objects.filter(account=account).select_related("changed_by").order_by("-pk")


def closed_account_list() -> QuerySet[ClosedAccount]:
    return ClosedAccount.objects.select_related("closed_by").order_by("-pk")
