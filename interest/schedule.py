"""The interest beat schedule (bank time zone), installed by migration 0002."""

from __future__ import annotations

from django.apps import apps as django_apps

from bankingsystem.beat import periodic_tasks_install

SCHEDULE = [
    ("interest: accrue every day not yet accrued (daily)", "interest.accrue_due", {"minute": "30", "hour": "0"}),
    (
        "interest: post the month just ended (monthly)",
        "interest.post_due",
        {"minute": "0", "hour": "1", "day_of_month": "1"},
    ),
]


def schedule_install(apps=django_apps) -> None:  # type: ignore[no-untyped-def]
    periodic_tasks_install(SCHEDULE, apps)
