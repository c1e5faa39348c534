"""Fraud scoring: the trained models, every transfer's score, and the alerts staff review."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import money_field


class Verdict(models.TextChoices):
    SAFE = "safe", "Safe"
    SUSPICIOUS = "suspicious", "Suspicious"
    CRITICAL = "critical", "Critical"


class RiskModel(models.Model):
    """A trained Isolation Forest, versioned. The newest active one scores transfers."""

    version = models.PositiveIntegerField(unique=True)
    estimator = models.BinaryField(help_text="joblib dump of the fitted IsolationForest")
    calibration = models.JSONField(help_text="raw anomaly scores at the median and the top of the training set")
    features = models.JSONField(help_text="feature names, in the order the estimator expects")
    trained_on = models.PositiveIntegerField(help_text="transfers in the training window")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"fraud model v{self.version}"


class TransferScore(models.Model):
    """Every screened transfer's score (partitioned by month on PostgreSQL, risk.0001)."""

    source = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+", null=True)
    amount = money_field(default=None)
    score = models.FloatField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    model_version = models.PositiveIntegerField(null=True, blank=True, help_text="empty: the rule fallback")
    features = models.JSONField()
    journal = models.ForeignKey("transactions.Journal", on_delete=models.PROTECT, null=True, related_name="+")
    rescored = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["source", "created_at"], name="score_source_time_idx")]

    def __str__(self) -> str:
        return f"score {self.score} ({self.verdict}) of {self.amount}"


class FraudAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RELEASED = "released", "Released (hold posted)"
        REJECTED = "rejected", "Rejected (hold voided)"
        DISMISSED = "dismissed", "Dismissed (not fraud)"
        CONFIRMED = "confirmed", "Confirmed fraud"

    source = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="fraud_alerts")
    destination = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="+", null=True)
    amount = money_field(default=None)
    score = models.FloatField()
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    features = models.JSONField()
    hold = models.OneToOneField("transactions.Hold", on_delete=models.PROTECT, null=True, related_name="alert")
    journal = models.ForeignKey("transactions.Journal", on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="alert_status_idx")]

    def __str__(self) -> str:
        return f"alert {self.pk} {self.verdict} {self.amount} ({self.status})"
