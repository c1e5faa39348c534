"""Domain metrics of the ledger (prometheus_client), for Prometheus alerts and Grafana.

Labels stay few and bounded: the journal kind (an enum), the outcome, the refusal code
(the stable `ApplicationError` codes) and the currency; never an account, a user or an
amount. Amounts enter the histogram as floats: a bucket count is a statistic that nothing
reads money back from; the ledger itself stays `Decimal`.

Gauges use `multiprocess_mode="mostrecent"`: under gunicorn or a prefork Celery worker
the newest value written by any process is the one exported.
"""

from __future__ import annotations

import functools
import time
from collections import Counter as Counter_
from collections.abc import Callable
from decimal import Decimal
from typing import ParamSpec, TypeVar

from django.db import transaction
from prometheus_client import Counter, Gauge, Histogram

from bankingsystem.errors import ApplicationError

from .models import Journal
from .selectors import IntegrityReport

P = ParamSpec("P")
R = TypeVar("R")

MONEY_MOVEMENTS = Counter(
    "bank_money_movements",
    "Money movements asked of the ledger, by journal kind and outcome (posted, refused, failed).",
    ["kind", "outcome", "code"],
)
MOVEMENT_DURATION = Histogram(
    "bank_money_movement_duration_seconds",
    "Time a money-movement service takes, row locks and conflict retries included.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MOVEMENT_AMOUNT = Histogram(
    "bank_money_movement_amount",
    "Amounts of posted movements, in units of the currency (statistics, not money).",
    ["kind", "currency"],
    buckets=(100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 10_000_000),
)
TRANSFER_GUARD_FALLBACKS = Counter(
    "bank_transfer_guard_fallbacks",
    "Single transfers whose one-statement guard stopped what the service's rules pass, posted "
    "the general way (services._TRANSFER_POST); should stay at zero.",
)
LEDGER_IMBALANCE = Gauge(
    "bank_ledger_imbalance",
    "Sum of every account balance per currency at the last integrity check; zero when the ledger balances.",
    ["currency"],
    multiprocess_mode="mostrecent",
)
LEDGER_FINDINGS = Gauge(
    "bank_ledger_integrity_findings",
    "What the last integrity check found, by finding (transactions.selectors.INTEGRITY_FINDINGS).",
    ["finding"],
    multiprocess_mode="mostrecent",
)
LEDGER_LAST_CHECK = Gauge(
    "bank_ledger_integrity_last_check_timestamp_seconds",
    "Unix time the last ledger integrity check finished.",
    multiprocess_mode="mostrecent",
)


def _posted(journals: list[Journal]) -> None:
    """Count posted journals and observe the amount each moved, per currency. One call per
    service call, however many journals (a batch of 1,000 made 1,000 callbacks and 2,000
    label look-ups)."""
    posted: Counter_[str] = Counter_()
    amounts: dict[tuple[str, str], Histogram] = {}
    for journal in journals:
        posted[journal.kind] += 1
        moved: dict[str, Decimal] = {}
        for entry in getattr(journal, "posted_entries", []):
            if entry.amount > 0:
                moved[entry.account.currency] = moved.get(entry.account.currency, Decimal(0)) + entry.amount
        for currency, amount in moved.items():
            key = (journal.kind, currency)
            if key not in amounts:
                amounts[key] = MOVEMENT_AMOUNT.labels(*key)
            amounts[key].observe(float(amount))
    for kind, count in posted.items():
        MONEY_MOVEMENTS.labels(kind, "posted", "").inc(count)


def observe_movement(
    kind: str | None = None, *, timed_as: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Count a money service's outcomes and time it; `kind=None` reads the `kind` argument.

    Outermost on the service, so one call counts once however many conflict retries it
    took. "posted" is counted when the journal commits: a journal posted inside a caller's
    transaction that later rolls back is never counted as money moved. A batch service
    returns a list of journals and refusals: each item counts on its own, and the batch's
    time is recorded under `timed_as` so it does not skew single movements' latency.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            label = kind or str(kwargs.get("kind", "unknown"))
            started = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except ApplicationError as refusal:
                MONEY_MOVEMENTS.labels(label, "refused", refusal.code).inc()
                raise
            except Exception:
                MONEY_MOVEMENTS.labels(label, "failed", "").inc()
                raise
            finally:
                MOVEMENT_DURATION.labels(timed_as or label).observe(time.perf_counter() - started)
            items = result if isinstance(result, list) else [result]
            refused = Counter_(item.code for item in items if isinstance(item, ApplicationError))
            for code, count in refused.items():
                MONEY_MOVEMENTS.labels(label, "refused", code).inc(count)
            posted = [item for item in items if not isinstance(item, ApplicationError)]
            if posted:
                transaction.on_commit(functools.partial(_posted, posted))
            return result

        return wrapper

    return decorate


def integrity_report_export(report: IntegrityReport) -> None:
    """Publish a ledger integrity report as gauges (the alerts page on any non-zero)."""
    for currency, total in report.totals_by_currency.items():
        LEDGER_IMBALANCE.labels(currency).set(float(Decimal(total)))
    for finding, rows in report.findings().items():
        LEDGER_FINDINGS.labels(finding).set(len(rows))
    LEDGER_LAST_CHECK.set(report.checked_at.timestamp())
