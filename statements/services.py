"""Issuing monthly statements: on demand, or for every account by the monthly beat task."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from audit.services import audit_record
from bankingsystem.errors import ApplicationError
from notifications.models import Notification
from notifications.services import NotificationItem, notifications_send

from .models import Statement
from .render import statement_pdf
from .selectors import month_parse, statement_compute


def statement_generate(
    *, account: Account, month: str, actor: AbstractBaseUser | None = None, notify: bool = True
) -> Statement:
    """The statement of a completed month, made once and kept (idempotent: asking again
    returns the one issued)."""
    start, end = month_parse(month)
    if end >= timezone.localdate():
        raise ApplicationError(
            "month_not_over", "A statement is issued once its month is over; view this month's so far instead.",
            status=400, field="month",
        )  # fmt: skip
    existing = Statement.objects.filter(account=account, period_start=start).first()
    if existing is not None:
        return existing
    data = statement_compute(account=account, start=start, end=end)
    pdf = statement_pdf(data)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                account=account, period_start=start, period_end=end, opening_balance=data.opening_balance,
                total_credits=data.total_credits, total_debits=data.total_debits,
                closing_balance=data.closing_balance, entry_count=len(data.lines), pdf=pdf,
            )  # fmt: skip
            audit_record(
                action="statement.generate",
                actor=actor,
                obj=statement,
                after={"account": account.number, "month": month, "closing_balance": data.closing_balance,
                       "entries": len(data.lines)},
            )  # fmt: skip
            if notify and account.owner is not None:
                notifications_send(
                    items=[
                        NotificationItem(
                            account.owner.user_id,
                            Notification.Kind.STATEMENT_READY,
                            f"Your {start:%B %Y} statement for XX{account.number[-4:]} is ready",
                            "",
                            {"account": account.number, "month": month},
                        )
                    ]
                )
    except IntegrityError:  # made meanwhile by another worker: theirs is the one
        return Statement.objects.get(account=account, period_start=start)
    return statement


def statements_generate_monthly(*, today: date | None = None) -> int:
    """Last month's statement for every customer account open during it (beat, monthly;
    rerunning makes only the missing ones)."""
    today = today or timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    month = f"{last_month_end:%Y-%m}"
    start, end = month_parse(month)
    accounts = (
        Account.objects.filter(kind=Account.Kind.CUSTOMER, opened_at__date__lte=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=start))
        .exclude(statements__period_start=start)
        .select_related("owner__user")
        .order_by("pk")
    )
    made = 0
    for account in accounts.iterator(chunk_size=500):
        statement_generate(account=account, month=month)
        made += 1
    return made
