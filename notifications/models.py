from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message to one user: shown in the app's notification centre, and emailed when
    their preferences say so (by a Celery task, after the transaction that caused it commits)."""

    class Kind(models.TextChoices):
        MONEY_RECEIVED = "money_received", "Money received"
        MONEY_SENT = "money_sent", "Money sent"
        LARGE_DEBIT = "large_debit", "Large debit"
        NEW_DEVICE_LOGIN = "new_device_login", "Sign-in from a new device"
        TICKET_REPLY = "ticket_reply", "Support ticket reply"
        LOAN_DECISION = "loan_decision", "Loan decision"
        STANDING_ORDER_FAILED = "standing_order_failed", "Standing order failed"
        ACCOUNT_STATUS = "account_status", "Account status changed"
        CARD = "card", "Card"
        BENEFICIARY_ADDED = "beneficiary_added", "Beneficiary added"
        STATEMENT_READY = "statement_ready", "Statement ready"

    class EmailStatus(models.TextChoices):
        NONE = "", "Not emailed"
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Makes the producer idempotent: a task that runs twice creates one notification.
    dedupe_key = models.CharField(max_length=100, blank=True)
    in_app = models.BooleanField(default=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default="", blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["user", "-id"], name="notification_user_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.title}"


class NotificationPreference(models.Model):
    """A user's choice for one kind; kinds without a row use the defaults in services."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class JournalOutbox(models.Model):
    """Journals whose money-received / money-sent notifications are still to be made: a
    transactional outbox. The posting writes its row in the same statement as the money
    (transactions.services), so a committed posting is never forgotten, even when the web
    worker dies or Redis is down at commit; a task drains the outbox and makes the
    notifications in the transaction that deletes the row."""

    journal_ids = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"outbox {self.pk}: journals {self.journal_ids}"
