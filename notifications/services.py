"""Notifications: created in the transaction that causes them (a rolled-back change
notifies nobody), emailed by a Celery task enqueued only once that transaction commits."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.chain import jsonable
from transactions.models import Entry

from .models import JournalOutbox, Notification, NotificationPreference

Kind = Notification.Kind
# What a user gets before choosing: everything in the app; email for what needs attention.
EMAIL_BY_DEFAULT = {
    Kind.LARGE_DEBIT,
    Kind.NEW_DEVICE_LOGIN,
    Kind.TICKET_REPLY,
    Kind.LOAN_DECISION,
    Kind.STANDING_ORDER_FAILED,
    Kind.ACCOUNT_STATUS,
    Kind.CARD,
    Kind.BENEFICIARY_ADDED,
}


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool


def _defaults(kind: str) -> Channels:
    return Channels(in_app=True, email=kind in EMAIL_BY_DEFAULT)


def preferences_for(*, user_ids: set[int], kinds: set[str]) -> dict[tuple[int, str], Channels]:
    chosen = {
        (p.user_id, p.kind): Channels(p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
    }
    return {(user_id, kind): chosen.get((user_id, kind), _defaults(kind)) for user_id in user_ids for kind in kinds}


@dataclass(frozen=True)
class NotificationItem:
    user_id: int
    kind: str
    title: str
    body: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str = ""


def notifications_send(*, items: Sequence[NotificationItem]) -> list[Notification]:
    """Create notifications per the users' preferences (two queries however many) and
    email those that should be, after commit. Items already sent (same dedupe key) are skipped."""
    if not items:
        return []
    channels = preferences_for(user_ids={i.user_id for i in items}, kinds={i.kind for i in items})
    rows = []
    for item in items:
        wanted = channels[(item.user_id, item.kind)]
        if not (wanted.in_app or wanted.email):
            continue
        rows.append(
            Notification(
                user_id=item.user_id,
                kind=item.kind,
                title=item.title[:200],
                body=item.body,
                data=jsonable(item.data),
                dedupe_key=item.dedupe_key[:100],
                in_app=wanted.in_app,
                email_status=Notification.EmailStatus.PENDING if wanted.email else "",
            )
        )
    keyed = [r for r in rows if r.dedupe_key]
    created = Notification.objects.bulk_create([r for r in rows if not r.dedupe_key])
    if keyed:
        # ignore_conflicts leaves the keys unset: read back what this call (or an earlier one) made.
        Notification.objects.bulk_create(keyed, ignore_conflicts=True)
        created += Notification.objects.filter(
            user_id__in={r.user_id for r in keyed}, dedupe_key__in=[r.dedupe_key for r in keyed]
        )
    to_email = [n.pk for n in created if n.email_status == Notification.EmailStatus.PENDING]
    if to_email:
        from .tasks import notification_email_send_task

        transaction.on_commit(lambda: [notification_email_send_task.delay(pk) for pk in to_email], robust=True)
    return created


def notification_send(
    *, user: AbstractBaseUser, kind: str, title: str, body: str = "", data: dict | None = None, dedupe_key: str = ""
) -> Notification | None:
    sent = notifications_send(
        items=[NotificationItem(user.pk, kind, title, body, data or {}, dedupe_key)]  # type: ignore[arg-type]
    )
    return sent[0] if sent else None


@transaction.atomic
def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one pending email (the Celery task's work). The row is locked and marked sent
    in one transaction, so a duplicate task sends nothing the second time."""
    notification = (
        Notification.objects.select_for_update(of=("self",)).select_related("user").filter(pk=notification_id).first()
    )
    if notification is None or notification.email_status != Notification.EmailStatus.PENDING:
        return False
    address = notification.user.email
    if address:
        body = f"{notification.body}\n\n{settings.BANK_NAME}".strip()
        send_mail(notification.title, body, settings.DEFAULT_FROM_EMAIL, [address])
    notification.email_status = Notification.EmailStatus.SENT if address else Notification.EmailStatus.FAILED
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["email_status", "emailed_at"])
    return bool(address)


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user: AbstractBaseUser, preferences: dict[str, dict[str, bool]]) -> None:
    for kind, channels in preferences.items():
        current = _defaults(kind)
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={
                "in_app": channels.get("in_app", current.in_app),
                "email": channels.get("email", current.email),
            },
        )


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def journal_notifications_send(*, journal_ids: Sequence[int]) -> int:
    """Money received / sent / large debit for the owners of the customer accounts in
    these journals (a Celery task runs it after the posting commits; idempotent)."""
    entries = (
        Entry.objects.filter(journal_id__in=journal_ids, account__kind="customer")
        .select_related("journal", "account__owner")
        .order_by("pk")
    )
    items = []
    for entry in entries:
        account, journal = entry.account, entry.journal
        masked = f"XX{account.number[-4:]}"
        amount = abs(entry.amount)
        if entry.amount > 0:
            kind, verb = Kind.MONEY_RECEIVED, "credited to"
        else:
            large = amount >= settings.NOTIFY_LARGE_DEBIT_AMOUNT
            kind, verb = (Kind.LARGE_DEBIT if large else Kind.MONEY_SENT), "debited from"
        items.append(
            NotificationItem(
                user_id=account.owner.user_id,
                kind=kind,
                title=f"{_money(amount, account.currency)} {verb} account {masked}",
                body=f"{journal.description} (ref {journal.reference}). Balance: "
                f"{_money(entry.balance_after, account.currency)}.",
                data={"journal": journal.pk, "reference": journal.reference, "account": account.number},
                dedupe_key=f"entry:{entry.pk}",
            )
        )
    with transaction.atomic():
        return len(notifications_send(items=items))


OUTBOX_BATCH = 500


def journal_outbox_drain(*, batches: int = 20, rows: int = OUTBOX_BATCH) -> int:
    """Make the notifications of posted journals waiting in the outbox; returns how many.

    Each batch is one transaction: take up to `rows` rows (SKIP LOCKED, so drains
    running at once share the work instead of queueing), make their notifications, delete
    the rows. A drain that dies mid-batch leaves its rows for the next; one that runs
    twice makes no duplicates (each notification has a dedupe key)."""
    made = 0
    for _ in range(batches):
        with transaction.atomic():
            taken = list(JournalOutbox.objects.select_for_update(skip_locked=True).order_by("pk")[:rows])
            if not taken:
                break
            made += journal_notifications_send(journal_ids=[pk for row in taken for pk in row.journal_ids])
            JournalOutbox.objects.filter(pk__in=[row.pk for row in taken]).delete()
        if len(taken) < rows:
            break
    return made


_drain_due = 0.0  # monotonic time by which a drain this process asked for will have run


def journal_outbox_drain_soon() -> None:
    """Ask for a drain once a posting commits, at most one per process per
    OUTBOX_DRAIN_DELAY_SECONDS: a drain asked for earlier runs after this commit and takes
    its row too, so a busy worker publishes a couple of tasks a second, not one per
    transfer. Should the publish fail, the beat's periodic drain is the safety net.

    Without a broker (the embedded default) the task runs here, inside the request that
    posted: then it takes one outbox row, one posting's worth, so a backlog (left while no
    beat ran) is the beat's to clear and never holds a request (a full drain of a big
    backlog outlived gunicorn's 30 s worker timeout)."""
    global _drain_due
    from .tasks import journal_outbox_drain_task

    if journal_outbox_drain_task.app.conf.task_always_eager:
        journal_outbox_drain_task.apply(kwargs={"batches": 1, "rows": 1})
        return
    now = time.monotonic()
    if now < _drain_due:
        return
    delay = settings.OUTBOX_DRAIN_DELAY_SECONDS
    _drain_due = now + delay
    journal_outbox_drain_task.apply_async(countdown=delay, queue=settings.OUTBOX_QUEUE)
