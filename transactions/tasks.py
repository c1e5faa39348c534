"""Celery tasks of the ledger: thin, they call a selector or a service."""

from __future__ import annotations

import structlog
from celery import shared_task

from bankingsystem.partitions import partitions_ensure

from .metrics import integrity_report_export
from .selectors import ledger_integrity_report

logger = structlog.get_logger(__name__)


@shared_task(name="transactions.ledger_integrity_check")
def ledger_integrity_check() -> bool:
    """Prove the ledger's invariants and publish the result as gauges (run by beat).

    Read-only, so running it twice changes nothing; Prometheus pages on a finding and
    warns when the last check grows old.
    """
    report = ledger_integrity_report()
    integrity_report_export(report)
    summary = {
        "journals": report.journals,
        **{finding: len(rows) for finding, rows in report.findings().items()},
        "totals_by_currency": report.totals_by_currency,
    }
    if report.ok:
        logger.info("ledger_integrity_ok", **summary)
    else:
        logger.error("ledger_integrity_failed", **summary)
    return report.ok


@shared_task(name="transactions.partitions_maintain")
def partitions_maintain() -> list[str]:
    """Create the coming months' ledger partitions ahead of need (run by beat; idempotent:
    a second run creates nothing). No-op on SQLite."""
    created = partitions_ensure()
    if created:
        logger.info("partitions_created", partitions=created)
    return created
