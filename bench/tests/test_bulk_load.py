"""The reads scenario's bulk load (bench.run.bulk_load): the ledger's secondary indexes are
dropped for the generation and built again afterwards, and the schema must come back as
the migrations made it, on the partitioned table's every partition too. PostgreSQL only
(the DDL runs inside the test's transaction and is rolled back with it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import account_create
from bench.run import LEDGER_TABLES, bulk_load, entries_generate
from transactions.models import Entry
from transactions.selectors import ledger_integrity_report

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL DDL and catalogs")


def _indexes() -> dict[str, str]:
    """Every index of the ledger tables and of their partitions, name -> definition, and the
    constraints behind them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
             WHERE tablename = ANY(%s)
                OR tablename IN (SELECT inhrelid::regclass::text FROM pg_inherits
                                  WHERE inhparent = ANY(%s::regclass[]))
            UNION ALL
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])
            """,
            [list(LEDGER_TABLES)] * 3,
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_the_indexes_dropped_for_a_bulk_load_come_back_with_their_names_and_definitions(customer, branch, savings_type):
    # Funded beyond what 100 generated transfers of at most 500.99 can take out.
    accounts = [
        account_create(owner=customer, account_type=savings_type, branch=branch, balance=Decimal("100000.00"))
        for _ in range(2)
    ]
    with connection.cursor() as cursor:
        # The fixtures' postings leave deferred checks pending in the test's transaction, and
        # PostgreSQL alters no table under them; in the bench every statement commits alone.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _indexes()
    assert "entry_account_created_idx" in before and "transactions_journal_reference_key" in before

    with bulk_load(LEDGER_TABLES):
        during = _indexes()
        entries_generate(account_pks=[a.pk for a in accounts], count=200, label="T")

    # Only the primary keys (and their partitions' copies) stay through the load.
    assert [name for name, definition in during.items() if "INDEX" in definition and not name.endswith("pkey")] == []
    assert "transactions_journal_reference_key" not in during
    assert _indexes() == before
    generated = list(Entry.objects.filter(journal__reference__startswith="BT-").order_by("pk"))
    assert len(generated) == 200
    assert [e.journal_id for e in generated] == sorted(e.journal_id for e in generated)
    report = ledger_integrity_report()
    assert not report.unbalanced_journals and not report.balance_mismatches and not report.daily_debit_mismatches
