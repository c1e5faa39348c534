"""Reads from the logical-replication subscriber, when there is one and it keeps up.

Only reads a view opts into go to the replica: `with replica_reads():` (or as a decorator)
around statements, history and the integrity report. Everything else, and every write or
locking read, stays on the primary. Inside such a block the router sends reads to the
`replica` database while its lag (the age of the heartbeat row beat updates on the
primary every REPLICA_HEARTBEAT_SECONDS, as seen on the replica) is under
REPLICA_MAX_LAG_SECONDS; when the replica is down, unconfigured or behind, reads fall back
to the primary. The verdict is cached for a second per process so a page of reads costs
at most one look at the replica.
"""

from __future__ import annotations

import time
from contextlib import ContextDecorator
from contextvars import ContextVar

import structlog
from django.conf import settings
from django.db import DatabaseError, connections
from prometheus_client import Gauge

logger = structlog.get_logger(__name__)

REPLICA = "replica"
CHECK_EVERY_SECONDS = 1.0
HEARTBEAT_TABLE = "interbank_replicationheartbeat"

REPLICATION_LAG = Gauge(
    "bank_replication_lag_seconds",
    "Age of the primary's heartbeat as seen on the read replica (NaN while the replica is unreachable)",
    multiprocess_mode="max",
)
REPLICA_READS = Gauge(
    "bank_replica_reads_enabled",
    "1 while chosen reads go to the replica, 0 while they fall back to the primary",
    multiprocess_mode="min",
)

_wanted: ContextVar[bool] = ContextVar("replica_reads", default=False)
_verdict: dict[str, float | bool] = {"at": 0.0, "usable": False}


class replica_reads(ContextDecorator):
    """Send the reads made inside to the replica if it is usable."""

    def __enter__(self) -> replica_reads:
        self._token = _wanted.set(True)
        return self

    def __exit__(self, *exc: object) -> None:
        _wanted.reset(self._token)


def replica_lag_seconds() -> float | None:
    """The replica's lag in seconds, or None when it cannot be asked (and then NaN in the gauge)."""
    if REPLICA not in settings.DATABASES:
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                f"SELECT extract(epoch FROM clock_timestamp() - beat_at) FROM {HEARTBEAT_TABLE} WHERE id = 1"  # noqa: S608
            )
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica_unreachable", error=str(error).strip()[:200])
        connections[REPLICA].close()
        REPLICATION_LAG.set(float("nan"))
        return None
    lag = float(row[0]) if row else None
    REPLICATION_LAG.set(lag if lag is not None else float("nan"))
    return lag


def replica_is_usable(*, fresh: bool = False) -> bool:
    if REPLICA not in settings.DATABASES:
        return False
    now = time.monotonic()
    if fresh or now - float(_verdict["at"]) > CHECK_EVERY_SECONDS:
        lag = replica_lag_seconds()
        usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
        if usable != _verdict["usable"]:
            logger.info("replica_reads_switched", usable=usable, lag=lag)
        _verdict.update(at=now, usable=usable)
        REPLICA_READS.set(1 if usable else 0)
    return bool(_verdict["usable"])


class ReplicaRouter:
    """Chosen reads to the replica (see module doc); all else to the primary."""

    def db_for_read(self, model, **hints):  # type: ignore[no-untyped-def]
        if _wanted.get() and replica_is_usable():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):  # type: ignore[no-untyped-def]
        return "default"

    def allow_relation(self, obj1, obj2, **hints):  # type: ignore[no-untyped-def]
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):  # type: ignore[no-untyped-def]
        return True  # the subscriber needs the same schema (replication_setup migrates it)
