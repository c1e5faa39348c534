"""Support tickets and announcements."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from bankingsystem.errors import ApplicationError
from customers import roles
from customers.models import Customer
from notifications.models import Notification
from notifications.services import NotificationItem, notifications_send

from .models import Announcement, AnnouncementRead, Ticket, TicketMessage

Status = Ticket.Status
# Where a ticket may go from each status; closed is final.
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CLOSED},
    Status.IN_PROGRESS: {Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CLOSED},
    Status.WAITING_ON_CUSTOMER: {Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.IN_PROGRESS, Status.CLOSED},
    Status.CLOSED: set(),
}


def _is_support_staff(user: AbstractBaseUser | None) -> bool:
    return roles.has_role(user, roles.TELLER, roles.ADMIN)


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=ticket.pk)


def _move(ticket: Ticket, status: str, now: datetime) -> None:
    if status not in TRANSITIONS[ticket.status]:
        raise ApplicationError(
            "ticket_transition_invalid", f"A {ticket.status} ticket cannot become {status}.", status=409, field="status"
        )
    ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Status.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None  # reopened


@transaction.atomic
def ticket_open(*, customer: Customer, category: str, subject: str, message: str) -> Ticket:
    ticket = Ticket.objects.create(customer=customer, category=category, subject=subject)
    TicketMessage.objects.create(ticket=ticket, author=customer.user, from_staff=False, body=message)
    audit_record(
        action="ticket.open", actor=customer.user, obj=ticket, after={"category": category, "subject": subject}
    )
    return ticket


@transaction.atomic
def ticket_reply(*, ticket: Ticket, author: AbstractBaseUser, body: str) -> TicketMessage:
    """Add to the thread. A staff reply stamps the first response and notifies the
    customer; a customer reply puts a waiting or resolved ticket back in progress."""
    ticket = _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise ApplicationError("ticket_closed", "This ticket is closed: open a new one.", status=409)
    now = timezone.now()
    from_staff = ticket.customer.user_id != author.pk
    before = ticket.status
    if from_staff:
        ticket.first_response_at = ticket.first_response_at or now
        if ticket.status == Status.OPEN:
            ticket.status = Status.IN_PROGRESS
    elif ticket.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
        _move(ticket, Status.IN_PROGRESS, now)
    ticket.save()
    message = TicketMessage.objects.create(ticket=ticket, author=author, from_staff=from_staff, body=body)
    audit_record(
        action="ticket.reply",
        actor=author,
        obj=ticket,
        before={"status": before},
        after={"status": ticket.status, "message": message.pk, "from_staff": from_staff},
    )
    if from_staff:
        notifications_send(
            items=[
                NotificationItem(
                    ticket.customer.user_id,
                    Notification.Kind.TICKET_REPLY,
                    f"Reply to your ticket #{ticket.pk}: {ticket.subject}",
                    body[:500],
                    {"ticket": ticket.pk},
                )
            ]
        )
    return message


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: AbstractBaseUser | None, actor: AbstractBaseUser) -> Ticket:
    if assignee is not None and not _is_support_staff(assignee):
        raise ApplicationError(
            "assignee_not_staff", "Tickets are assigned to tellers or administrators.", field="assignee"
        )
    ticket = _lock(ticket)
    if ticket.status == Status.CLOSED:
        raise ApplicationError("ticket_closed", "This ticket is closed.", status=409)
    before = ticket.assigned_to_id
    ticket.assigned_to = assignee
    ticket.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        action="ticket.assign",
        actor=actor,
        obj=ticket,
        before={"assigned_to": before},
        after={"assigned_to": ticket.assigned_to_id},
    )
    return ticket


@transaction.atomic
def ticket_status_set(*, ticket: Ticket, status: str, actor: AbstractBaseUser) -> Ticket:
    """Staff move a ticket along; a customer may only close their own."""
    ticket = _lock(ticket)
    if not _is_support_staff(actor) and status != Status.CLOSED:
        raise ApplicationError(
            "permission_denied", "Customers may only close their tickets.", status=403, field="status"
        )
    before = ticket.status
    _move(ticket, status, timezone.now())
    ticket.save()
    audit_record(action="ticket.status", actor=actor, obj=ticket, before={"status": before}, after={"status": status})
    return ticket


ANNOUNCEMENT_YEARS = (2000, 2999)


@transaction.atomic
def announcement_publish(
    *,
    title: str,
    body: str,
    severity: str,
    audience: str,
    starts_at: datetime,
    ends_at: datetime | None,
    actor: AbstractBaseUser,
) -> Announcement:
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        # Far-off years are typos (0397 for 2039), and before 1900 local time zones have
        # seconds in their offsets, which no ISO 8601 client parses.
        if moment is not None and not ANNOUNCEMENT_YEARS[0] <= moment.year <= ANNOUNCEMENT_YEARS[1]:
            raise ApplicationError(
                "date_out_of_range",
                f"Announcements run between the years {ANNOUNCEMENT_YEARS[0]} and {ANNOUNCEMENT_YEARS[1]}.",
                status=400,
                field=field,
            )
    if ends_at is not None and ends_at <= starts_at:
        raise ApplicationError(
            "ends_before_start", "An announcement ends after it starts.", status=400, field="ends_at"
        )
    announcement = Announcement.objects.create(
        title=title, body=body, severity=severity, audience=audience, starts_at=starts_at, ends_at=ends_at,
        created_by=actor,
    )  # fmt: skip
    audit_record(
        action="announcement.publish",
        actor=actor,
        obj=announcement,
        after={"title": title, "severity": severity, "audience": audience, "starts_at": starts_at, "ends_at": ends_at},
    )
    return announcement


@transaction.atomic
def announcement_mark_read(*, announcement: Announcement, user: AbstractBaseUser) -> AnnouncementRead:
    read, _ = AnnouncementRead.objects.get_or_create(announcement=announcement, user=user)
    return read
