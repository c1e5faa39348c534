"""Synthetic bank activity with injected frauds, to measure the detector (evaluate_fraud).

Customers have a usual amount (log-normal around their own base), a handful of regular
payees, and send one to three transfers on most days, in the daytime. Into that stream go
four fraud patterns, each labelled:

- burst: six transfers to new payees within two minutes;
- night_large: one transfer of 10-30 times the usual amount between 1 and 4 AM;
- new_payee_large: 8-20 times the usual amount to a never-paid account, in the daytime;
- takeover: at night, three large transfers to one new account within ten minutes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from .features import TransferEvent

PATTERNS = ["burst", "night_large", "new_payee_large", "takeover"]


def _money(value: float) -> Decimal:
    return Decimal(str(round(max(value, 1.0), 2)))


def synthetic_activity(
    *, customers: int = 300, days: int = 60, fraud_rate: float = 0.01, seed: int = 0
) -> tuple[list[TransferEvent], list[int], list[str]]:
    """(events sorted by time, label per event: 1 fraud, pattern per event or "")."""
    rng = random.Random(seed)  # synthetic data, not cryptography
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(2026, 1, 1, tzinfo=zone)
    rows: list[tuple[TransferEvent, int, str]] = []
    next_payee = 10_000_000
    for customer in range(1, customers + 1):
        base = rng.lognormvariate(7.5, 0.8)  # about 1,800 rupees, from hundreds to tens of thousands
        payees = [next_payee + i for i in range(rng.randint(3, 8))]
        next_payee += 100
        for day in range(days):
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                at = start + timedelta(days=day, hours=rng.uniform(8, 22))
                payee = rng.choice(payees) if rng.random() > 0.05 else next_payee + rng.randint(50, 99)
                rows.append((TransferEvent(customer, at, _money(base * rng.lognormvariate(0, 0.4)), payee), 0, ""))
            if rng.random() < fraud_rate:
                pattern = rng.choice(PATTERNS)
                day_start = start + timedelta(days=day)
                stranger = next_payee + 99_000 + rng.randint(0, 900)
                if pattern == "burst":
                    at = day_start + timedelta(hours=rng.uniform(9, 20))
                    burst = [(at + timedelta(seconds=20 * i), base * rng.uniform(1, 3), stranger + i) for i in range(6)]
                elif pattern == "night_large":
                    burst = [
                        (day_start + timedelta(hours=rng.uniform(1, 4)), base * rng.uniform(10, 30), rng.choice(payees))
                    ]
                elif pattern == "new_payee_large":
                    burst = [(day_start + timedelta(hours=rng.uniform(10, 18)), base * rng.uniform(8, 20), stranger)]
                else:
                    at = day_start + timedelta(hours=rng.uniform(0.5, 4))
                    burst = [(at + timedelta(minutes=4 * i), base * rng.uniform(6, 15), stranger) for i in range(3)]
                rows += [
                    (TransferEvent(customer, when, _money(amount), payee), 1, pattern) for when, amount, payee in burst
                ]
    rows.sort(key=lambda row: row[0].at)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
