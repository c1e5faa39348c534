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
import secrets
from dataclasses import dataclass
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS, CanonicalJSON, canonical_payload, chain_hash, jsonable
from .models import AuditChainHead, AuditEvent

SYSTEM = "system"

# One chain step, as CTEs over `audit_payload` (one row: the event's canonical content,
# `payload`, and its `object_id`). It moves the session's lane head forward (an upsert that
# takes the head's row lock until commit) and inserts the event with the hash the database
# computed. audit_record runs it as a statement of its own; a posting runs it inside its
# own write statement (audit_step), one round trip fewer while its accounts are locked.
_CHAIN_STEP = """
audit_head AS (
    INSERT INTO audit_auditchainhead AS h (id, seq, prev_hash, last_hash)
    SELECT pg_backend_pid() %% %(audit_lanes)s::integer + 1, 1, %(audit_genesis)s::text,
           encode(sha256(convert_to(%(audit_genesis)s::text || ':1:' || p.payload, 'UTF8')), 'hex')
      FROM audit_payload p
    ON CONFLICT (id) DO UPDATE SET
        seq = h.seq + 1,
        prev_hash = h.last_hash,
        last_hash = encode(sha256(convert_to(
            h.last_hash || ':' || (h.seq + 1)::text || ':' || (SELECT payload FROM audit_payload), 'UTF8'
        )), 'hex')
    RETURNING id, seq, prev_hash, last_hash
), audit_event AS (
    INSERT INTO audit_auditevent
        (lane, seq, created_at, actor_id, actor_repr, action, object_type, object_id, object_repr,
         before, after, ip, request_id, prev_hash, hash)
    SELECT head.id, head.seq, %(audit_created_at)s, %(audit_actor_id)s, %(audit_actor_repr)s, %(audit_action)s,
           %(audit_object_type)s, p.object_id, %(audit_object_repr)s, %(audit_before)s::jsonb,
           %(audit_after)s::jsonb, %(audit_ip)s::inet, %(audit_request_id)s, head.prev_hash, head.last_hash
      FROM audit_head head, audit_payload p
    RETURNING id, lane, seq, prev_hash, hash
)"""

_CHAIN_AND_INSERT = f"""
WITH audit_payload AS (SELECT %(audit_payload)s::text AS payload, %(audit_object_id)s::text AS object_id),
{_CHAIN_STEP}
SELECT id, lane, seq, prev_hash, hash FROM audit_event
"""  # noqa: S608 (our own CTE text; every value is a parameter)


def _request_context() -> tuple[str | None, str]:
    """The client address and request id django-structlog bound for this request (or the
    Celery task id for work done in a task)."""
    bound = structlog.contextvars.get_contextvars()
    request_id = bound.get("request_id") or (f"task:{bound['task_id']}" if bound.get("task_id") else "")
    return bound.get("ip") or None, str(request_id)[:64]


def _event_fields(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | CanonicalJSON | None,
) -> dict[str, Any]:
    """An event's stored content (all but lane, seq and hashes), in its JSON-safe form."""
    ip, request_id = _request_context()
    return {
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


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | CanonicalJSON | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction that makes the change:
    if it rolls back, so does its event. `after` may be made ahead (CanonicalJSON): the
    event written and returned holds its value."""
    if isinstance(after, CanonicalJSON):
        after = json.loads(after)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    fields = _event_fields(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
    )
    payload = canonical_payload(**fields)
    if connection.vendor == "postgresql":
        return _record_postgresql(fields, payload)
    with transaction.atomic():
        return _record_serialized(fields, payload)


def _chain_params(fields: dict[str, Any], payload: str) -> dict[str, Any]:
    params = {f"audit_{name}": value for name, value in fields.items()}
    params["audit_before"] = _json_param(fields["before"])
    params["audit_after"] = _json_param(fields["after"])
    params["audit_genesis"] = GENESIS
    params["audit_payload"] = payload
    params["audit_lanes"] = max(settings.AUDIT_CHAIN_LANES, 1)
    return params


def _json_param(value: Any) -> str | None:
    if value is None or isinstance(value, CanonicalJSON):
        return value
    return json.dumps(value)


def _record_postgresql(fields: dict[str, Any], payload: str) -> AuditEvent:
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_AND_INSERT, _chain_params(fields, payload))
        pk, lane, seq, prev_hash, digest = cursor.fetchone()
    return AuditEvent(pk=pk, lane=lane, seq=seq, prev_hash=prev_hash, hash=digest, **fields)


@dataclass(frozen=True)
class AuditStep:
    """An audit event for another statement to write (PostgreSQL): `ctes` go after that
    statement's own CTEs (`WITH ..., {ctes} SELECT ...`), with `params` added to its own."""

    ctes: str
    params: dict[str, Any]


def audit_step(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    object_type: str,
    object_id_sql: str,
    object_repr: str = "",
    after: dict[str, Any] | CanonicalJSON | None = None,
) -> AuditStep:
    """audit_record's event, chained by the statement that makes the change, for an object
    whose id that statement creates: `object_id_sql` is an SQL expression, over the
    statement's own CTEs, giving the id as digits. The canonical content is built here with
    a placeholder id, which the statement replaces with the id it made before hashing; the
    verifier recomputes the same content from the stored row."""
    placeholder = f"@object-id-{secrets.token_hex(8)}@"
    fields = _event_fields(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=placeholder,
        object_repr=object_repr,
        before=None,
        after=after,
    )
    params = _chain_params(fields, canonical_payload(**fields))
    params["audit_placeholder"] = json.dumps(placeholder)
    # No event when the statement made no object (a guarded write that did not write). Our
    # own CTE text: every value is a parameter.
    ctes = (
        f"audit_payload AS (SELECT replace(%(audit_payload)s::text, %(audit_placeholder)s::text,"  # noqa: S608
        f" '\"' || o.id::text || '\"') AS payload, o.id::text AS object_id"
        f" FROM (SELECT ({object_id_sql}) AS id) o WHERE o.id IS NOT NULL),"
        f"{_CHAIN_STEP}"
    )
    return AuditStep(ctes=ctes, params=params)


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
