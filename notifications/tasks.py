"""Celery tasks of notifications: thin, they load ids and call a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    name="notifications.email_send", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notification_email_send_task(notification_id: int) -> bool:
    return services.notification_email_deliver(notification_id=notification_id)


# Postings no longer send this (they write the outbox); kept so tasks queued by a release
# before the outbox still run after an upgrade.
@shared_task(name="notifications.journals_posted", acks_late=True)
def journals_posted_task(journal_ids: list[int]) -> int:
    return services.journal_notifications_send(journal_ids=journal_ids)


# Its result (rows drained) is read by no one: not stored, and the publishing web process
# does not subscribe to it (a Redis SUBSCRIBE and a pending result on every publish).
@shared_task(name="notifications.journal_outbox_drain", acks_late=True, ignore_result=True)
def journal_outbox_drain_task(batches: int = 20, rows: int = services.OUTBOX_BATCH) -> int:
    return services.journal_outbox_drain(batches=batches, rows=rows)
