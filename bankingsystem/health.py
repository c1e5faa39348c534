"""Probes: /healthz answers while the process runs (liveness, no dependencies);
/readyz answers 200 only when the database can be queried, every migration is applied
and Redis answers where one is configured (readiness)."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

# Once every migration is applied it stays so for the life of the process: check until then.
_migrations_applied = False


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise RuntimeError(f"{len(pending)} migrations not applied")
        _migrations_applied = True
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def readyz(request: HttpRequest) -> JsonResponse:
    body: dict[str, str] = {"status": "ok"}
    for name, check in (("database", _database), ("migrations", _migrations), ("redis", _redis)):
        try:
            body[name] = check()
        except Exception as error:  # any failure means "do not send traffic here"
            body.update(status="unavailable", **{name: str(error)[:200]})
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
