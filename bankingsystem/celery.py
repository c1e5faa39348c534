"""The Celery application. Broker and behaviour come from settings (CELERY_*)."""

import logging.config
import os

from celery import Celery, signals
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankingsystem.settings")

app = Celery("bankingsystem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task ids in every log line a task writes (django-structlog), and celery-exporter-style metrics.
app.steps["worker"].add(DjangoStructLogInitStep)
from . import celery_metrics  # noqa: E402, F401  (connects the metric signal handlers)


@signals.setup_logging.connect
def _logging_from_settings(**kwargs: object) -> None:
    """Workers and beat log through settings.LOGGING (JSON lines) instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.worker_process_init.connect
def _collector_tuned(**kwargs: object) -> None:
    """Each pool process, once forked with the app loaded (bankingsystem.process)."""
    from .process import collector_tune

    collector_tune()
