"""Entries of the Celery beat schedule, kept in django-celery-beat's tables so staff can see
and edit them in the admin. Each app lists its own and installs them from a migration;
installing again changes nothing (an entry staff have edited keeps their edits)."""

from __future__ import annotations

from django.apps import apps as django_apps
from django.conf import settings


def periodic_tasks_install(schedule: list[tuple[str, str, dict[str, str]]], apps=django_apps) -> None:  # type: ignore[no-untyped-def]
    """`schedule`: (name, task, crontab fields in the bank's time zone; unset fields are "*").
    `apps`: the migration's historical registry, or the live one."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in schedule:
        fields = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", **cron}
        crontab, _ = CrontabSchedule.objects.get_or_create(**fields, timezone=settings.TIME_ZONE)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})
