"""Notifications: money movements notify after commit (idempotently), preferences are
honoured, email is sent by the task once."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail

from notifications.models import Notification
from notifications.services import journal_notifications_send, notification_email_deliver, notification_send
from transactions.services import transfer_create


def test_a_transfer_notifies_both_sides_after_commit(
    account, other_account, customer, other_customer, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_LARGE_DEBIT_AMOUNT = Decimal("500.00")
    with django_capture_on_commit_callbacks() as callbacks:
        journal = transfer_create(source=account, destination=other_account, amount=Decimal("600.00"))
    assert callbacks and not Notification.objects.exists()  # nothing inside the money transaction
    assert journal_notifications_send(journal_ids=[journal.pk]) == 2
    assert journal_notifications_send(journal_ids=[journal.pk]) == 2  # a rerun makes no duplicates
    assert Notification.objects.count() == 2
    sent = Notification.objects.get(user=customer.user)
    received = Notification.objects.get(user=other_customer.user)
    assert (sent.kind, sent.email_status) == ("large_debit", "pending")
    assert (received.kind, received.email_status) == ("money_received", "")
    assert "600.00" in sent.title and journal.reference in sent.body


def test_preferences_and_email_delivery(api, customer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = api.put("/api/v1/notifications/preferences/", {"preferences": {"card": {"email": False}}}, format="json")
    assert response.json()["preferences"]["card"] == {"in_app": True, "email": False}
    assert notification_send(user=customer.user, kind="card", title="Card issued").email_status == ""
    note = notification_send(user=customer.user, kind="standing_order_failed", title="Payment failed")
    assert notification_email_deliver(notification_id=note.pk) is True
    assert notification_email_deliver(notification_id=note.pk) is False  # once only
    assert [m.subject for m in mail.outbox] == ["Payment failed"]
    assert (
        api.put("/api/v1/notifications/preferences/", {"preferences": {"bogus": {}}}, format="json").status_code == 400
    )
    listed = api.get("/api/v1/notifications/").json()["results"]
    assert [n["title"] for n in listed] == ["Payment failed", "Card issued"]
    assert api.post(f"/api/v1/notifications/{listed[0]['id']}/read/").json()["read_at"] is not None
    assert api.post("/api/v1/notifications/read-all/").status_code == 204
    assert not Notification.objects.filter(user=customer.user, read_at__isnull=True).exists()
