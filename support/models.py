from django.conf import settings
from django.db import models
from django.db.models import Q


class Ticket(models.Model):
    """A customer's support request, worked by staff in a thread of messages."""

    class Category(models.TextChoices):
        ACCOUNT = "account", "Account"
        CARD = "card", "Card"
        TRANSACTION = "transaction", "Transaction dispute"
        LOAN = "loan", "Loan"
        ONLINE_BANKING = "online_banking", "Online banking"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(max_length=20, choices=Category.choices)
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_tickets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Service levels: time to the first staff reply, and to resolution.
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "assigned_to"], name="ticket_queue_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def response_time(self):  # type: ignore[no-untyped-def]
        return self.first_response_at - self.created_at if self.first_response_at else None

    @property
    def resolution_time(self):  # type: ignore[no-untyped-def]
        return self.resolved_at - self.created_at if self.resolved_at else None


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.author}: {self.body[:40]}"


class Announcement(models.Model):
    """A notice from the bank, shown to its audience between `starts_at` and `ends_at`."""

    class Severity(models.TextChoices):
        INFO = "info", "Information"
        WARNING = "warning", "Warning"
        CRITICAL = "critical", "Critical"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        CUSTOMERS = "customers", "Customers"
        STAFF = "staff", "Staff"

    title = models.CharField(max_length=200)
    body = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.INFO)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="announcement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]

    def __str__(self) -> str:
        return f"{self.user} read {self.announcement_id}"
