"""Reads for fraud scoring: a sender's recent debits, with whom they were with."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import Account
from transactions.models import Entry

from .features import HISTORY_DAYS, HISTORY_DEBITS, Debit


def recent_debits(*, account: Account, now: datetime) -> list[Debit]:
    """The account's last HISTORY_DEBITS debits within HISTORY_DAYS, oldest first: two
    queries on the entries' (account, created_at) and journal indexes.

    Both are bounded in time so PostgreSQL plans and reads only the monthly partitions
    that can hold them: a journal's entries share its instant (transactions.services), so
    the counterparties lie within the debits' own span. Unbounded, every partition of the
    ledger's history was planned and probed on every transfer."""
    rows = list(
        Entry.objects.filter(
            account=account, amount__lt=0, created_at__gte=now - timedelta(days=HISTORY_DAYS), created_at__lte=now
        )
        .order_by("-created_at")
        .values_list("journal_id", "amount", "created_at")[: HISTORY_DEBITS * 2]
    )
    if not rows:
        return []
    counterparties = dict(
        Entry.objects.filter(
            journal_id__in=[journal for journal, _, _ in rows],
            created_at__range=(rows[-1][2], rows[0][2]),  # the debits are newest first
        )
        .exclude(account=account)
        .values_list("journal_id", "account_id")
    )
    return [Debit(at, -amount, counterparties.get(journal)) for journal, amount, at in reversed(rows)]
