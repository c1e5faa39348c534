"""Reading the audit trail, and proving it has not been tampered with."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .chain import GENESIS, canonical_payload, chain_hash
from .models import AuditChainHead, AuditEvent


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-seq")


@dataclass
class ChainReport:
    """`ok`, or the first event found wrong: `first_bad_seq` and what was wrong with it.

    problem: "missing" (an event with this seq is gone), "altered" (its content does not
    match its hash), "broken_link" (its prev_hash is not the previous event's hash: an
    earlier event was replaced or reordered), "head_mismatch" (the head disagrees with
    the last event: the newest events were deleted or rewritten).
    """

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    checked_at: datetime
    first_bad_seq: int | None = None
    problem: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


_FIELDS = [
    "seq",
    "created_at",
    "actor_id",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip",
    "request_id",
    "prev_hash",
    "hash",
]


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute the whole chain in `seq` order (streamed, constant memory) and compare
    every link with what is stored; stop at the first event that does not fit."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS)
    checked_at = timezone.now()

    def bad(seq: int, problem: str, detail: str, checked: int) -> ChainReport:
        return ChainReport(False, checked, head_seq, head_hash, checked_at, seq, problem, detail)

    expected_seq, running = 1, GENESIS
    checked = 0
    for row in AuditEvent.objects.order_by("seq").values(*_FIELDS).iterator(chunk_size=chunk_size):
        seq = row.pop("seq")
        stored_prev, stored_hash = row.pop("prev_hash"), row.pop("hash")
        if seq != expected_seq:
            return bad(expected_seq, "missing", f"event {expected_seq} is missing (next stored is {seq})", checked)
        if stored_prev != running:
            return bad(seq, "broken_link", f"event {seq} does not follow event {seq - 1}", checked)
        if chain_hash(stored_prev, seq, canonical_payload(**row)) != stored_hash:
            return bad(seq, "altered", f"event {seq} does not match its hash", checked)
        running, expected_seq, checked = stored_hash, seq + 1, checked + 1
    if head_seq != checked or head_hash != running:
        detail = f"the head says event {head_seq} ({head_hash[:12]}...), the last stored is {checked}"
        return bad(checked + 1 if head_seq > checked else head_seq, "head_mismatch", detail, checked)
    return ChainReport(True, checked, head_seq, head_hash, checked_at)
