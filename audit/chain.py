"""The hash chain's definition, shared by the writer (audit.services) and the verifier
(audit.selectors). PostgreSQL computes the same digest in SQL: keep the two in step.

    hash(n) = sha256( hash(n-1) + ":" + n + ":" + canonical JSON of event n's content )

with hash(0) = 64 zeros. The content is every stored field but the hashes and `seq`
(which the formula carries), as sorted-key, ASCII-only, compact JSON.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import uuid
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


class CanonicalJSON(str):
    """A `before` or `after` already in the chain's canonical form (canonical_json), for
    content a caller builds ahead piece by piece: canonical_payload splices the text in as it
    is rather than walking and encoding the value again. A batch of 1,000 transfers makes each
    journal's piece before it locks the accounts, so the locks are not held while the event's
    150 kB of JSON is built."""


def canonical_json(value: Any) -> str:
    """Sorted-key, ASCII-only, compact JSON: the chain's form of content (of jsonable values)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def jsonable(value: Any) -> Any:
    """Values that survive a round trip through jsonb unchanged: money and times as
    strings (never floats), keys as strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(value, (datetime.date, uuid.UUID, float)):
        return str(value)
    return str(value)


def canonical_payload(
    *,
    created_at: datetime.datetime,
    actor_id: int | None,
    actor_repr: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    ip: str | None,
    request_id: str,
) -> str:
    content = {
        "created_at": jsonable(created_at),
        "actor_id": actor_id,
        "actor_repr": actor_repr,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "ip": ip,
        "request_id": request_id,
    }
    ahead = {name: value for name, value in (("before", before), ("after", after)) if isinstance(value, CanonicalJSON)}
    if not ahead:
        return canonical_json(content)
    # Sorted-key compact JSON is the same text whether a value is encoded on its own or
    # inside the whole: encode the rest around a unique placeholder and put the text there.
    placeholders = {name: f"@{name}-{secrets.token_hex(8)}@" for name in ahead}
    payload = canonical_json({**content, **placeholders})
    for name, text in ahead.items():
        payload = payload.replace(json.dumps(placeholders[name]), text, 1)
    return payload


def chain_hash(prev_hash: str, seq: int, payload: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{payload}".encode()).hexdigest()
