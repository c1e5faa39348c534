"""A customer's spending: monthly income and expenses, where the money went, a forecast for
this month, and the fraud alerts on their own accounts (the web app's Insights page).

Money between a customer's own accounts is neither income nor expense. Months are the
bank's local calendar months. Amounts are exact Decimals; the forecast is rounded to paise.

Forecast of this month's expenses: what was spent so far, plus the average daily spending
of the previous FORECAST_DAYS full days times the days left in the month (today included
in neither part twice: "so far" runs to now, the rate covers days before today).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Account
from transactions.models import Entry

from .models import FraudAlert

FORECAST_DAYS = 90
ZERO = Decimal("0.00")
CATEGORY = {
    "transfer": "Transfers",
    "withdrawal": "Cash withdrawals",
    "fee": "Fees",
    "loan": "Loan repayments",
    "interbank": "Other banks",
    "interest": "Overdraft interest",
    "deposit": "Deposits",
    "reversal": "Reversals",
}


@dataclass
class Spending:
    currency: str
    months: list[dict] = field(default_factory=list)  # month, income, expenses, net
    categories: list[dict] = field(default_factory=list)  # this month: category, amount
    forecast: dict = field(default_factory=dict)
    alerts: list[dict] = field(default_factory=list)


def _outside_entries(owner_accounts: list[int]):  # type: ignore[no-untyped-def]
    """Entries on the customer's accounts whose journal touches no other account of theirs."""
    internal = Entry.objects.filter(journal_id=OuterRef("journal_id"), account_id__in=owner_accounts).exclude(
        account_id=OuterRef("account_id")
    )
    return Entry.objects.filter(account_id__in=owner_accounts).exclude(Exists(internal))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def spending_for(*, user: AbstractBaseUser, months: int = 6, now: datetime | None = None) -> Spending:
    now = now or timezone.now()
    today = timezone.localdate(now)
    accounts = list(Account.objects.filter(owner__user=user, kind=Account.Kind.CUSTOMER).values_list("pk", "currency"))
    ids = [pk for pk, _ in accounts]
    currency = accounts[0][1] if accounts else "INR"
    entries = _outside_entries(ids)

    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    by_month = (
        entries.filter(created_at__gte=_local_midnight(first), created_at__lte=now)
        .annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(income=Sum("amount", filter=Q(amount__gt=0)), expenses=Sum("amount", filter=Q(amount__lt=0)))
    )
    found = {timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"]: row
             for row in by_month}  # fmt: skip
    result = Spending(currency=currency)
    month = first
    while month <= today:
        row = found.get(month, {})
        income, expenses = row.get("income") or ZERO, -(row.get("expenses") or ZERO)
        result.months.append({"month": month.isoformat()[:7], "income": income, "expenses": expenses,
                              "net": income - expenses})  # fmt: skip
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)

    this_month = entries.filter(created_at__gte=_local_midnight(today.replace(day=1)), created_at__lte=now)
    categories = this_month.filter(amount__lt=0).values("journal__kind").annotate(total=Sum("amount")).order_by("total")
    result.categories = [
        {"category": CATEGORY.get(row["journal__kind"], row["journal__kind"]), "amount": -row["total"]}
        for row in categories
    ]

    spent = sum((row["amount"] for row in result.categories), ZERO)  # the categories cover every debit
    window_start = _local_midnight(today - timedelta(days=FORECAST_DAYS))
    window = -(
        entries.filter(amount__lt=0, created_at__gte=window_start, created_at__lt=_local_midnight(today)).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    daily = window / FORECAST_DAYS
    days_left = monthrange(today.year, today.month)[1] - today.day
    projected = (spent + daily * days_left).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    result.forecast = {
        "spent_so_far": spent,
        "daily_average": daily.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN),
        "days_left": days_left,
        "projected_month_expenses": projected,
        "method": f"spent so far + average daily spending of the previous {FORECAST_DAYS} days × days left",
    }
    result.alerts = [
        {
            "id": a.pk,
            "created_at": a.created_at,
            "amount": a.amount,
            "verdict": a.verdict,
            "status": a.status,
            "held": a.hold_id is not None and a.status == FraudAlert.Status.OPEN,
        }
        for a in FraudAlert.objects.filter(source_id__in=ids).order_by("-created_at")[:10]
    ]
    return result
