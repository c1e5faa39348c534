from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from customers import roles

from .models import Announcement, AnnouncementRead, Ticket


def ticket_list_for(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("customer__user", "assigned_to").order_by("-pk")
    return tickets if roles.is_staff_member(user) else tickets.filter(customer__user=user)


def ticket_get_for(*, user: AbstractBaseUser, ticket_id: int) -> Ticket:
    ticket = ticket_list_for(user=user).prefetch_related("messages__author").filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def announcement_active_for(*, user: AbstractBaseUser) -> QuerySet[Announcement]:
    """What this user should see now, with `is_read` for each."""
    now = timezone.now()
    audience = Announcement.Audience.STAFF if roles.is_staff_member(user) else Announcement.Audience.CUSTOMERS
    return (
        Announcement.objects.filter(starts_at__lte=now, audience__in=[audience, Announcement.Audience.EVERYONE])
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .annotate(is_read=Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)))
        .order_by("-starts_at", "-pk")
    )


def announcement_get_for(*, user: AbstractBaseUser, announcement_id: int) -> Announcement:
    announcement = announcement_active_for(user=user).filter(pk=announcement_id).first()
    if announcement is None:
        raise Http404("No such announcement.")
    return announcement
