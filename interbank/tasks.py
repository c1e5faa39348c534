"""Celery tasks of the federation: thin, they call a service. Each is idempotent: the
relay only publishes unpublished events, the consumer's inbox drops what it has seen,
recovery only acts on transactions still in doubt, and the heartbeat only stamps a time."""

from __future__ import annotations

import socket

from celery import shared_task

from bankingsystem.replica import replica_is_usable

from . import services, twophase


@shared_task(name="interbank.outbox_relay")
def outbox_relay() -> int:
    return services.outbox_relay()


@shared_task(name="interbank.inbox_consume")
def inbox_consume() -> int:
    """One short round (beat runs it often; `manage.py interbank_worker` is the long-running form)."""
    return services.inbox_consume(consumer=f"beat-{socket.gethostname()}", block_ms=100)


@shared_task(name="interbank.two_phase_recovery")
def two_phase_recovery() -> dict[str, int]:
    return twophase.two_phase_recover()


@shared_task(name="interbank.replication_heartbeat")
def replication_heartbeat() -> bool:
    """Stamp the heartbeat on the primary and refresh the lag gauge and the router's verdict."""
    services.replication_heartbeat_touch()
    return replica_is_usable(fresh=True)
