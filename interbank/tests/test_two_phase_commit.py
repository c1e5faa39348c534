"""Two branch nodes of one bank, each with its own throwaway PostgreSQL cluster and its own
gunicorn, moving money with two-phase commit; coordinator and participant are SIGKILLed at
the worst moments and recovery must leave both sides consistent."""

from __future__ import annotations

import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from accounts.numbers import account_number_build

from .cluster import (
    BIN,
    Node,
    balance_of,
    clusters,
    customer_total,
    database_from,
    ledger_ok,
    migrated_template,
    prepared_gids,
    seed_accounts,
    wait_for,
)

pytestmark = pytest.mark.slow
D = Decimal
SECRET = "branch-nodes-test-secret"


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("branch-nodes")
    with clusters("north", "south") as (north_pg, south_pg):
        ports = {}
        common = {
            "BANK_CODE": "101",
            "BRANCH_NODES": "0001=north,0002=south",
            "NODE_SHARED_SECRET": SECRET,
            "NODE_CALL_TIMEOUT_SECONDS": "3",
            "TWO_PC_RECOVERY_AFTER_SECONDS": "1",
        }
        with ThreadPoolExecutor(2) as pool:
            templates = list(pool.map(lambda pg: migrated_template(pg, common, workdir), [north_pg, south_pg]))
        made = {}
        for name, pg, template in [("north", north_pg, templates[0]), ("south", south_pg, templates[1])]:
            node = Node(name, pg, database_from(pg, template, f"bank_{name}"), {**common, "NODE_CODE": name}, workdir)
            made[name] = node
            ports[name] = node.port
        peers = ",".join(f"{name}=http://127.0.0.1:{port}" for name, port in ports.items())
        for node in made.values():
            node.env["NODE_PEERS"] = peers
        north, south = made["north"], made["south"]
        accounts = {
            "north": seed_accounts(north, branch="0001", count=2, opening="10000.00"),
            "south": seed_accounts(south, branch="0002", count=2, opening="5000.00", closed=1),
        }
        try:
            north.serve()
            south.serve()
            yield north, south, accounts
        finally:
            north.stop_all()
            south.stop_all()


def totals(north: Node, south: Node) -> Decimal:
    return customer_total(north) + customer_total(south)


def assert_consistent(north: Node, south: Node, expected_total: Decimal) -> None:
    assert prepared_gids(north) == [] and prepared_gids(south) == []
    assert totals(north, south) == expected_total
    # Each node's ledger balances on its own; the two clearing accounts mirror each other.
    assert ledger_ok(north) and ledger_ok(south)
    clearing = "SELECT coalesce(sum(balance), 0) FROM accounts_account WHERE gl_code = 'interbank_clearing'"
    assert north.cluster.value(north.db, clearing) + south.cluster.value(south.db, clearing) == 0


def state_of(node: Node) -> str:
    return node.cluster.value(node.db, "SELECT state FROM interbank_branchtransfer ORDER BY id DESC LIMIT 1")


def test_transfer_commits_on_both_nodes(nodes):
    north, south, accounts = nodes
    source, destination = accounts["north"][0], accounts["south"][1]
    before = totals(north, south)
    out = north.manage("branch_transfer", source, destination, "250.00")
    assert out.strip().endswith("committed")
    assert balance_of(north, source) == D("9750.00")
    assert balance_of(south, destination) == D("5250.00")
    assert_consistent(north, south, before)


@pytest.mark.parametrize("destination", ["closed", "unknown"])
def test_participant_votes_no_and_nothing_moves(nodes, destination):
    north, south, accounts = nodes
    # The closed account, or a well-formed number no account has.
    unknown = account_number_build(bank_code="101", branch_code="0002", serial=99999)
    number = accounts["south"][0] if destination == "closed" else unknown
    source = accounts["north"][1]
    before, source_before = totals(north, south), balance_of(north, source)
    with pytest.raises(AssertionError, match="account_not_active" if destination == "closed" else "account_unknown"):
        north.manage("branch_transfer", source, number, "10.00")
    assert balance_of(north, source) == source_before
    assert state_of(north) == "aborted"
    assert_consistent(north, south, before)


def spawn_transfer(node: Node, source: str, destination: str, amount: str, fault: str = "") -> subprocess.Popen:
    return node.spawn(
        "transfer",
        [str(BIN / "python"), "manage.py", "branch_transfer", source, destination, amount],
        {"FAULT_POINTS": fault} if fault else None,
    )


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [("2pc.coordinator_after_prepare", "aborted"), ("2pc.coordinator_after_decision", "committed")],
)
def test_coordinator_killed_then_recovery_settles_both_sides(nodes, fault, outcome):
    north, south, accounts = nodes
    source, destination = accounts["north"][0], accounts["south"][1]
    before = totals(north, south)
    source_before, destination_before = balance_of(north, source), balance_of(south, destination)
    spawn_transfer(north, source, destination, "100.00", fault)
    wait_for("the coordinator to reach the fault point", lambda: f"FAULT POINT {fault}" in north.log("transfer"))
    # Both sides prepared: the money is held on both nodes, visible to no one.
    assert len(prepared_gids(north)) == 1 and len(prepared_gids(south)) == 1
    assert balance_of(north, source) == source_before
    north.kill("transfer", signal.SIGKILL)

    time.sleep(1.5)  # past TWO_PC_RECOVERY_AFTER_SECONDS
    north.manage("two_phase_recover")  # the coordinator, restarted
    assert state_of(north) == outcome
    moved = D("100.00") if outcome == "committed" else D("0")
    assert balance_of(north, source) == source_before - moved
    assert balance_of(south, destination) == destination_before + moved
    assert_consistent(north, south, before)


def test_participant_killed_after_prepare_then_recovery_settles_both_sides(nodes):
    north, south, accounts = nodes
    source, destination = accounts["north"][1], accounts["south"][1]
    before = totals(north, south)
    source_before, destination_before = balance_of(north, source), balance_of(south, destination)
    south.kill("web")
    south.serve({"FAULT_POINTS": "2pc.participant_after_prepare"})
    try:
        transfer = spawn_transfer(north, source, destination, "75.00")
        wait_for("the participant to prepare", lambda: prepared_gids(south))
        south.kill("web", signal.SIGKILL)  # the participant dies holding a prepared transaction
        assert transfer.wait(timeout=60) != 0  # the coordinator could not get a vote: refused
        assert "participant_unavailable" in north.log("transfer")
        assert state_of(north) == "aborting"  # decided, the participant not told yet
        assert prepared_gids(north) == []  # its own side rolled back at once
        assert len(prepared_gids(south)) == 1
    finally:
        if "web" not in south.processes:
            south.serve()

    time.sleep(1.5)
    south.manage("two_phase_recover")  # the participant asks the coordinator and rolls back
    assert prepared_gids(south) == []
    north.manage("two_phase_recover")  # the coordinator learns the participant is done
    assert state_of(north) == "aborted"
    assert balance_of(north, source) == source_before
    assert balance_of(south, destination) == destination_before
    assert_consistent(north, south, before)


def test_unsigned_or_badly_signed_node_calls_are_refused(nodes):
    _north, south, _accounts = nodes
    url = f"{south.base_url}/api/v1/federation/2pc/abort/"
    assert requests.post(url, json={"gid": "bt:north:" + "0" * 32}, timeout=10).status_code in (401, 403)
    forged = {"X-Bank-Node": "north", "X-Bank-Timestamp": str(int(time.time())), "X-Bank-Signature": "0" * 64}
    assert requests.post(url, json={"gid": "bt:north:" + "0" * 32}, headers=forged, timeout=10).status_code == 401
    stale = {"X-Bank-Node": "north", "X-Bank-Timestamp": str(int(time.time()) - 3600), "X-Bank-Signature": "0" * 64}
    assert requests.post(url, json={"gid": "bt:north:" + "0" * 32}, headers=stale, timeout=10).status_code == 401
