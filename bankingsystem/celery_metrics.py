"""Celery metrics under celery-exporter's names, so its celery-mixin alerts and dashboards
work unchanged: task outcomes by task name, worker hostname and queue, task runtime, queue
lengths and worker liveness.

They come from Celery's signals in our own processes, not from a separate exporter
reading task events: `celery_task_sent_total` where a task is published (web, beat), the
rest in the worker. A prefork worker runs tasks in child processes, so the worker sets
`PROMETHEUS_MULTIPROC_DIR` and its main process serves every child's samples on
`CELERY_METRICS_PORT` (9808, celery-exporter's port).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from amqp.exceptions import ChannelError
from celery import signals
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Metric files are created as modules load, before any worker signal: the directory must
# exist by then. It should start empty with each container (a tmpfs in docker-compose, an
# in-memory emptyDir on Kubernetes); gunicorn empties it itself (gunicorn.conf.py).
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    Path(MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

LABELS = ["name", "hostname", "queue_name"]
TASK_SENT = Counter("celery_task_sent", "Tasks published.", LABELS)
TASK_RECEIVED = Counter("celery_task_received", "Tasks a worker received.", LABELS)
TASK_STARTED = Counter("celery_task_started", "Tasks a worker started.", LABELS)
TASK_SUCCEEDED = Counter("celery_task_succeeded", "Tasks that succeeded.", LABELS)
TASK_FAILED = Counter("celery_task_failed", "Tasks that failed, by exception.", [*LABELS, "exception"])
TASK_RETRIED = Counter("celery_task_retried", "Tasks retried.", LABELS)
TASK_REVOKED = Counter("celery_task_revoked", "Tasks revoked.", LABELS)
TASK_RUNTIME = Histogram(
    "celery_task_runtime",
    "Seconds a task ran.",
    LABELS,
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)

_started_at: dict[str, float] = {}


def _queue(request: Any) -> str:
    delivery = getattr(request, "delivery_info", None) or {}
    return str(delivery.get("routing_key") or "celery")


def _labels(task: Any) -> tuple[str, str, str]:
    request = task.request
    return task.name, str(request.hostname or socket.gethostname()), _queue(request)


@signals.after_task_publish.connect
def _on_sent(sender: str | None = None, routing_key: str | None = None, **kwargs: Any) -> None:
    TASK_SENT.labels(sender or "unknown", socket.gethostname(), routing_key or "celery").inc()


@signals.task_received.connect
def _on_received(request: Any = None, **kwargs: Any) -> None:
    TASK_RECEIVED.labels(request.name, request.hostname or socket.gethostname(), _queue(request)).inc()


@signals.task_prerun.connect
def _on_started(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    _started_at[task_id] = time.monotonic()
    TASK_STARTED.labels(*_labels(task)).inc()


@signals.task_postrun.connect
def _on_finished(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    started = _started_at.pop(task_id, None)
    if started is not None:
        TASK_RUNTIME.labels(*_labels(task)).observe(time.monotonic() - started)


@signals.task_success.connect
def _on_succeeded(sender: Any = None, **kwargs: Any) -> None:
    TASK_SUCCEEDED.labels(*_labels(sender)).inc()


@signals.task_failure.connect
def _on_failed(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    TASK_FAILED.labels(*_labels(sender), type(exception).__name__).inc()


@signals.task_retry.connect
def _on_retried(sender: Any = None, **kwargs: Any) -> None:
    TASK_RETRIED.labels(*_labels(sender)).inc()


@signals.task_revoked.connect
def _on_revoked(request: Any = None, **kwargs: Any) -> None:
    name = getattr(request, "name", None) or getattr(request, "task", None) or "unknown"
    TASK_REVOKED.labels(name, getattr(request, "hostname", None) or socket.gethostname(), _queue(request)).inc()


def _queue_length(channel: Any, queue: str) -> int:
    try:
        return channel.queue_declare(queue=queue, passive=True).message_count
    except ChannelError as error:
        if str(getattr(error, "reply_code", "")) == "404":  # not declared yet: nothing has ever waited in it
            return 0
        raise


class WorkerCollector(Collector):
    """Read at scrape time: queue lengths from the broker, and this worker being up."""

    def __init__(self, app: Any, hostname: str) -> None:
        self.app = app
        self.hostname = hostname

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("celery_worker_up", "1 while the worker serves its metrics.", labels=["hostname"])
        up.add_metric([self.hostname], 1)
        yield up
        lengths = GaugeMetricFamily("celery_queue_length", "Messages waiting in a queue.", labels=["queue_name"])
        try:
            with self.app.connection_for_read() as connection:
                channel = connection.default_channel
                for queue in self.app.amqp.queues:
                    lengths.add_metric([queue], _queue_length(channel, queue))
        except Exception:  # a broker outage must not break the scrape; celery_worker_up still answers
            return
        yield lengths


@signals.worker_init.connect
def _serve_worker_metrics(sender: Any = None, **kwargs: Any) -> None:
    port = os.environ.get("CELERY_METRICS_PORT")
    if not port or sender is None:
        return
    registry = REGISTRY
    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=MULTIPROC_DIR)
    registry.register(WorkerCollector(sender.app, sender.hostname))
    start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"), registry=registry)  # noqa: S104


@signals.worker_process_shutdown.connect
def _forget_child(pid: int | None = None, **kwargs: Any) -> None:
    if MULTIPROC_DIR:
        multiprocess.mark_process_dead(pid or os.getpid())
