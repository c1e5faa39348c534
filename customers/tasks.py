"""Celery tasks of the customers app: thin, they load ids and call a service."""

from celery import shared_task

from .services import password_reset_email_send


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_email_send_task(user_id: int) -> bool:
    return password_reset_email_send(user_id=user_id)
