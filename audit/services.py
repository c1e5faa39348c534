"""Writing the audit trail: `audit_record`, called by every service in the same database
transaction as the change it records.

On PostgreSQL one statement chains and writes an event: it moves its lane's chain head
forward (an upsert that takes the head's row lock, so concurrent writers in a lane chain one
after another in commit order) and inserts the event with the hash the database computed.
The lane is the session's (its backend pid modulo AUDIT_CHAIN_LANES), so one transaction's
events are one lane's and sessions seldom share a head. SQLite runs one writer at a time
(BEGIN IMMEDIATE) in lane 1, and there Python computes the same hash.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS, canonical_payload, chain_hash, jsonable
from .models import AuditChainHead, AuditEvent

SYSTEM = "system"

_CHAIN_AND_INSERT = """
WITH head AS (
    INSERT INTO audit_auditchainhead AS h (id, seq, prev_hash, last_hash)
    VALUES (pg_backend_pid() %% %(lanes)s::integer + 1, 1, %(genesis)s::text,
            encode(sha256(convert_to(%(genesis)s::text || ':1:' || %(payload)s::text, 'UTF8')), 'hex'))
    ON CONFLICT (id) DO UPDATE SET
        seq = h.seq + 1,
        prev_hash = h.last_hash,
        last_hash = encode(
            sha256(convert_to(h.last_hash || ':' || (h.seq + 1)::text || ':' || %(payload)s::text, 'UTF8')), 'hex'
        )
    RETURNING id, seq, prev_hash, last_hash
)
INSERT INTO audit_auditevent
    (lane, seq, created_at, actor_id, actor_repr, action, object_type, object_id, object_repr,
     before, after, ip, request_id, prev_hash, hash)
SELECT head.id, head.seq, %(created_at)s, %(actor_id)s, %(actor_repr)s, %(action)s, %(object_type)s, %(object_id)s,
       %(object_repr)s, %(before)s::jsonb, %(after)s::jsonb, %(ip)s, %(request_id)s, head.prev_hash, head.last_hash
FROM head
RETURNING id, lane, seq, prev_hash, hash
"""


def _request_context() -> tuple[str | None, str]:
    """The client address and request id django-structlog bound for this request (or the
    Celery task id for work done in a task)."""
    bound = structlog.contextvars.get_contextvars()
    request_id = bound.get("request_id") or (f"task:{bound['task_id']}" if bound.get("task_id") else "")
    return bound.get("ip") or None, str(request_id)[:64]


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction that makes the change:
    if it rolls back, so does its event."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    ip, request_id = _request_context()
    fields: dict[str, Any] = {
        "created_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_repr": actor.get_username()[:150] if actor is not None else SYSTEM,
        "action": action,
        "object_type": object_type,
        "object_id": object_id[:64],
        "object_repr": object_repr[:200],
        "before": jsonable(before),
        "after": jsonable(after),
        "ip": ip,
        "request_id": request_id,
    }
    payload = canonical_payload(**fields)
    if connection.vendor == "postgresql":
        return _record_postgresql(fields, payload)
    with transaction.atomic():
        return _record_serialized(fields, payload)


def _record_postgresql(fields: dict[str, Any], payload: str) -> AuditEvent:
    params = {
        **fields,
        "before": None if fields["before"] is None else json.dumps(fields["before"]),
        "after": None if fields["after"] is None else json.dumps(fields["after"]),
        "genesis": GENESIS,
        "payload": payload,
        "lanes": max(settings.AUDIT_CHAIN_LANES, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_AND_INSERT, params)
        pk, lane, seq, prev_hash, digest = cursor.fetchone()
    return AuditEvent(pk=pk, lane=lane, seq=seq, prev_hash=prev_hash, hash=digest, **fields)


def _record_serialized(fields: dict[str, Any], payload: str) -> AuditEvent:
    """One writer at a time (SQLite): lane 1 only."""
    head = AuditChainHead.objects.filter(pk=1).first()
    seq, prev_hash = (head.seq + 1, head.last_hash) if head else (1, GENESIS)
    digest = chain_hash(prev_hash, seq, payload)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "prev_hash": prev_hash, "last_hash": digest})
    return AuditEvent.objects.create(lane=1, seq=seq, prev_hash=prev_hash, hash=digest, **fields)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON-safe values (foreign keys by id), for before/after."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return jsonable(values)
