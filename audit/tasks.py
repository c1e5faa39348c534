"""Celery tasks of the audit app: thin, they call a selector."""

from __future__ import annotations

import structlog
from celery import shared_task

from .selectors import audit_chain_verify

logger = structlog.get_logger(__name__)


@shared_task(name="audit.chain_verify")
def chain_verify() -> bool:
    """Verify the chains (run by beat) and log every lane's head hash. The logs, shipped off
    the database host, are a witness: a later rewrite of a whole chain would not reproduce a
    head hash already logged."""
    report = audit_chain_verify()
    fields = {"events": report.checked, "heads": {head.lane: f"{head.seq}:{head.hash}" for head in report.heads}}
    if report.ok:
        logger.info("audit_chain_ok", **fields)
    else:
        logger.error(
            "audit_chain_broken",
            first_bad_lane=report.first_bad_lane,
            first_bad_seq=report.first_bad_seq,
            problem=report.problem,
            detail=report.detail,
            **fields,
        )
    return report.ok
