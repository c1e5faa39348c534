"""Redis Streams, the broker between banks: one stream per receiving bank, read by that
bank's consumer group. Delivery is at least once (a relay may publish twice after a crash,
a consumer may die before its XACK); the inbox makes handling exactly once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

from .directory import consumer_group, stream_of

_client: redis.Redis | None = None


def client() -> redis.Redis:
    global _client
    if _client is None:
        if not settings.INTERBANK_REDIS_URL:
            raise RuntimeError("INTERBANK_REDIS_URL (or REDIS_URL) is not set: no broker to other banks.")
        _client = redis.Redis.from_url(settings.INTERBANK_REDIS_URL, decode_responses=True)
    return _client


@dataclass(frozen=True)
class Message:
    message_id: str  # the stream entry's id (XACK)
    event_id: str  # the outbox event's id (the inbox's key)
    kind: str
    from_bank: str
    payload: dict[str, Any]


def publish(*, stream: str, event_id: str, kind: str, payload: dict[str, Any]) -> str:
    fields = {"event_id": event_id, "kind": kind, "from_bank": settings.BANK_CODE, "payload": json.dumps(payload)}
    return client().xadd(stream, fields)  # type: ignore[arg-type, return-value]


def _messages(entries: list) -> list[Message]:
    out = []
    for message_id, fields in entries:
        if not fields:  # deleted from the stream meanwhile
            continue
        out.append(
            Message(message_id, fields["event_id"], fields["kind"], fields["from_bank"], json.loads(fields["payload"]))
        )
    return out


def group_ensure() -> None:
    try:
        client().xgroup_create(stream_of(settings.BANK_CODE), consumer_group(), id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def reclaim(*, consumer: str, count: int = 50) -> list[Message]:
    """Entries another consumer took but never acknowledged for INTERBANK_CLAIM_IDLE_MS (it died)."""
    _next, entries, _deleted = client().xautoclaim(
        stream_of(settings.BANK_CODE),
        consumer_group(),
        consumer,
        min_idle_time=settings.INTERBANK_CLAIM_IDLE_MS,
        start_id="0-0",
        count=count,
    )
    return _messages(entries)


def read_new(*, consumer: str, count: int = 50, block_ms: int = 1000) -> list[Message]:
    stream = stream_of(settings.BANK_CODE)
    answer = client().xreadgroup(consumer_group(), consumer, {stream: ">"}, count=count, block=block_ms)
    return _messages(answer[0][1]) if answer else []


def ack(message_ids: list[str]) -> None:
    if message_ids:
        client().xack(stream_of(settings.BANK_CODE), consumer_group(), *message_ids)
