"""Reading the audit trail, and proving it has not been tampered with."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .chain import GENESIS, canonical_payload, chain_hash
from .models import AuditChainHead, AuditEvent


def audit_event_list() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.order_by("-id")


@dataclass
class LaneHead:
    lane: int
    seq: int
    hash: str


@dataclass
class ChainReport:
    """`ok`, or the first event found wrong: its lane, `first_bad_seq` in that lane, and
    what was wrong with it.

    problem: "missing" (an event with this seq is gone), "altered" (its content does not
    match its hash), "broken_link" (its prev_hash is not the previous event's hash: an
    earlier event was replaced or reordered), "head_mismatch" (the lane's head disagrees
    with its last event: the newest events were deleted or rewritten).
    """

    ok: bool
    checked: int
    heads: list[LaneHead]
    checked_at: datetime
    first_bad_lane: int | None = None
    first_bad_seq: int | None = None
    problem: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


_FIELDS = [
    "lane",
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


class _Broken(Exception):
    def __init__(self, lane: int, seq: int, problem: str, detail: str) -> None:
        super().__init__(detail)
        self.lane, self.seq, self.problem, self.detail = lane, seq, problem, detail


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute every lane's chain in `seq` order (one streamed walk over (lane, seq),
    constant memory) and compare every link with what is stored, and each lane's end with
    its head; stop at the first event that does not fit."""
    heads = {head.id: (head.seq, head.last_hash) for head in AuditChainHead.objects.all()}
    checked_at = timezone.now()
    checked = 0
    walked: dict[int, tuple[int, str]] = {}  # lane -> (last seq, last hash) as recomputed

    def lane_end(lane: int) -> None:
        last_seq, last_hash = walked.get(lane, (0, GENESIS))
        head_seq, head_hash = heads.get(lane, (0, GENESIS))
        if (head_seq, head_hash) != (last_seq, last_hash):
            detail = f"lane {lane}: the head says event {head_seq} ({head_hash[:12]}...), the last stored is {last_seq}"
            raise _Broken(lane, last_seq + 1 if head_seq > last_seq else head_seq, "head_mismatch", detail)

    try:
        lane = None
        expected_seq, running = 1, GENESIS
        rows = AuditEvent.objects.order_by("lane", "seq").values(*_FIELDS).iterator(chunk_size=chunk_size)
        for row in rows:
            if row["lane"] != lane:
                lane, expected_seq, running = row["lane"], 1, GENESIS
            row.pop("lane")
            seq = row.pop("seq")
            stored_prev, stored_hash = row.pop("prev_hash"), row.pop("hash")
            if seq != expected_seq:
                raise _Broken(
                    lane,
                    expected_seq,
                    "missing",
                    f"lane {lane}: event {expected_seq} is missing (next stored is {seq})",
                )
            if stored_prev != running:
                raise _Broken(lane, seq, "broken_link", f"lane {lane}: event {seq} does not follow event {seq - 1}")
            if chain_hash(stored_prev, seq, canonical_payload(**row)) != stored_hash:
                raise _Broken(lane, seq, "altered", f"lane {lane}: event {seq} does not match its hash")
            running, expected_seq, checked = stored_hash, seq + 1, checked + 1
            walked[lane] = (seq, stored_hash)
        for lane in sorted(set(heads) | set(walked)):  # a head whose lane has no events left, too
            lane_end(lane)
    except _Broken as broken:
        return ChainReport(
            False, checked, _heads(heads), checked_at, broken.lane, broken.seq, broken.problem, broken.detail
        )
    return ChainReport(True, checked, _heads(heads), checked_at)


def _heads(heads: dict[int, tuple[int, str]]) -> list[LaneHead]:
    return [LaneHead(lane, seq, digest) for lane, (seq, digest) in sorted(heads.items())]
