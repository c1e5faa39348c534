from django.db import models
from django.db.models import Q

from accounts.models import money_field


class Card(models.Model):
    """A debit card on an account. The full card number is never stored: only its last four
    digits (to show it masked) and a keyed hash (to recognise it). No CVV, ever."""

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued, not yet activated"
        ACTIVE = "active", "Active"
        BLOCKED = "blocked", "Blocked"
        REPLACED = "replaced", "Replaced"
        CANCELLED = "cancelled", "Cancelled"

    class BlockReason(models.TextChoices):
        NONE = "", "Not blocked"
        TEMPORARY = "temporary", "Temporarily blocked"
        LOST = "lost", "Lost"
        STOLEN = "stolen", "Stolen"
        DAMAGED = "damaged", "Damaged"
        BANK = "bank", "Blocked by the bank"

    LIVE = (Status.ISSUED, Status.ACTIVE, Status.BLOCKED)

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="cards")
    holder = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="cards")
    last4 = models.CharField(max_length=4)
    number_hash = models.CharField(max_length=64, unique=True, help_text="HMAC-SHA256 of the card number")
    expiry_month = models.PositiveSmallIntegerField()
    expiry_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    block_reason = models.CharField(max_length=10, choices=BlockReason.choices, default="", blank=True)
    daily_limit = money_field(default=None)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    issued_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One live card per account: a second is a replacement, which retires the first.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["issued", "active", "blocked"]),
                name="card_one_live_per_account",
            ),
            models.CheckConstraint(condition=Q(daily_limit__gte=0), name="card_daily_limit_nonneg"),
        ]

    def __str__(self) -> str:
        return self.masked_number

    @property
    def masked_number(self) -> str:
        return f"XXXX XXXX XXXX {self.last4}"
