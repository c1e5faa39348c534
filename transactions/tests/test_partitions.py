"""The ledger's entries are range-partitioned by month on PostgreSQL (transactions.0003):
the guards hold on every partition, beat creates partitions ahead, the oldest month can be
archived without breaking the integrity check, and a statement query touches one month's
partition through an index."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from bankingsystem.partitions import (
    create_partition_sql,
    is_partitioned,
    month_start,
    months_later,
    partition_name,
    partitions_ensure,
    partitions_list,
)
from transactions.api import EntryFilter
from transactions.models import ArchivedEntryTotal, Entry, Journal
from transactions.selectors import ledger_integrity_report, statement_entries
from transactions.services import ENTRY_TABLE, entry_partition_archive
from transactions.tasks import partitions_maintain

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")

D = Decimal


def this_month() -> date:
    return month_start(timezone.now().astimezone(UTC).date())


def triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        return {row[0] for row in cursor.fetchall()}


def post_at(when: datetime, legs: list[tuple[Account, str]]) -> Journal:
    """A balanced journal dated `when`, written beneath the services (their clock is now)."""
    journal = Journal.objects.create(kind="deposit", reference=f"OLD{Journal.objects.count()}", created_at=when)
    for account, amount in legs:
        Account.objects.filter(pk=account.pk).update(balance=F("balance") + D(amount))
        Entry.objects.create(journal=journal, account=account, amount=D(amount), balance_after=D(0), created_at=when)
    with connection.cursor() as cursor:  # the checks COMMIT would run, now, as for long-committed history
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return journal


def test_entries_are_partitioned_by_month_with_the_ledger_guards_on_each_partition(db):
    assert is_partitioned(ENTRY_TABLE)
    names = [p.name for p in partitions_list(ENTRY_TABLE)]
    for offset in range(4):  # this month and three ahead
        assert partition_name(ENTRY_TABLE, months_later(this_month(), offset)) in names
    assert names[-1] == f"{ENTRY_TABLE}_default"
    for name in (names[0], names[-1]):
        assert {"entry_noted", "entry_append_only"} <= triggers_on(name)


def test_beat_creates_partitions_ahead_once(db):
    later = months_later(this_month(), 6)
    created = partitions_ensure(today=later, months_ahead=1)
    entry_partitions = [name for name in created if name.startswith(ENTRY_TABLE)]
    assert entry_partitions == [partition_name(ENTRY_TABLE, later), partition_name(ENTRY_TABLE, months_later(later, 1))]
    assert partitions_ensure(today=later, months_ahead=1) == []
    assert partitions_maintain() == []  # the migrations already made this month's and the next three
    # A partition made later carries the guards too.
    assert {"entry_noted", "entry_append_only"} <= triggers_on(entry_partitions[0])


def test_guards_hold_on_a_partition_created_by_maintenance(account):
    month = months_later(this_month(), 7)
    partitions_ensure(today=month, months_ahead=0)
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    when = datetime(month.year, month.month, 2, tzinfo=UTC)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        post_at(when, [(account, "5.00"), (vault, "-4.00")])
    journal = post_at(when, [(account, "5.00"), (vault, "-5.00")])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Entry.objects.filter(journal=journal).delete()


def test_a_row_beyond_every_partition_lands_in_the_default_partition(account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    post_at(datetime(2999, 1, 1, tzinfo=UTC), [(account, "1.00"), (vault, "-1.00")])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {ENTRY_TABLE}_default")
        assert cursor.fetchone()[0] == 2


def test_statement_query_prunes_to_one_month_and_uses_an_index(account, other_account):
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    # Enough rows of another account that a sequential scan would be the worse plan.
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH j AS (INSERT INTO transactions_journal (kind, reference, description, created_at) "
            "  SELECT 'deposit', 'BULK' || g, '', now() FROM generate_series(1, 3000) g RETURNING id) "
            "INSERT INTO transactions_entry (journal_id, account_id, amount, balance_after, created_at) "
            "SELECT j.id, a.account_id, a.amount, 0, now() FROM j "
            "CROSS JOIN (VALUES (%s, 1.00), (%s, -1.00)) a(account_id, amount)",
            [other_account.pk, vault.pk],
        )
        cursor.execute(f"ANALYZE {ENTRY_TABLE}")
    today = timezone.localdate()
    entries = EntryFilter(
        data={"date_from": today.isoformat(), "date_to": today.isoformat()}, queryset=statement_entries(account=account)
    ).qs
    assert [e.amount for e in entries] == [D("1000.00")]
    plan = entries.all()[:50].explain()
    attached = [p.name for p in partitions_list(ENTRY_TABLE)]
    scanned = [name for name in attached if name in plan]
    # Local today falls inside one UTC month except in the first hours of a month in Asia.
    local_day = [timezone.make_aware(datetime.combine(today, datetime.min.time())), None]
    local_day[1] = local_day[0] + timedelta(days=1)
    months = {partition_name(ENTRY_TABLE, month_start(t.astimezone(UTC).date())) for t in local_day}
    assert set(scanned) <= months, plan
    assert "Index Scan" in plan and "Seq Scan" not in plan, plan


def test_archive_the_oldest_month_keeps_the_integrity_check_whole(account):
    old = date(2001, 1, 1)
    with connection.cursor() as cursor:
        cursor.execute(create_partition_sql(ENTRY_TABLE, old))
    vault = Account.objects.get(gl_code="cash_vault", currency="INR")
    post_at(datetime(2001, 1, 15, tzinfo=UTC), [(account, "250.00"), (vault, "-250.00")])
    post_at(datetime(2001, 1, 20, tzinfo=UTC), [(account, "-50.00"), (vault, "50.00")])
    assert ledger_integrity_report().ok

    with pytest.raises(ApplicationError) as refused:
        entry_partition_archive(month=this_month())
    assert refused.value.code == "partition_current"
    with pytest.raises(ApplicationError) as refused:
        entry_partition_archive(month=months_later(this_month(), -1))
    assert refused.value.code == "partition_not_oldest"

    name = entry_partition_archive(month=old)
    assert name == partition_name(ENTRY_TABLE, old)
    assert name not in [p.name for p in partitions_list(ENTRY_TABLE)]
    assert not Entry.objects.filter(created_at__year=2001).exists()
    archived = ArchivedEntryTotal.objects.get(account=account)
    assert (archived.amount, archived.entries) == (D("200.00"), 2)
    report = ledger_integrity_report()
    assert report.ok, report.as_dict()
    with connection.cursor() as cursor:  # the detached month is a plain table, ready to dump
        cursor.execute(f'SELECT count(*) FROM "{name}"')
        assert cursor.fetchone()[0] == 4
