"""Cross-bank transfers over the broker, with a transactional outbox and an inbox.

Sender (bank A)                           Receiver (bank B)
- debit source -> A's clearing, outbox      - inbox row + credit B's clearing -> account,
  event, transfer row: one transaction        outbox answer, transfer row: one transaction
- relay: outbox -> stream of B              - (or a rejection: nothing credited)
- answer credited: mark it                  - relay: outbox -> stream of A
- answer rejected: refund clearing -> source

Each bank's ledger balances at every moment: money in flight sits in its interbank
clearing account (A's is positive while B owes it the credit, B's negative by what it
credited). Every handler runs once per event id whatever the broker delivers (inbox), and
events are published at least once (outbox, relay).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.db import retry_on_conflict
from bankingsystem.errors import ApplicationError
from bankingsystem.faults import fault_point
from transactions.models import Journal
from transactions.services import Leg, journal_create, transfer_out_create

from . import broker
from .directory import Where, route_of, stream_of
from .models import InboxEvent, InterbankTransfer, OutboxEvent, ReplicationHeartbeat

logger = structlog.get_logger(__name__)

REQUESTED, CREDITED, REJECTED = "transfer.requested", "transfer.credited", "transfer.rejected"


def _outbox_add(*, bank_code: str, kind: str, payload: dict[str, Any]) -> OutboxEvent:
    event = OutboxEvent.objects.create(stream=stream_of(bank_code), kind=kind, payload=payload)
    transaction.on_commit(_relay_soon)
    return event


def _relay_soon() -> None:
    from .tasks import outbox_relay  # tasks import services

    outbox_relay.delay()


@retry_on_conflict
@transaction.atomic
def interbank_transfer_create(
    *,
    source: Account,
    destination_number: str,
    amount: Decimal,
    description: str = "",
    initiated_by: AbstractBaseUser | None = None,
) -> InterbankTransfer:
    """Send money to an account at another bank: the debit, the transfer record and the
    event that asks the other bank to credit it commit together, or not at all."""
    route = route_of(destination_number)
    if route.where != Where.OTHER_BANK:
        raise ApplicationError(
            "not_another_bank", "The destination is an account of this bank.", status=400, field="destination_account"
        )
    journal = transfer_out_create(
        source=source,
        amount=amount,
        description=description or f"Transfer to {destination_number} at bank {route.bank_code}",
        initiated_by=initiated_by,
    )
    transfer = InterbankTransfer.objects.create(
        direction=InterbankTransfer.Direction.OUTGOING,
        status=InterbankTransfer.Status.PENDING,
        account=source,
        our_account_number=source.number,
        counterparty_bank=route.bank_code,
        counterparty_account=destination_number,
        amount=-journal.posted_entries[0].amount,  # type: ignore[attr-defined]  # quantized by the service
        currency=source.currency,
        journal=journal,
    )
    _outbox_add(
        bank_code=route.bank_code,
        kind=REQUESTED,
        payload={
            "transfer_id": str(transfer.transfer_id),
            "source_account": source.number,
            "destination_account": destination_number,
            "amount": str(transfer.amount),
            "currency": transfer.currency,
            "description": description[:140],
        },
    )
    return transfer


# --- Relay: outbox -> broker ----------------------------------------------------------------


def outbox_relay(*, batch: int = 200) -> int:
    """Publish unpublished outbox events, oldest first; returns how many.

    Rows are locked (SKIP LOCKED, so relays in parallel share the work) and stamped in the
    transaction that published them. A crash after XADD but before COMMIT publishes the
    event again next time: the receiving inbox drops the copy.
    """
    published = 0
    while True:
        with transaction.atomic():
            events = list(
                OutboxEvent.objects.filter(published_at__isnull=True)
                .order_by("pk")
                .select_for_update(skip_locked=True)[:batch]
            )
            for event in events:
                for _copy in range(2 if settings.INTERBANK_PUBLISH_TWICE else 1):
                    broker.publish(
                        stream=event.stream, event_id=str(event.event_id), kind=event.kind, payload=event.payload
                    )
            OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(published_at=timezone.now())
        published += len(events)
        if len(events) < batch:
            return published


# --- Consumer: broker -> inbox -----------------------------------------------------------------


def inbox_consume(*, consumer: str, block_ms: int = 1000, count: int = 50) -> int:
    """One round of this bank's consumer: reclaim entries dead consumers left pending
    (XAUTOCLAIM), read new ones, handle each in its own transaction, acknowledge after
    COMMIT. Returns how many entries were handled (duplicates included)."""
    broker.group_ensure()
    messages = broker.reclaim(consumer=consumer, count=count) or broker.read_new(
        consumer=consumer, count=count, block_ms=block_ms
    )
    for message in messages:
        inbox_event_handle(message=message)
        fault_point("interbank.consumer_before_ack")  # committed, not acknowledged: the worst moment to die
        broker.ack([message.message_id])
    return len(messages)


@retry_on_conflict
@transaction.atomic
def inbox_event_handle(*, message: broker.Message) -> bool:
    """Handle one delivered event exactly once: False when its id is already in the inbox."""
    try:
        with transaction.atomic():
            InboxEvent.objects.create(
                event_id=uuid.UUID(message.event_id), stream=stream_of(settings.BANK_CODE), kind=message.kind
            )
    except IntegrityError:
        logger.info("interbank_duplicate_dropped", event_id=message.event_id, kind=message.kind)
        return False
    handler: Callable[[broker.Message], None] | None = HANDLERS.get(message.kind)
    if handler is None:
        logger.error("interbank_unknown_event", event_id=message.event_id, kind=message.kind)
        return True
    handler(message)
    return True


def _credit_incoming(message: broker.Message) -> None:
    """transfer.requested, at the receiving bank: credit the account or say why not."""
    data = message.payload
    amount, currency, number = Decimal(data["amount"]), data["currency"], data["destination_account"]
    account = Account.objects.filter(number=number, kind=Account.Kind.CUSTOMER).first()
    journal, reason = None, ""
    if account is None or number[:3] != settings.BANK_CODE:
        reason = "account_unknown"
    elif account.currency != currency:
        reason = "currency_mismatch"
    else:
        clearing = gl_account_get_or_create(code=Account.GlCode.INTERBANK_CLEARING, currency=currency)
        try:
            journal = journal_create(
                kind=Journal.Kind.INTERBANK,
                legs=[Leg(clearing.pk, -amount), Leg(account.pk, amount)],
                description=f"Transfer from {data['source_account']} at bank {message.from_bank}",
            )
        except ApplicationError as refusal:  # closed account, ...
            reason = refusal.code
    InterbankTransfer.objects.create(
        transfer_id=uuid.UUID(data["transfer_id"]),
        direction=InterbankTransfer.Direction.INCOMING,
        status=InterbankTransfer.Status.REJECTED if reason else InterbankTransfer.Status.CREDITED,
        account=account if journal else None,
        our_account_number=number,
        counterparty_bank=message.from_bank,
        counterparty_account=data["source_account"],
        amount=amount,
        currency=currency,
        journal=journal,
        reason=reason,
    )
    _outbox_add(
        bank_code=message.from_bank,
        kind=REJECTED if reason else CREDITED,
        payload={"transfer_id": data["transfer_id"], "reason": reason},
    )


def _outgoing(message: broker.Message) -> InterbankTransfer | None:
    transfer = (
        InterbankTransfer.objects.select_for_update()
        .filter(transfer_id=message.payload["transfer_id"], direction=InterbankTransfer.Direction.OUTGOING)
        .first()
    )
    if transfer is None:
        logger.error("interbank_answer_for_unknown_transfer", **message.payload)
    elif transfer.status != InterbankTransfer.Status.PENDING:
        logger.error("interbank_answer_for_settled_transfer", status=transfer.status, **message.payload)
        return None
    return transfer


def _mark_credited(message: broker.Message) -> None:
    transfer = _outgoing(message)
    if transfer is not None:
        transfer.status = InterbankTransfer.Status.CREDITED
        transfer.save(update_fields=["status", "updated_at"])


def _refund_rejected(message: broker.Message) -> None:
    """transfer.rejected, back at the sender: the money returns from clearing to the source."""
    transfer = _outgoing(message)
    if transfer is None:
        return
    assert transfer.account is not None
    clearing = gl_account_get_or_create(code=Account.GlCode.INTERBANK_CLEARING, currency=transfer.currency)
    description = f"Refund: bank {transfer.counterparty_bank} refused the transfer ({message.payload['reason']})"
    try:
        transfer.refund_journal = journal_create(
            kind=Journal.Kind.INTERBANK,
            legs=[Leg(clearing.pk, -transfer.amount), Leg(transfer.account.pk, transfer.amount)],
            description=description,
        )
    except ApplicationError:
        # The source was closed meanwhile: the money waits in suspense for a person to return it.
        suspense = gl_account_get_or_create(code=Account.GlCode.SUSPENSE, currency=transfer.currency)
        transfer.refund_journal = journal_create(
            kind=Journal.Kind.INTERBANK,
            legs=[Leg(clearing.pk, -transfer.amount), Leg(suspense.pk, transfer.amount)],
            description=f"{description}; source closed, held in suspense",
        )
    transfer.status = InterbankTransfer.Status.REFUNDED
    transfer.reason = message.payload["reason"][:40]
    transfer.save(update_fields=["status", "reason", "refund_journal", "updated_at"])


HANDLERS: dict[str, Callable[[broker.Message], None]] = {
    REQUESTED: _credit_incoming,
    CREDITED: _mark_credited,
    REJECTED: _refund_rejected,
}


# --- Replication heartbeat ----------------------------------------------------------------------


def replication_heartbeat_touch() -> None:
    """Stamp the heartbeat row on the primary; the replica's copy of it ages with the lag."""
    ReplicationHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now()})
