"""Beat tasks for fraud scoring: thin, idempotent."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="risk.retrain")
def retrain() -> dict:
    return {"version": services.risk_model_retrain()}


@shared_task(name="risk.rescore_recent")
def rescore_recent() -> dict:
    return {"rescored": services.transfers_rescore()}
