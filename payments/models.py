from django.db import models
from django.db.models import Q

from accounts.models import money_field


class Beneficiary(models.Model):
    """A saved payee: an account at this bank or another, by account number and routing
    code (bank code + branch code). New ones are capped until their cooling-off ends."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REMOVED = "removed", "Removed"

    owner = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="beneficiaries")
    name = models.CharField(max_length=100, help_text="The payee's name as the customer knows it")
    nickname = models.CharField(max_length=60, blank=True)
    account_number = models.CharField(max_length=34)
    routing_code = models.CharField(max_length=11)
    is_own_bank = models.BooleanField()
    # For payees at this bank: the account itself (checked to exist when added).
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cooling_off_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "beneficiaries"
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "routing_code", "account_number"],
                condition=Q(status="active"),
                name="beneficiary_unique_active_payee",
            ),
            models.CheckConstraint(
                condition=Q(is_own_bank=False) | Q(account__isnull=False), name="beneficiary_own_bank_has_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_number})"


class StandingOrder(models.Model):
    """A recurring transfer from one of the owner's accounts, run by Celery beat."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly (on a day of the month)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    owner = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="standing_orders")
    source = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="standing_orders")
    destination = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = money_field(default=None)
    description = models.CharField(max_length=140, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    # Monthly: the day of the month (29-31 fall on the month's last day when it is shorter).
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    next_due_date = models.DateField(null=True, blank=True, help_text="None once completed or cancelled")
    # The next try of the current due date: the due date itself, then a day later per failed try.
    next_attempt_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "next_attempt_on"], name="standingorder_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="standing_order_amount_positive"),
            models.CheckConstraint(
                condition=Q(frequency="weekly") | Q(day_of_month__gte=1, day_of_month__lte=31),
                name="standing_order_monthly_has_day",
            ),
        ]

    def __str__(self) -> str:
        return f"SO{self.pk} {self.amount} {self.frequency}"


class StandingOrderRun(models.Model):
    """One due date of a standing order: posted once, or failed after its last try.
    Unique per (order, due date): a run can never post twice."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (account closed)"

    standing_order = models.ForeignKey(StandingOrder, on_delete=models.PROTECT, related_name="runs")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    journal = models.OneToOneField(
        "transactions.Journal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failure_code = models.CharField(max_length=50, blank=True)
    failure_detail = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_date"]
        constraints = [
            models.UniqueConstraint(fields=["standing_order", "due_date"], name="standing_order_run_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.standing_order} {self.due_date} {self.status}"
