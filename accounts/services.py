from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import status

from audit.chain import jsonable
from audit.services import audit_record
from bankingsystem.db import retry_on_conflict
from bankingsystem.errors import ApplicationError
from cards.models import Card
from customers import roles
from customers.models import Customer
from notifications.models import Notification
from notifications.services import NotificationItem, notifications_send
from payments.models import StandingOrder

from .models import Account, AccountChange, AccountType, Branch, ClosedAccount
from .numbers import account_number_build

HEAD_OFFICE_CODE = "0000"


def _branch_next_serial(*, branch: Branch) -> int:
    # UPDATE takes the row lock, so two openings at one branch get distinct serials.
    Branch.objects.filter(pk=branch.pk).update(last_account_serial=F("last_account_serial") + 1)
    return Branch.objects.values_list("last_account_serial", flat=True).get(pk=branch.pk)


def _account_number_issue(*, branch: Branch) -> str:
    return account_number_build(
        bank_code=settings.BANK_CODE, branch_code=branch.code, serial=_branch_next_serial(branch=branch)
    )


@transaction.atomic
def account_open(
    *,
    owner: Customer,
    account_type: AccountType,
    branch: Branch,
    opened_by: AbstractBaseUser | None = None,
    nickname: str = "",
) -> Account:
    if not account_type.is_active:
        raise ApplicationError(
            "account_type_unavailable",
            f"Account type {account_type.code} is not offered any more.",
            status=status.HTTP_400_BAD_REQUEST,
            field="account_type",
        )
    if branch.code == HEAD_OFFICE_CODE:
        raise ApplicationError(
            "branch_unavailable",
            "Customer accounts are opened at a branch, not at the head office.",
            status=status.HTTP_400_BAD_REQUEST,
            field="branch",
        )
    account = Account.objects.create(
        number=_account_number_issue(branch=branch),
        kind=Account.Kind.CUSTOMER,
        owner=owner,
        branch=branch,
        account_type=account_type,
        currency=account_type.currency,
        overdraft_limit=account_type.overdraft_limit,
        nickname=nickname,
    )
    audit_record(
        action="account.open",
        actor=opened_by,
        obj=account,
        after={
            "owner": owner.user_id,
            "account_type": account_type.code,
            "branch": branch.code,
            "currency": account.currency,
            "overdraft_limit": account.overdraft_limit,
            "nickname": nickname,
        },
    )
    return account


@transaction.atomic
def head_office_get_or_create() -> Branch:
    branch, _ = Branch.objects.get_or_create(code=HEAD_OFFICE_CODE, defaults={"name": "Head office"})
    return branch


def gl_account_get_or_create(*, code: str, currency: str) -> Account:
    """The bank's own general-ledger account for `code` in `currency` (made on first use)."""
    account = Account.objects.filter(kind=Account.Kind.GENERAL_LEDGER, gl_code=code, currency=currency).first()
    if account is not None:
        return account
    with transaction.atomic():
        branch = head_office_get_or_create()
        account, _ = Account.objects.get_or_create(
            kind=Account.Kind.GENERAL_LEDGER,
            gl_code=code,
            currency=currency,
            defaults={"number": _account_number_issue(branch=branch), "branch": branch},
        )
    return account


# --- Lifecycle: freeze, dormancy, close, and edits, each recorded field by field -----------


def _is_bank_staff(user: AbstractBaseUser | None) -> bool:
    """Staff who may act on customers' accounts (auditors and loan officers only read)."""
    return roles.has_role(user, roles.TELLER, roles.ADMIN)


def _account_lock(account: Account) -> Account:
    return (
        Account.objects.select_for_update(of=("self",)).select_related("owner__user", "account_type").get(pk=account.pk)
    )


def _text(value: Any) -> str:
    rendered = jsonable(value)
    return "" if rendered is None else str(rendered)


def _account_change(
    *, account: Account, changes: dict[str, Any], actor: AbstractBaseUser | None, action: str, reason: str = ""
) -> Account:
    """Apply `changes` to a locked account: one UPDATE, one history row per field that
    really changed, and one audit event, all in the caller's transaction."""
    now = timezone.now()
    before = {name: getattr(account, name) for name in changes}
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return account
    for name, value in changed.items():
        setattr(account, name, value)
    Account.objects.filter(pk=account.pk).update(**changed)
    AccountChange.objects.bulk_create(
        [
            AccountChange(
                account=account,
                action=action,
                field=name,
                old_value=_text(before[name]),
                new_value=_text(value),
                reason=reason[:255],
                changed_by=actor,
                changed_at=now,
            )
            for name, value in changed.items()
        ]
    )
    audit_record(
        action=f"account.{action}",
        actor=actor,
        obj=account,
        before={name: before[name] for name in changed},
        after={**changed, "reason": reason} if reason else changed,
    )
    return account


def _refuse_closed(account: Account) -> None:
    if account.status == Account.Status.CLOSED:
        raise ApplicationError("account_closed", f"Account {account.number} is closed.", status=409)


def _status_notify(account: Account, title: str, body: str) -> None:
    notifications_send(
        items=[
            NotificationItem(
                account.owner.user_id, Notification.Kind.ACCOUNT_STATUS, title, body, {"account": account.number}
            )
        ]
    )


@retry_on_conflict
@transaction.atomic
def account_freeze(*, account: Account, actor: AbstractBaseUser, reason: str = "") -> Account:
    """Stop money leaving the account (it still receives). A customer freezes their own
    (a lost card, a suspicion); staff freeze any, and a staff freeze overrides a customer's."""
    account = _account_lock(account)
    _refuse_closed(account)
    by_staff = _is_bank_staff(actor)
    source = Account.FreezeSource.STAFF if by_staff else Account.FreezeSource.CUSTOMER
    if account.status == Account.Status.FROZEN and (
        account.freeze_source == Account.FreezeSource.STAFF or not by_staff
    ):
        raise ApplicationError("account_already_frozen", f"Account {account.number} is already frozen.", status=409)
    if account.status == Account.Status.DORMANT and not by_staff:
        raise ApplicationError(
            "account_dormant", f"Account {account.number} is dormant: ask the bank to reactivate it.", status=409
        )
    _account_change(
        account=account,
        changes={"status": Account.Status.FROZEN, "freeze_source": source},
        actor=actor,
        action="freeze",
        reason=reason,
    )
    _status_notify(
        account, f"Account XX{account.number[-4:]} frozen", reason or "No money can leave it until unfrozen."
    )
    return account


@retry_on_conflict
@transaction.atomic
def account_unfreeze(*, account: Account, actor: AbstractBaseUser, reason: str = "") -> Account:
    """Lift a freeze. Only staff lift a freeze staff put on."""
    account = _account_lock(account)
    if account.status != Account.Status.FROZEN:
        raise ApplicationError("account_not_frozen", f"Account {account.number} is not frozen.", status=409)
    if account.freeze_source == Account.FreezeSource.STAFF and not _is_bank_staff(actor):
        raise ApplicationError(
            "account_frozen_by_bank",
            f"Account {account.number} was frozen by the bank; only the bank can lift it.",
            status=403,
        )
    _account_change(
        account=account,
        changes={"status": Account.Status.ACTIVE, "freeze_source": Account.FreezeSource.NONE},
        actor=actor,
        action="unfreeze",
        reason=reason,
    )
    _status_notify(account, f"Account XX{account.number[-4:]} unfrozen", reason)
    return account


@retry_on_conflict
@transaction.atomic
def account_reactivate(*, account: Account, actor: AbstractBaseUser, reason: str = "") -> Account:
    """Staff bring a dormant account back (after seeing the customer); the dormancy clock restarts."""
    if not _is_bank_staff(actor):
        raise ApplicationError("permission_denied", "Only tellers and administrators reactivate accounts.", status=403)
    account = _account_lock(account)
    if account.status != Account.Status.DORMANT:
        raise ApplicationError("account_not_dormant", f"Account {account.number} is not dormant.", status=409)
    _account_change(
        account=account,
        changes={"status": Account.Status.ACTIVE, "last_customer_activity_at": timezone.now()},
        actor=actor,
        action="reactivate",
        reason=reason,
    )
    _status_notify(account, f"Account XX{account.number[-4:]} reactivated", reason)
    return account


def dormancy_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.ACCOUNT_DORMANCY_DAYS)


@retry_on_conflict
@transaction.atomic
def accounts_mark_dormant(*, now: datetime | None = None) -> list[str]:
    """Active customer accounts with no customer activity for ACCOUNT_DORMANCY_DAYS (since
    opening, if none ever) become dormant: they receive but cannot send until staff
    reactivate them. Set-based (a handful of statements whatever the count); idempotent.
    Returns the account numbers it made dormant."""
    now = now or timezone.now()
    due = list(
        Account.objects.filter(kind=Account.Kind.CUSTOMER, status=Account.Status.ACTIVE)
        .alias(quiet_since=Coalesce("last_customer_activity_at", "opened_at"))
        .filter(quiet_since__lt=dormancy_cutoff(now))
        .select_for_update(of=("self",), skip_locked=True)  # an account busy right now is not dormant
        .select_related("owner")
        .order_by("pk")
    )
    if not due:
        return []
    Account.objects.filter(pk__in=[a.pk for a in due]).update(status=Account.Status.DORMANT)
    AccountChange.objects.bulk_create(
        AccountChange(
            account=account,
            action="dormant",
            field="status",
            old_value=Account.Status.ACTIVE,
            new_value=Account.Status.DORMANT,
            reason=f"No customer activity for {settings.ACCOUNT_DORMANCY_DAYS} days",
            changed_at=now,
        )
        for account in due
    )
    numbers = [account.number for account in due]
    audit_record(
        action="account.dormant",
        actor=None,
        object_type="accounts.account",
        object_id=numbers[0] if len(numbers) == 1 else f"{len(numbers)} accounts",
        before={"status": Account.Status.ACTIVE},
        after={"status": Account.Status.DORMANT, "accounts": numbers},
    )
    notifications_send(
        items=[
            NotificationItem(
                account.owner.user_id,
                Notification.Kind.ACCOUNT_STATUS,
                f"Account XX{account.number[-4:]} is now dormant",
                "It has had no customer activity for a long time. Visit a branch to reactivate it.",
                {"account": account.number},
            )
            for account in due
        ]
    )
    return numbers


@retry_on_conflict
@transaction.atomic
def account_close(*, account: Account, actor: AbstractBaseUser, reason: str) -> ClosedAccount:
    """Close an account with nothing in it and nothing held, and archive it.

    Under the account's row lock, so a close and a deposit (or two closes) cannot both
    succeed: whichever comes second sees the other's result."""
    if not reason.strip():
        raise ApplicationError("reason_required", "Say why the account is closed.", status=400, field="reason")
    account = _account_lock(account)
    _refuse_closed(account)
    if account.status == Account.Status.FROZEN and account.freeze_source == Account.FreezeSource.STAFF:
        raise ApplicationError(
            "account_frozen_by_bank",
            f"Account {account.number} is frozen by the bank and cannot be closed.",
            status=409,
        )
    if account.balance != 0:
        raise ApplicationError(
            "balance_not_zero",
            f"Account {account.number} holds {account.balance} {account.currency}: withdraw or transfer it first.",
            extra={"balance": str(account.balance)},
        )
    if account.held_amount != 0:
        raise ApplicationError(
            "holds_pending",
            f"Account {account.number} has {account.held_amount} {account.currency} on hold.",
            extra={"held_amount": str(account.held_amount)},
        )
    now = timezone.now()
    _account_change(
        account=account,
        changes={
            "status": Account.Status.CLOSED,
            "freeze_source": Account.FreezeSource.NONE,
            "closed_at": now,
        },
        actor=actor,
        action="close",
        reason=reason,
    )
    # What hangs off the account ends with it: its cards stop working, its standing orders stop.
    cards = Card.objects.filter(account=account, status__in=Card.LIVE).update(status=Card.Status.CANCELLED)
    orders = StandingOrder.objects.filter(source=account, status=StandingOrder.Status.ACTIVE).update(
        status=StandingOrder.Status.CANCELLED, next_due_date=None, next_attempt_on=None, cancelled_at=now
    )
    if cards or orders:
        audit_record(
            action="account.close_dependents",
            actor=actor,
            obj=account,
            after={"cards_cancelled": cards, "standing_orders_cancelled": orders},
        )
    owner = account.owner
    assert owner is not None and account.account_type is not None
    return ClosedAccount.objects.create(
        account=account,
        number=account.number,
        owner_username=owner.user.get_username(),
        owner_name=owner.full_name,
        account_type=account.account_type.code,
        branch_code=account.number[3:7],
        currency=account.currency,
        opened_at=account.opened_at,
        closed_at=now,
        closed_by=actor,
        reason=reason[:255],
        final_balance=account.balance,
    )


@retry_on_conflict
@transaction.atomic
def account_update(
    *,
    account: Account,
    actor: AbstractBaseUser,
    nickname: str | None = None,
    overdraft_limit: Decimal | None = None,
    reason: str = "",
) -> Account:
    """Change an account's details: the nickname (owner or staff), the overdraft limit
    (tellers and administrators, never below what the account already uses)."""
    account = _account_lock(account)
    _refuse_closed(account)
    changes: dict[str, Any] = {}
    if nickname is not None:
        changes["nickname"] = nickname
    if overdraft_limit is not None:
        if not _is_bank_staff(actor):
            raise ApplicationError(
                "permission_denied", "Only the bank changes an overdraft limit.", status=403, field="overdraft_limit"
            )
        if overdraft_limit < 0 or overdraft_limit.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ApplicationError(
                "invalid_amount", "A non-negative amount in paise.", status=400, field="overdraft_limit"
            )
        if account.balance < -overdraft_limit:
            raise ApplicationError(
                "overdraft_in_use",
                f"The account is overdrawn by {-account.balance}; the limit cannot go below that.",
                field="overdraft_limit",
            )
        changes["overdraft_limit"] = overdraft_limit.quantize(Decimal("0.01"))
    return _account_change(account=account, changes=changes, actor=actor, action="update", reason=reason)
