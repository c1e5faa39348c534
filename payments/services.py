"""Beneficiaries (saved payees with a cooling-off cap) and standing orders (recurring
transfers run by beat, once per due date, never half-posted)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts.models import Account
from accounts.numbers import account_number_is_valid
from accounts.selectors import account_get_by_number
from audit.services import audit_record, snapshot
from bankingsystem.db import retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.money import ZERO
from customers.models import Customer
from notifications.models import Notification
from notifications.services import NotificationItem, notifications_send
from transactions.models import Entry, Journal
from transactions.services import amount_validate, transfer_create

from .models import Beneficiary, StandingOrder, StandingOrderRun

# --- Beneficiaries ---------------------------------------------------------------------------


def _refuse_bad_payee(account_number: str, routing_code: str) -> bool:
    """Validate the payee's coordinates; returns whether they are at this bank."""
    if not (routing_code.isascii() and routing_code.isdigit() and len(routing_code) == 7):
        raise ApplicationError(
            "invalid_routing_code", "A routing code is 7 digits: bank code and branch code.", status=400,
            field="routing_code",
        )  # fmt: skip
    own_bank = routing_code[:3] == settings.BANK_CODE
    if own_bank:
        if not account_number_is_valid(account_number):
            raise ApplicationError(
                "invalid_account_number", "Not a valid account number of this bank.", status=400, field="account_number"
            )
        if account_number[:7] != routing_code:
            raise ApplicationError(
                "routing_code_mismatch", "This account is not at that branch.", status=400, field="routing_code"
            )
    elif not (account_number.isascii() and account_number.isdigit() and 6 <= len(account_number) <= 18):
        raise ApplicationError(
            "invalid_account_number", "Account numbers at other banks are 6 to 18 digits.", status=400,
            field="account_number",
        )  # fmt: skip
    return own_bank


@transaction.atomic
def beneficiary_add(
    *,
    owner: Customer,
    name: str,
    account_number: str,
    routing_code: str,
    actor: AbstractBaseUser,
    nickname: str = "",
) -> Beneficiary:
    """Save a payee. The API asks for step-up verification first (customers.stepup);
    transfers to it are capped until BENEFICIARY_COOLING_OFF_HOURS have passed."""
    own_bank = _refuse_bad_payee(account_number, routing_code)
    account = None
    if own_bank:
        account = account_get_by_number(number=account_number)
        if account is None or account.status == Account.Status.CLOSED:
            raise ApplicationError(
                "account_not_found", "No open account with this number exists at this bank.", field="account_number"
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            beneficiary = Beneficiary.objects.create(
                owner=owner,
                name=name,
                nickname=nickname,
                account_number=account_number,
                routing_code=routing_code,
                is_own_bank=own_bank,
                account=account,
                cooling_off_until=now + timedelta(hours=settings.BENEFICIARY_COOLING_OFF_HOURS),
            )
    except IntegrityError as error:
        raise ApplicationError(
            "beneficiary_exists", "This payee is already among your beneficiaries.", status=409
        ) from error
    audit_record(
        action="beneficiary.add",
        actor=actor,
        obj=beneficiary,
        after=snapshot(
            beneficiary, ["owner", "name", "account_number", "routing_code", "is_own_bank", "cooling_off_until"]
        ),
    )
    notifications_send(
        items=[
            NotificationItem(
                owner.user_id,
                Notification.Kind.BENEFICIARY_ADDED,
                f"New beneficiary added: {name}",
                f"Account {account_number} ({routing_code}). If this was not you, call the bank at once.",
                {"beneficiary": beneficiary.pk},
            )
        ]
    )
    return beneficiary


@transaction.atomic
def beneficiary_remove(*, beneficiary: Beneficiary, actor: AbstractBaseUser) -> Beneficiary:
    locked = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if locked.status == Beneficiary.Status.REMOVED:
        raise ApplicationError("beneficiary_removed", "This beneficiary was already removed.", status=409)
    if StandingOrder.objects.filter(beneficiary=locked, status=StandingOrder.Status.ACTIVE).exists():
        raise ApplicationError(
            "beneficiary_in_use", "Cancel the standing orders paying this beneficiary first.", status=409
        )
    locked.status, locked.removed_at = Beneficiary.Status.REMOVED, timezone.now()
    locked.save(update_fields=["status", "removed_at"])
    audit_record(
        action="beneficiary.remove", actor=actor, obj=locked, before={"status": "active"}, after={"status": "removed"}
    )
    return locked


def beneficiary_sent_total(*, beneficiary: Beneficiary) -> Decimal:
    """What the owner has transferred to this payee since adding it."""
    from_owner = Journal.objects.filter(entries__account__owner_id=beneficiary.owner_id, entries__amount__lt=0)
    total = Entry.objects.filter(
        account_id=beneficiary.account_id,
        amount__gt=0,
        journal__kind=Journal.Kind.TRANSFER,
        created_at__gte=beneficiary.created_at,
        journal__in=from_owner,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@retry_on_conflict
def beneficiary_transfer_create(
    *,
    beneficiary: Beneficiary,
    source: Account,
    amount: Decimal,
    initiated_by: AbstractBaseUser | None,
    description: str = "",
    destination: Account | None = None,
    now: datetime | None = None,
    savepoint: bool = True,
) -> Journal:
    """Pay a saved beneficiary. During its cooling-off period the total sent to it is capped
    at BENEFICIARY_COOLING_OFF_LIMIT; the beneficiary's row lock makes two concurrent
    payments count each other. `destination` is taken so that a caller can call this and
    transfer_create with the same arguments (transactions.api); the money goes to the
    beneficiary's own account, read under its lock, whatever is passed. `savepoint`: as
    transfer_create's."""
    with transaction.atomic(savepoint=savepoint):
        payee = _beneficiary_payable(beneficiary=beneficiary, source=source, amount=amount, now=now or timezone.now())
        return transfer_create(
            source=source,
            destination=payee.account,
            amount=amount,
            description=description or f"To {payee.name}",
            initiated_by=initiated_by,
            savepoint=False,  # inside this block, which nothing in it catches
        )


def _beneficiary_payable(*, beneficiary: Beneficiary, source: Account, amount: Decimal, now: datetime) -> Beneficiary:
    """The beneficiary, locked, once `source` may pay it `amount` now; else the refusal."""
    payee = Beneficiary.objects.select_for_update(of=("self",)).select_related("account").get(pk=beneficiary.pk)
    if payee.status != Beneficiary.Status.ACTIVE:
        raise ApplicationError("beneficiary_removed", "This beneficiary was removed.", status=409)
    if source.owner_id != payee.owner_id:
        raise ApplicationError("not_own_account", "Pay beneficiaries from your own accounts.", field="source_account")
    if not payee.is_own_bank:
        raise ApplicationError(
            "interbank_unavailable", "Transfers to other banks are not available yet.", field="beneficiary"
        )
    assert payee.account is not None
    if now < payee.cooling_off_until:
        sent = beneficiary_sent_total(beneficiary=payee)
        limit = settings.BENEFICIARY_COOLING_OFF_LIMIT
        if sent + amount > limit:
            remaining = max(limit - sent, ZERO)
            raise ApplicationError(
                "beneficiary_cooling_off",
                f"A new beneficiary may receive at most {limit} until {payee.cooling_off_until:%Y-%m-%d %H:%M} UTC; "
                f"{remaining} remains.",
                field="amount",
                extra={"remaining": str(remaining), "cooling_off_until": payee.cooling_off_until.isoformat()},
            )
    return payee


def beneficiary_in_cooling_off(*, owner_user: AbstractBaseUser, destination: Account) -> Beneficiary | None:
    """The caller's beneficiary for this account while it is still cooling off, if any
    (a plain transfer to it is capped as a beneficiary payment would be)."""
    return _cooling_off(owner_user).filter(account=destination).first()


def beneficiary_in_cooling_off_sql(*, owner_user: AbstractBaseUser, account: str) -> tuple[str, dict[str, Any]]:
    """`beneficiary_in_cooling_off`'s id (or NULL) as an SQL expression on the account whose
    id is the SQL `account`, with its named parameters: for a caller that reads the account
    in the same statement (TransferApi). payments/tests check the two always agree."""
    quote = connection.ops.quote_name
    sql = f"""
        SELECT b.{quote("id")} FROM {quote(Beneficiary._meta.db_table)} b
        JOIN {quote(Customer._meta.db_table)} o ON o.{quote("id")} = b.{quote("owner_id")}
        WHERE o.{quote("user_id")} = %(payee_owner)s AND b.{quote("account_id")} = {account}
          AND b.{quote("status")} = %(payee_status)s AND b.{quote("cooling_off_until")} > %(payee_now)s
        ORDER BY b.{quote("id")} LIMIT 1
    """  # noqa: S608 (names from the models, values are parameters)
    return sql, {
        "payee_owner": owner_user.pk,
        "payee_status": Beneficiary.Status.ACTIVE.value,
        "payee_now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }


def _cooling_off(owner_user: AbstractBaseUser) -> QuerySet[Beneficiary]:
    return Beneficiary.objects.filter(
        owner__user=owner_user, status=Beneficiary.Status.ACTIVE, cooling_off_until__gt=timezone.now()
    ).order_by("pk")


# --- Standing orders -------------------------------------------------------------------------


def _monthly(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _first_due(*, frequency: str, day_of_month: int | None, start: date) -> date:
    if frequency == StandingOrder.Frequency.WEEKLY:
        return start
    assert day_of_month is not None
    candidate = _monthly(start.year, start.month, day_of_month)
    if candidate >= start:
        return candidate
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return _monthly(year, month, day_of_month)


def due_date_after(order: StandingOrder, due: date) -> date:
    if order.frequency == StandingOrder.Frequency.WEEKLY:
        return due + timedelta(days=7)
    assert order.day_of_month is not None
    year, month = (due.year + 1, 1) if due.month == 12 else (due.year, due.month + 1)
    return _monthly(year, month, order.day_of_month)


@transaction.atomic
def standing_order_create(
    *,
    owner: Customer,
    source: Account,
    amount: Decimal,
    frequency: str,
    start_date: date,
    actor: AbstractBaseUser,
    destination: Account | None = None,
    beneficiary: Beneficiary | None = None,
    day_of_month: int | None = None,
    end_date: date | None = None,
    description: str = "",
) -> StandingOrder:
    if source.owner_id != owner.pk:
        raise ApplicationError("not_own_account", "Standing orders pay from your own accounts.", field="source_account")
    if source.status == Account.Status.CLOSED:
        raise ApplicationError(
            "account_closed", f"Account {source.number} is closed.", status=409, field="source_account"
        )
    if beneficiary is not None:
        if beneficiary.owner_id != owner.pk or beneficiary.status != Beneficiary.Status.ACTIVE:
            raise ApplicationError("beneficiary_not_found", "No such beneficiary.", status=404, field="beneficiary")
        if not beneficiary.is_own_bank:
            raise ApplicationError(
                "interbank_unavailable", "Standing orders to other banks are not available yet.", field="beneficiary"
            )
        destination = beneficiary.account
    if destination is None:
        raise ApplicationError("destination_required", "Name a beneficiary or a destination account.", status=400)
    if destination.pk == source.pk:
        raise ApplicationError("same_account", "The source and destination are the same.", status=400)
    amount = amount_validate(amount=amount, currency=source.currency)
    if frequency == StandingOrder.Frequency.MONTHLY and not (day_of_month and 1 <= day_of_month <= 31):
        raise ApplicationError("day_of_month_required", "Monthly orders need a day of month (1-31).", status=400,
                               field="day_of_month")  # fmt: skip
    if start_date < timezone.localdate():
        raise ApplicationError(
            "start_date_past", "The first payment cannot be in the past.", status=400, field="start_date"
        )
    first = _first_due(frequency=frequency, day_of_month=day_of_month, start=start_date)
    if end_date is not None and end_date < first:
        raise ApplicationError("end_date_before_start", "The order would never run.", status=400, field="end_date")
    order = StandingOrder.objects.create(
        owner=owner,
        source=source,
        destination=destination,
        beneficiary=beneficiary,
        amount=amount,
        description=description,
        frequency=frequency,
        day_of_month=day_of_month if frequency == StandingOrder.Frequency.MONTHLY else None,
        start_date=start_date,
        end_date=end_date,
        next_due_date=first,
        next_attempt_on=first,
    )
    audit_record(
        action="standing_order.create",
        actor=actor,
        obj=order,
        after=snapshot(order, ["source", "destination", "beneficiary", "amount", "frequency", "day_of_month",
                               "start_date", "end_date", "next_due_date"]),
    )  # fmt: skip
    return order


@transaction.atomic
def standing_order_cancel(*, order: StandingOrder, actor: AbstractBaseUser | None, reason: str = "") -> StandingOrder:
    locked = StandingOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status != StandingOrder.Status.ACTIVE:
        raise ApplicationError("standing_order_not_active", f"This standing order is {locked.status}.", status=409)
    _standing_order_stop(locked, StandingOrder.Status.CANCELLED, actor, reason)
    return locked


def _standing_order_stop(order: StandingOrder, status: str, actor: AbstractBaseUser | None, reason: str) -> None:
    before = snapshot(order, ["status", "next_due_date"])
    order.status, order.next_due_date, order.next_attempt_on = status, None, None
    order.cancelled_at = timezone.now() if status == StandingOrder.Status.CANCELLED else None
    order.save(update_fields=["status", "next_due_date", "next_attempt_on", "cancelled_at"])
    audit_record(
        action=f"standing_order.{status}",
        actor=actor,
        obj=order,
        before=before,
        after={"status": status, "reason": reason},
    )


def _advance(order: StandingOrder, due: date) -> None:
    """Move to the next due date, or complete the order when it has none left."""
    following = due_date_after(order, due)
    if order.end_date is not None and following > order.end_date:
        order.status, order.next_due_date, order.next_attempt_on = StandingOrder.Status.COMPLETED, None, None
    else:
        order.next_due_date = order.next_attempt_on = following


@retry_on_conflict
@transaction.atomic
def standing_order_execute(*, order_id: int, today: date) -> StandingOrderRun | None:
    """Try the order's current due date once, if it is due today. Idempotent: under the
    order's row lock, a second caller (another worker, a rerun) finds it already moved on.

    The transfer, the run record and the order's next date commit together, or none does."""
    order = (
        StandingOrder.objects.select_for_update(of=("self",))
        .select_related("source", "destination", "beneficiary", "owner__user")
        .filter(pk=order_id)
        .first()
    )
    if order is None or order.status != StandingOrder.Status.ACTIVE or order.next_attempt_on is None:
        return None
    if order.next_attempt_on > today:
        return None
    due = order.next_due_date
    assert due is not None
    run, _ = StandingOrderRun.objects.get_or_create(
        standing_order=order, due_date=due, defaults={"status": StandingOrderRun.Status.RETRYING}
    )
    before = snapshot(order, ["status", "next_due_date", "next_attempt_on"])
    if order.source.status == Account.Status.CLOSED:
        run.status, run.failure_code = StandingOrderRun.Status.SKIPPED, "account_closed"
        run.save()
        _standing_order_stop(order, StandingOrder.Status.CANCELLED, None, "source account closed")
        return run
    run.attempts += 1
    user = order.owner.user
    try:
        with transaction.atomic():  # a refusal leaves nothing of the attempt behind
            if order.beneficiary is not None:
                journal = beneficiary_transfer_create(
                    beneficiary=order.beneficiary, source=order.source, amount=order.amount,
                    description=order.description or f"Standing order {order.pk}", initiated_by=user,
                )  # fmt: skip
            else:
                journal = transfer_create(
                    source=order.source, destination=order.destination, amount=order.amount,
                    description=order.description or f"Standing order {order.pk}", initiated_by=user,
                )  # fmt: skip
    except ApplicationError as error:
        last_try = run.attempts >= settings.STANDING_ORDER_MAX_ATTEMPTS
        run.status = StandingOrderRun.Status.FAILED if last_try else StandingOrderRun.Status.RETRYING
        run.failure_code, run.failure_detail = error.code, error.detail[:255]
        if last_try:
            _advance(order, due)
        else:
            order.next_attempt_on = today + timedelta(days=1)
        _run_failure_notify(order, run, last_try)
    else:
        run.status, run.journal = StandingOrderRun.Status.POSTED, journal
        run.failure_code = run.failure_detail = ""
        _advance(order, due)
    run.save()
    order.save(update_fields=["status", "next_due_date", "next_attempt_on"])
    audit_record(
        action=f"standing_order.run_{run.status}",
        actor=None,
        obj=order,
        before=before,
        after={**snapshot(order, ["status", "next_due_date", "next_attempt_on"]), "due_date": due,
               "attempt": run.attempts, "journal": run.journal_id, "failure_code": run.failure_code},
    )  # fmt: skip
    return run


def _run_failure_notify(order: StandingOrder, run: StandingOrderRun, last_try: bool) -> None:
    then = "It will not be tried again for this date." if last_try else "We will try again tomorrow."
    notifications_send(
        items=[
            NotificationItem(
                order.owner.user_id,
                Notification.Kind.STANDING_ORDER_FAILED,
                f"Standing order of {order.source.currency} {order.amount} due {run.due_date} failed",
                f"{run.failure_detail} {then}",
                {"standing_order": order.pk, "due_date": run.due_date, "code": run.failure_code},
                dedupe_key=f"standing-order:{order.pk}:{run.due_date}:{run.attempts}",
            )
        ]
    )


MAX_CATCH_UP_PASSES = 60


def standing_orders_run_due(*, today: date | None = None) -> dict[str, int]:
    """Run every order due on or before `today` (beat calls this; also catches up after
    downtime, one due date per pass). Each order runs in its own transaction."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(StandingOrderRun.Status.values, 0)
    for _ in range(MAX_CATCH_UP_PASSES):
        due = list(
            StandingOrder.objects.filter(status=StandingOrder.Status.ACTIVE, next_attempt_on__lte=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ran = 0
        for order_id in due:
            run = standing_order_execute(order_id=order_id, today=today)
            if run is not None:
                counts[run.status] += 1
                ran += 1
        if not ran:
            break
    return counts
