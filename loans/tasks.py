"""Celery tasks for loans: thin, each calls one service. Both are idempotent: collection
takes only what is due (so a second run finds nothing due), and the daily delinquency run
charges a late fee at most once per instalment. `today` (ISO date) lets staff re-run a
missed day; beat leaves it out."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from . import services


def _day(today: str | None) -> date | None:
    return date.fromisoformat(today) if today else None


@shared_task(name="loans.collect_due")
def collect_due(today: str | None = None) -> dict:
    return {"repayments": services.loans_collect_due(today=_day(today))}


@shared_task(name="loans.refresh_delinquency")
def refresh_delinquency(today: str | None = None) -> dict:
    return {"loans": services.loans_refresh_delinquency(today=_day(today))}
