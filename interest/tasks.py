"""Celery tasks for interest: thin, each calls one service. Both are idempotent and catch
up after downtime, so beat may run them late, twice, or after missed days."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="interest.accrue_due")
def accrue_due() -> dict:
    runs = services.interest_accrue_due()
    return {"accrued_days": [str(run.day) for run in runs], "accounts": sum(run.accounts for run in runs)}


@shared_task(name="interest.post_due")
def post_due() -> dict:
    runs = services.interest_post_due()
    return {
        "posted_periods": [str(run.period_end) for run in runs],
        "journals": sum(run.journals for run in runs),
        "failures": sum(run.failures for run in runs),
    }
