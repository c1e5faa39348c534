"""The features of one transfer, from the sender's recent debits.

One pure function (`features_compute`) turns a transfer and the sender's history into the
vector the model sees; inline scoring feeds it from two indexed queries, and training and
the synthetic evaluation feed it from event streams, so all three see the same features.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median

from django.utils import timezone

FEATURES = [
    "log_amount",  # log10 of the amount in rupees
    "hour",  # local hour of day, 0..23
    "night",  # 1 between midnight and 5 AM
    "weekday",  # 0 = Monday
    "sent_last_minute",  # the sender's debits in the minute before
    "sent_last_hour",
    "amount_vs_usual",  # log2 of amount / the median of the sender's recent debits
    "new_payee",  # 1 when the sender never paid this account in the window
    "cross_bank",
]
HISTORY_DAYS = 90
HISTORY_DEBITS = 50


@dataclass(frozen=True)
class Debit:
    at: datetime
    amount: Decimal
    destination_id: int | None


def features_compute(
    *, amount: Decimal, at: datetime, history: Iterable[Debit], destination_id: int | None, cross_bank: bool
) -> list[float]:
    """`history`: the sender's earlier debits (any order), within HISTORY_DAYS."""
    earlier = [d for d in history if d.at <= at]
    local = timezone.localtime(at)
    usual = median([float(d.amount) for d in earlier[-HISTORY_DEBITS:]]) if earlier else float(amount)
    return [
        math.log10(float(amount) + 1),
        float(local.hour),
        1.0 if local.hour < 5 else 0.0,
        float(local.weekday()),
        float(sum(1 for d in earlier if at - d.at <= timedelta(minutes=1))),
        float(sum(1 for d in earlier if at - d.at <= timedelta(hours=1))),
        max(-8.0, min(8.0, math.log2(float(amount) / max(usual, 0.01)))),
        0.0 if any(d.destination_id == destination_id for d in earlier) else 1.0,
        1.0 if cross_bank else 0.0,
    ]


@dataclass(frozen=True)
class TransferEvent:
    source_id: int
    at: datetime
    amount: Decimal
    destination_id: int | None
    cross_bank: bool = False


def vectors_from_events(events: Iterable[TransferEvent]) -> Iterator[list[float]]:
    """Features of each event given the events before it (events sorted by time)."""
    histories: dict[int, deque[Debit]] = defaultdict(lambda: deque(maxlen=HISTORY_DEBITS * 4))
    for event in events:
        history = histories[event.source_id]
        while history and event.at - history[0].at > timedelta(days=HISTORY_DAYS):
            history.popleft()
        yield features_compute(
            amount=event.amount,
            at=event.at,
            history=list(history),
            destination_id=event.destination_id,
            cross_bank=event.cross_bank,
        )
        history.append(Debit(event.at, event.amount, event.destination_id))
