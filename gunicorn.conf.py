"""gunicorn settings for the web process (Dockerfile, docker-compose and Kubernetes all
run `gunicorn -c gunicorn.conf.py bankingsystem.wsgi`). Every value can be overridden by
the environment variable named beside it.

Metrics: with `PROMETHEUS_MULTIPROC_DIR` set, each worker writes its samples to files in
that directory and whichever worker answers /metrics reads them all. The directory is
emptied when the server starts (an old run's counts would be added to the new ones), and
a dead worker's live gauges are dropped when it exits.
"""

import os
import shutil
from pathlib import Path

from bankingsystem import logs

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# GUNICORN_WORKERS, else WEB_CONCURRENCY (the variable gunicorn itself and most platforms
# use; a `workers` set here used to override it silently), else 3.
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or "3")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow without bound; jitter spreads restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Heartbeat files in memory, not on the (read-only) root filesystem.
SHM = "/dev/shm"  # noqa: S108  (gunicorn's documented place for worker heartbeats)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", SHM if Path(SHM).is_dir() else None)
# No access log: django-structlog writes one JSON line per request, with its request id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = logs.logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(), fmt=os.environ.get("LOG_FORMAT", "json")
)
# ...and a logconfig_dict turns gunicorn's access log on whatever `accesslog` says: every
# request was logged twice (at any LOG_LEVEL, the access logger is INFO). Silenced here.
logconfig_dict["loggers"]["gunicorn.access"] = {"handlers": [], "propagate": False, "level": "CRITICAL"}
# Trust X-Forwarded-* only from the proxy in front of us (the ingress or compose network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "bankingsystem-web"
# No control socket: it would be written under $HOME, which is read-only in the containers.
control_socket_disable = True


def on_starting(server):  # type: ignore[no-untyped-def]
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    # The app is loaded: what it holds now lives as long as the worker (bankingsystem.process).
    from bankingsystem.process import collector_tune

    collector_tune()


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
