"""The audit trail is range-partitioned by month on PostgreSQL (audit.0003), like the
ledger: events land in their month's partition, beat creates the coming months, the
append-only guard holds on every partition, and a month's query reads one partition."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import audit_record
from bankingsystem.partitions import is_partitioned, month_start, months_later, partition_name, partitions_ensure

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")

TABLE = "audit_auditevent"


def record(i: int) -> AuditEvent:
    return audit_record(action="test.event", actor=None, object_type="test", object_id=str(i), after={"i": i})


def test_events_land_in_their_month_partition_and_the_chain_still_verifies(db):
    assert is_partitioned(TABLE)
    made = [record(i) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT tableoid::regclass::text FROM {TABLE} WHERE id = ANY(%s)", [[e.pk for e in made]]
        )
        homes = {row[0] for row in cursor.fetchall()}
    assert homes == {partition_name(TABLE, month_start(datetime.now(UTC).date()))}
    assert audit_chain_verify().ok


def test_the_append_only_guard_holds_on_the_partition_itself(db):
    event = record(1)
    partition = partition_name(TABLE, month_start(event.created_at.astimezone(UTC).date()))
    for statement in (f"UPDATE {partition} SET action = 'x'", f"DELETE FROM {partition}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_beat_creates_the_coming_months_for_the_audit_trail_too(db):
    far = date(2031, 1, 15)
    created = partitions_ensure(today=far, months_ahead=1)
    assert partition_name(TABLE, date(2031, 1, 1)) in created
    assert partition_name(TABLE, months_later(date(2031, 1, 1), 1)) in created


def test_an_object_history_for_one_month_reads_one_partition(db):
    record(7)
    start = datetime.combine(month_start(datetime.now(UTC).date()), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(months_later(start.date(), 1), datetime.min.time(), tzinfo=UTC)
    query = AuditEvent.objects.filter(object_type="test", object_id="7", created_at__gte=start, created_at__lt=end)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scanned = set(re.findall(rf" on ({TABLE}_\w+)", plan))
    assert scanned == {partition_name(TABLE, start.date())}, plan
    assert "Index Scan" in plan, plan
