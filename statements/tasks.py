"""Celery tasks of statements: thin, they call a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="statements.generate_monthly")
def generate_monthly() -> int:
    return services.statements_generate_monthly()
