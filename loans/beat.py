"""The beat schedule for loans, kept in django-celery-beat's tables so staff can see and
edit it in the admin. Installed by a migration; installing again changes nothing (an
entry staff have edited keeps their edits)."""

from __future__ import annotations

from django.apps import apps as django_apps

from bankingsystem.beat import periodic_tasks_install

# name, task, crontab (in the bank's time zone). Collection runs early on the due date;
# delinquency (late fees past grace, buckets) after it, so a collected instalment is never late.
SCHEDULE = [
    ("loans: collect instalments due (daily)", "loans.collect_due", {"minute": "0", "hour": "6"}),
    ("loans: late fees and delinquency buckets (daily)", "loans.refresh_delinquency", {"minute": "0", "hour": "23"}),
]


def schedule_install(apps=django_apps) -> None:  # type: ignore[no-untyped-def]
    periodic_tasks_install(SCHEDULE, apps)
