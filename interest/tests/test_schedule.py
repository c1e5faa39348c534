"""The beat schedule lives in django-celery-beat's tables, installed by a migration.

(Kept apart from test_tasks.py, whose tests are all transactional: pytest-django runs
those after the others, and a file mixing both would be scheduled early and flush the
migration data of the tests that follow it on the same worker.)"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_celery_beat.models import PeriodicTask

from bankingsystem.celery import app as celery_app
from interest.schedule import SCHEDULE


def test_the_migration_installs_the_schedule_in_django_celery_beat(db):
    migration = importlib.import_module("interest.migrations.0002_beat_schedule")
    historical = MigrationExecutor(connection).loader.project_state(("interest", "0002_beat_schedule")).apps
    PeriodicTask.objects.filter(task__startswith="interest.").delete()
    migration.install(historical, None)
    migration.install(historical, None)  # idempotent
    entries = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    accrue, post = (entries[name] for name, _, _ in SCHEDULE)
    assert (accrue.task, accrue.enabled) == ("interest.accrue_due", True)
    assert (accrue.crontab.minute, accrue.crontab.hour, accrue.crontab.day_of_month) == ("30", "0", "*")
    assert (post.task, post.crontab.minute, post.crontab.hour, post.crontab.day_of_month) == (
        "interest.post_due",
        "0",
        "1",
        "1",
    )
    assert str(post.crontab.timezone) == settings.TIME_ZONE
    assert PeriodicTask.objects.filter(task__startswith="interest.").count() == 2
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert {"interest.accrue_due", "interest.post_due"} <= set(celery_app.tasks)
