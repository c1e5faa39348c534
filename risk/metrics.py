"""Fraud metrics: verdicts by kind, and the holds waiting for review."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

FRAUD_VERDICTS = Counter("bank_fraud_verdicts", "Transfers screened, by verdict.", ["verdict"])
HOLDS_PENDING = Gauge(
    "bank_holds_pending", "Transfers held for fraud review, not yet released or rejected.",
    multiprocess_mode="mostrecent",
)  # fmt: skip


def verdict_observed(verdict: str) -> None:
    FRAUD_VERDICTS.labels(verdict=verdict).inc()
    if verdict == "critical":
        holds_pending_changed()


def holds_pending_changed() -> None:
    from django.db import transaction

    from transactions.models import Hold

    def publish() -> None:
        HOLDS_PENDING.set(Hold.objects.filter(status=Hold.Status.PENDING).count())

    transaction.on_commit(publish)
