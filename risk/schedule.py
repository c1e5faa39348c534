"""The fraud beat schedule (bank time zone), installed by migration 0002."""

from __future__ import annotations

from django.apps import apps as django_apps

from bankingsystem.beat import periodic_tasks_install

SCHEDULE = [
    ("risk: retrain the fraud model on the last 90 days (weekly)", "risk.retrain",
     {"minute": "15", "hour": "3", "day_of_week": "1"}),
    ("risk: rescore the last day's transfers with the newest model (hourly)", "risk.rescore_recent",
     {"minute": "45"}),
]  # fmt: skip


def schedule_install(apps=django_apps) -> None:  # type: ignore[no-untyped-def]
    periodic_tasks_install(SCHEDULE, apps)
