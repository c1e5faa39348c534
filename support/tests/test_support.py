"""Tickets (thread, assignment, statuses and their timestamps) and announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bankingsystem.errors import ApplicationError
from conftest import client_for
from notifications.models import Notification
from support.models import Ticket
from support.services import announcement_publish, ticket_assign, ticket_open, ticket_reply, ticket_status_set


def test_ticket_flow(customer, teller, auditor):
    ticket = ticket_open(customer=customer, category="card", subject="Card not arrived", message="Ordered 2 weeks ago")
    assert ticket.status == "open" and ticket.first_response_at is None
    with pytest.raises(ApplicationError, match="tellers or administrators"):
        ticket_assign(ticket=ticket, assignee=auditor, actor=teller)
    ticket_assign(ticket=ticket, assignee=teller, actor=teller)
    ticket_reply(ticket=ticket, author=teller, body="Sent again today.")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.first_response_at is not None
    assert Notification.objects.filter(user=customer.user, kind="ticket_reply").exists()
    ticket_status_set(ticket=ticket, status="waiting_on_customer", actor=teller)
    ticket_reply(ticket=ticket, author=customer.user, body="Thanks, will check.")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    with pytest.raises(ApplicationError) as caught:
        ticket_status_set(ticket=ticket, status="resolved", actor=customer.user)
    assert caught.value.code == "permission_denied"
    ticket_status_set(ticket=ticket, status="resolved", actor=teller)
    ticket.refresh_from_db()
    assert ticket.resolution_time is not None and ticket.resolution_time >= ticket.response_time
    ticket_status_set(ticket=ticket, status="closed", actor=customer.user)
    with pytest.raises(ApplicationError, match="closed"):
        ticket_reply(ticket=ticket, author=customer.user, body="one more thing")
    assert list(ticket.messages.values_list("from_staff", flat=True)) == [False, True, False]


def test_ticket_api(api, customer, other_customer, teller):
    created = api.post("/api/v1/tickets/", {"category": "account", "subject": "Statement", "message": "Need March"})
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    others = ticket_open(customer=other_customer, category="other", subject="Hi", message="x")
    assert api.get(f"/api/v1/tickets/{others.pk}/").status_code == 404
    staff = client_for(teller)
    assert (
        staff.post(f"/api/v1/tickets/{ticket_id}/assign/", {"assignee": teller.username}).json()["assigned_to"]
        == "tara"
    )
    assert staff.post(f"/api/v1/tickets/{ticket_id}/messages/", {"body": "Attached."}).status_code == 201
    detail = api.get(f"/api/v1/tickets/{ticket_id}/").json()
    assert [m["from_staff"] for m in detail["messages"]] == [False, True]
    assert detail["response_time_seconds"] is not None
    assert api.post(f"/api/v1/tickets/{ticket_id}/status/", {"status": "in_progress"}).status_code == 403
    assert Ticket.objects.get(pk=ticket_id).status == "in_progress"


def test_announcements(api, customer, admin_user, teller):
    now = timezone.now()
    live = announcement_publish(
        title="Maintenance", body="Sunday 2am", severity="warning", audience="customers",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), actor=admin_user,
    )  # fmt: skip
    announcement_publish(title="Old", body="x", severity="info", audience="everyone", starts_at=now - timedelta(days=3),
                         ends_at=now - timedelta(days=2), actor=admin_user)  # fmt: skip
    announcement_publish(title="Staff only", body="x", severity="info", audience="staff", starts_at=now, ends_at=None,
                         actor=admin_user)  # fmt: skip
    listed = api.get("/api/v1/announcements/").json()["results"]
    assert [(a["title"], a["is_read"]) for a in listed] == [("Maintenance", False)]
    assert api.post(f"/api/v1/announcements/{live.pk}/read/").status_code == 204
    assert api.post(f"/api/v1/announcements/{live.pk}/read/").status_code == 204  # idempotent
    assert api.get("/api/v1/announcements/").json()["results"][0]["is_read"] is True
    assert [a["title"] for a in client_for(teller).get("/api/v1/announcements/").json()["results"]] == ["Staff only"]
    typo = {"title": "T", "body": "B", "starts_at": "0397-01-29T03:00:11+00:55"}
    refused = client_for(admin_user).post("/api/v1/announcements/", typo)
    assert (refused.status_code, refused.json()["code"], list(refused.json()["errors"])) == (
        400,
        "date_out_of_range",
        ["starts_at"],
    )
    body = {"title": "T", "body": "B", "starts_at": now.isoformat()}
    assert client_for(teller).post("/api/v1/announcements/", body).status_code == 403
    assert client_for(admin_user).post("/api/v1/announcements/", body).status_code == 201
