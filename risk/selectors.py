"""Reads for fraud scoring: a sender's recent debits, with whom they were with, and the
model that scores them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import connection

from accounts.models import Account
from transactions.models import Entry

from .features import FEATURES, HISTORY_DAYS, HISTORY_DEBITS, Debit
from .models import RiskModel
from .scoring import ActiveModel

ENTRY = Entry._meta.db_table
# The newest active model whose features are ours: its version and calibration, or NULL.
ACTIVE_MODEL_SQL = f"""
    SELECT jsonb_build_array(version, calibration) FROM {RiskModel._meta.db_table}
    WHERE active AND features = %(features)s::jsonb ORDER BY version DESC LIMIT 1
"""  # noqa: S608 (table names from the models; values are parameters)
# Each transfer screens with one statement: the recent debits (newest first), the active
# model, and the debits' counterparties as [journal, account] pairs. The counterparties were
# a second statement (a round trip and its own conversion of parameters, on every transfer
# from a sender with debits); now the same read, over the debits' journals and within their
# span (InitPlans of the statement, so PostgreSQL prunes the monthly partitions outside it
# as it runs, generic plan or not).
_DEBITS_AND_MODEL = f"""
    WITH d AS MATERIALIZED (
        SELECT journal_id, amount, created_at FROM {ENTRY}
        WHERE account_id = %(account)s AND amount < 0 AND created_at >= %(since)s AND created_at <= %(now)s
        ORDER BY created_at DESC LIMIT %(limit)s
    )
    SELECT ({ACTIVE_MODEL_SQL}),
           array_agg(d.journal_id ORDER BY d.created_at DESC, d.journal_id DESC),
           array_agg(d.amount ORDER BY d.created_at DESC, d.journal_id DESC),
           array_agg(d.created_at ORDER BY d.created_at DESC, d.journal_id DESC),
           (SELECT array_agg(ARRAY[c.journal_id, c.account_id]) FROM {ENTRY} c
             WHERE c.journal_id = ANY(ARRAY(SELECT journal_id FROM d))
               AND c.created_at BETWEEN (SELECT min(created_at) FROM d) AND (SELECT max(created_at) FROM d)
               AND c.account_id <> %(account)s)
    FROM d
"""  # noqa: S608
FEATURES_JSON = json.dumps(FEATURES)


def screening_reads(*, account: Account, now: datetime) -> tuple[list[Debit], ActiveModel | None]:
    """The account's last HISTORY_DEBITS * 2 debits within HISTORY_DAYS, oldest first, and
    the active model (None: score by rules), read afresh for every transfer.

    The debits and their counterparties are bounded in time so PostgreSQL plans and reads
    only the monthly partitions that can hold them: a journal's entries share its instant
    (transactions.services), so the counterparties lie within the debits' own span.
    Unbounded, every partition of the ledger's history was planned and probed on every
    transfer. Plain SQL: the ORM took longer to build these statements than PostgreSQL
    took to run them."""
    if connection.vendor != "postgresql":
        return _screening_reads_orm(account=account, now=now)
    with connection.cursor() as cursor:
        cursor.execute(
            _DEBITS_AND_MODEL,
            {
                "features": FEATURES_JSON,
                "account": account.pk,
                "since": now - timedelta(days=HISTORY_DAYS),
                "now": now,
                "limit": HISTORY_DEBITS * 2,
            },
        )
        model, journals, amounts, instants, pairs = cursor.fetchone()
    active = ActiveModel.from_row(model)
    if not journals:
        return [], active
    counterparties = dict(pairs or ())
    rows = zip(journals, amounts, instants, strict=True)
    debits = [Debit(at, -amount, counterparties.get(journal)) for journal, amount, at in rows]
    debits.reverse()
    return debits, active


def _screening_reads_orm(*, account: Account, now: datetime) -> tuple[list[Debit], ActiveModel | None]:
    """The same reads through the ORM, for SQLite (the embedded default)."""
    rows = list(
        Entry.objects.filter(
            account=account, amount__lt=0, created_at__gte=now - timedelta(days=HISTORY_DAYS), created_at__lte=now
        )
        .order_by("-created_at", "-journal_id")
        .values_list("journal_id", "amount", "created_at")[: HISTORY_DEBITS * 2]
    )
    counterparties = (
        dict(
            Entry.objects.filter(journal_id__in=[row[0] for row in rows], created_at__range=(rows[-1][2], rows[0][2]))
            .exclude(account=account)
            .values_list("journal_id", "account_id")
        )
        if rows
        else {}
    )
    debits = [Debit(at, -amount, counterparties.get(journal)) for journal, amount, at in reversed(rows)]
    model = RiskModel.objects.filter(active=True, features=FEATURES).order_by("-version").first()
    return debits, ActiveModel(version=model.version, calibration=model.calibration) if model else None


def recent_debits(*, account: Account, now: datetime) -> list[Debit]:
    """The account's recent debits alone (see screening_reads), oldest first."""
    return screening_reads(account=account, now=now)[0]
