"""Logical replication between two throwaway PostgreSQL clusters, set up by
`manage.py replication_setup`: a write on the primary appears on the subscriber, chosen
reads go there, and they fall back to the primary when the replica lags past the bound or
is down."""

from __future__ import annotations

import time

import pytest

from .cluster import Node, clusters, database_from, migrated_template, seed_accounts, wait_for

pytestmark = pytest.mark.slow

READ = """
from bankingsystem.replica import replica_reads
from transactions.models import Entry
with replica_reads():
    entries = Entry.objects.all()
    print(entries.db, entries.count())
"""
TOUCH = "from interbank.services import replication_heartbeat_touch; replication_heartbeat_touch()"


def reads(node: Node, *, touch_first: bool = False, **env: str) -> tuple[str, int]:
    """Where a chosen read goes, and what it counts; `touch_first`: a fresh heartbeat a second before."""
    code = f"{TOUCH}\nimport time; time.sleep(1)\n{READ}" if touch_first else READ
    out = node.manage("shell", "-c", code, extra_env=env or None).strip().splitlines()[-1].split()
    return out[0], int(out[1])


def test_replica_receives_writes_serves_chosen_reads_and_falls_back(tmp_path):
    with clusters("primary", "replica") as (primary_pg, replica_pg):
        template = migrated_template(primary_pg, {}, tmp_path)
        replica_pg.sql("postgres", "CREATE DATABASE bank_replica")
        node = Node(
            "primary",
            primary_pg,
            database_from(primary_pg, template, "bank_primary"),
            {"REPLICA_DATABASE_URL": replica_pg.url("bank_replica"), "REPLICA_MAX_LAG_SECONDS": "30"},
            tmp_path,
        )
        out = node.manage("replication_setup")
        assert "created publication" in out and "created subscription" in out
        assert "exists" in node.manage("replication_setup")  # idempotent

        seed_accounts(node, branch="0001", count=3, opening="700.00")
        node.shell(TOUCH)
        on_primary = primary_pg.value("bank_primary", "SELECT count(*) FROM transactions_entry")
        assert on_primary == 6  # three deposits, two legs each
        wait_for(
            "the entries to reach the subscriber",
            lambda: replica_pg.value("bank_replica", "SELECT count(*) FROM transactions_entry") == on_primary,
        )
        wait_for(
            "the heartbeat to reach the subscriber",
            lambda: replica_pg.value("bank_replica", "SELECT count(*) FROM interbank_replicationheartbeat") == 1,
        )
        # The partitioned ledger arrives through its root, into the subscriber's partitions.
        assert replica_pg.value("bank_replica", "SELECT count(*) FROM ONLY transactions_entry") == 0
        assert reads(node) == ("replica", on_primary)

        # Lagging past the bound: the subscription paused, the heartbeat on the replica ages.
        replica_pg.sql("bank_replica", "ALTER SUBSCRIPTION bank_replication DISABLE")
        node.shell(TOUCH)
        time.sleep(2.5)
        assert reads(node, REPLICA_MAX_LAG_SECONDS="2") == ("default", on_primary)
        replica_pg.sql("bank_replica", "ALTER SUBSCRIPTION bank_replication ENABLE")
        wait_for(
            "the replica to catch up",
            lambda: reads(node, touch_first=True, REPLICA_MAX_LAG_SECONDS="2")[0] == "replica",
        )

        # The replica down: reads fall back to the primary, nothing fails.
        replica_pg.stop("immediate")
        assert reads(node) == ("default", on_primary)
