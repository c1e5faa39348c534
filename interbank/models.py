"""Federation records: cross-bank transfers with their outbox and inbox, the coordinator's
two-phase-commit decision log and the participant's prepared transfers, and the heartbeat
that measures replication lag."""

import uuid

from django.db import models

from accounts.models import money_field
from bankingsystem.money import CURRENCY_CHOICES


class ReplicationHeartbeat(models.Model):
    """One row, touched by beat on the primary; its age as read on the replica is the
    replication lag (bankingsystem.replica)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"heartbeat {self.beat_at:%Y-%m-%d %H:%M:%S}"


# --- Cross-bank transfers over the broker ---------------------------------------------------


class InterbankTransfer(models.Model):
    """One side of a transfer between two banks. The sender's row is written with the
    debit and the outbox event; the receiver's with the credit (or the rejection)."""

    class Direction(models.TextChoices):
        OUTGOING = "out", "Outgoing"
        INCOMING = "in", "Incoming"

    class Status(models.TextChoices):
        PENDING = "pending", "Sent, awaiting the other bank"
        CREDITED = "credited", "Credited to the beneficiary"
        REJECTED = "rejected", "Rejected by the receiving bank"
        REFUNDED = "refunded", "Rejected and refunded to the sender"

    transfer_id = models.UUIDField(default=uuid.uuid4)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    # Ours: the source (outgoing) or the credited account (incoming; none when rejected).
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    counterparty_bank = models.CharField(max_length=3)
    counterparty_account = models.CharField(max_length=16, help_text="The other bank's account number")
    our_account_number = models.CharField(max_length=16)
    amount = money_field(default=None)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    journal = models.ForeignKey(
        "transactions.Journal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_journal = models.ForeignKey(
        "transactions.Journal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=40, blank=True, help_text="Why the receiving bank refused")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["transfer_id", "direction"], name="interbank_transfer_once_per_side"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="interbank_amount_positive"),
        ]
        indexes = [models.Index(fields=["direction", "status"], name="interbank_direction_status_idx")]

    def __str__(self) -> str:
        return f"{self.direction} {self.transfer_id} {self.status}"


class OutboxEvent(models.Model):
    """An event to publish, written in the same database transaction as the money movement
    it announces; the relay publishes it to Redis Streams and stamps `published_at`."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True)
    stream = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(published_at__isnull=True), name="outbox_unpublished_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class InboxEvent(models.Model):
    """An event already handled, recorded in the same transaction as its effect: a second
    delivery of the same event finds its id here and changes nothing."""

    event_id = models.UUIDField(primary_key=True)
    stream = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


# --- Branch nodes: two-phase commit ----------------------------------------------------------


class BranchTransfer(models.Model):
    """The coordinator's (source node's) durable log of a cross-node transfer and its
    decision. The row is committed before anyone prepares, and the decision (COMMITTING or
    ABORTING) is committed before either side finishes: recovery follows it after a crash."""

    class State(models.TextChoices):
        PREPARING = "preparing", "Preparing (no decision yet)"
        COMMITTING = "committing", "Decided: commit"
        COMMITTED = "committed", "Committed on both nodes"
        ABORTING = "aborting", "Decided: abort"
        ABORTED = "aborted", "Rolled back on both nodes"

    gid = models.CharField(max_length=100, unique=True, help_text="Global transaction id (PREPARE TRANSACTION)")
    source = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    destination_number = models.CharField(max_length=16)
    participant_node = models.CharField(max_length=30)
    amount = money_field(default=None)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="branch_transfer_state_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="branch_amount_positive")]

    def __str__(self) -> str:
        return f"{self.gid} {self.state}"


class PreparedBranchTransfer(models.Model):
    """The participant's side, inserted inside the transaction it prepares: the row exists
    once (and only if) that transaction committed, which answers "did we commit gid?"."""

    gid = models.CharField(max_length=100, unique=True)
    coordinator_node = models.CharField(max_length=30)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    amount = money_field(default=None)
    journal = models.ForeignKey("transactions.Journal", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.gid
