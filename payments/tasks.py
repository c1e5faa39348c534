"""Celery tasks of payments: thin, they call a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="payments.standing_orders_run")
def standing_orders_run() -> dict[str, int]:
    """Run the standing orders due today (beat, hourly: idempotent, so every run after the
    first in a day only retries what is due)."""
    return services.standing_orders_run_due()
