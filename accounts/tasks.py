"""Celery tasks of accounts: thin, they call a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="accounts.mark_dormant")
def mark_dormant() -> int:
    """Make long-quiet accounts dormant (beat, daily; idempotent)."""
    return len(services.accounts_mark_dormant())
