from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import money_field


class Journal(models.Model):
    """One movement of money. Its entries sum to zero per currency (enforced by PostgreSQL
    with a deferred constraint trigger). Journals and entries are append-only: a mistake
    is corrected by a reversing journal, never by an UPDATE."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", "Deposit"
        WITHDRAWAL = "withdrawal", "Withdrawal"
        TRANSFER = "transfer", "Transfer"
        REVERSAL = "reversal", "Reversal"
        INTEREST = "interest", "Interest"
        LOAN = "loan", "Loan"
        FEE = "fee", "Fee"
        INTERBANK = "interbank", "Interbank"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    reference = models.CharField(max_length=32, unique=True, editable=False)
    description = models.CharField(max_length=255, blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # The services give a journal and its entries one instant (see Entry.created_at).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"


# Kinds a customer initiates against their own funds: their debits count towards the daily
# limit (Account.debit_day_total) and are refused on accounts that are not active.
CUSTOMER_DEBIT_KINDS = (Journal.Kind.WITHDRAWAL, Journal.Kind.TRANSFER, Journal.Kind.INTERBANK)


class Entry(models.Model):
    """One leg of a journal: a signed amount on one account (credit-normal: positive adds
    to the account's balance) and the balance it left behind."""

    # Neither reference is a database foreign key (transactions.0011): the ledger's
    # commit-time check proves both for every journal a transaction touched in one query,
    # where PostgreSQL checked a key one row at a time; triggers refuse deleting or
    # renumbering any account and emptying the journals or accounts under the entries.
    # PROTECT holds in the ORM.
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", db_constraint=False)
    # No index of its own: entry_account_id_idx and entry_account_created_idx lead with it,
    # and every index of this table is written twice per transfer (WAL, docs/performance.md).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="entries", db_index=False, db_constraint=False
    )
    amount = money_field(default=None)
    balance_after = money_field(default=None)
    # Not auto_now_add: the services give every leg of a journal the same instant, so a
    # journal never straddles two monthly partitions on PostgreSQL (transactions.0003).
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "entries"
        indexes = [
            # Statements and history: an account's entries newest first (keyset on id; per
            # account, ids follow posting order because entries are written under the row lock).
            models.Index(fields=["account", "-id"], name="entry_account_id_idx"),
            models.Index(fields=["account", "created_at"], name="entry_account_created_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_nonzero")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount}"


class IdempotencyKey(models.Model):
    """The answer given to a money-moving POST, kept so a retry with the same
    `Idempotency-Key` replays it instead of moving money again. Written in the same
    database transaction as the money movement, so the two cannot disagree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ArchivedEntryTotal(models.Model):
    """What a month of entries detached from the partitioned ledger added to one account
    (PostgreSQL; see services.entry_partition_archive). The integrity check counts these
    beside the live entries, so an account's balance still equals the sum of its history."""

    month = models.DateField(help_text="First day of the archived month (UTC)")
    partition = models.CharField(max_length=63, help_text="The detached table holding the entries")
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    amount = money_field(default=None)
    entries = models.PositiveIntegerField()
    archived_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "account"]
        constraints = [models.UniqueConstraint(fields=["month", "account"], name="archived_total_once_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.account_id} {self.amount}"


class Hold(models.Model):
    """Money set aside on an account without moving it: a transfer that fraud screening
    stopped for review. The account's `held_amount` carries the total of its pending holds,
    so its available balance is lower while nothing is posted; release posts the transfer
    as an ordinary balanced journal, void just lifts the hold."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        RELEASED = "released", "Released (posted)"
        VOIDED = "voided", "Voided"

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="holds")
    destination = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    amount = money_field(default=None)
    description = models.CharField(max_length=255, blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, null=True, blank=True, related_name="hold")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["account", "status"], name="hold_account_status_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive")]

    def __str__(self) -> str:
        return f"hold {self.pk} {self.amount} on {self.account_id} ({self.status})"
