"""The audit trail: one hash-chained event per change, in the change's own transaction;
PostgreSQL refuses edits; and when someone with the power to bypass that (a superuser
disabling triggers) alters, deletes or reorders a row, the verifier names the row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.services import account_freeze
from audit.chain import CanonicalJSON, canonical_json, canonical_payload, jsonable
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import audit_record, audit_step
from conftest import client_for
from customers.tests.helpers import in_threads
from transactions.services import transfer_create

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the guards are PostgreSQL triggers")


def events(n: int) -> list[AuditEvent]:
    return [
        audit_record(action="test.event", actor=None, object_type="test", object_id=str(i), after={"i": i})
        for i in range(n)
    ]


def tamper(sql: str, params: list | None = None) -> None:
    """What only a superuser can do: switch the triggers off for this session and edit."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params or [])
        cursor.execute("SET session_replication_role = DEFAULT")


def test_a_clean_chain_verifies(db):
    made = events(5)
    report = audit_chain_verify()
    assert report.ok and report.checked == 5
    # One session writes one lane, gapless from 1.
    assert {e.lane for e in made} == {made[0].lane}
    assert [e.seq for e in made] == [1, 2, 3, 4, 5]
    assert [(h.lane, h.seq, h.hash) for h in report.heads] == [(made[0].lane, 5, made[-1].hash)]
    call_command("audit_verify")


def test_the_database_refuses_update_and_delete(db):
    events(2)
    for statement in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET seq = 1")
    assert audit_chain_verify().ok


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE audit_auditevent SET after = '{\"i\": 99}' WHERE seq = 3", "altered"),
        ("UPDATE audit_auditevent SET actor_repr = 'someone' WHERE seq = 3", "altered"),
        ("DELETE FROM audit_auditevent WHERE seq = 3", "missing"),
        # reorder: events 3 and 4 swap places
        (
            "UPDATE audit_auditevent SET seq = 1000 WHERE seq = 3; UPDATE audit_auditevent SET seq = 3 WHERE seq = 4;"
            "UPDATE audit_auditevent SET seq = 4 WHERE seq = 1000",
            "broken_link",
        ),
    ],
)
def test_tampering_is_found_at_the_row(db, sql, problem):
    events(6)
    tamper(sql)
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 3, problem)
    with pytest.raises(CommandError, match=f"BROKEN at lane {report.first_bad_lane} event 3"):
        call_command("audit_verify")


def test_deleting_the_newest_events_is_found_through_the_head(db):
    events(4)
    tamper("DELETE FROM audit_auditevent WHERE seq >= 3")
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 3, "head_mismatch")


def test_a_rewritten_hash_still_breaks_the_next_link(db):
    """Recomputing the tampered row's own hash does not help: the next event names the old one."""
    events(4)
    tamper("UPDATE audit_auditevent SET hash = repeat('a', 64) WHERE seq = 2")
    report = audit_chain_verify()
    assert report.first_bad_seq == 2 and report.problem == "altered"


def test_a_statement_chains_the_event_for_an_object_it_creates(db):
    """audit_step: the event rides in the statement that makes the object, its id filled in
    by that statement before the hash is taken; the chain verifies, and an edit is found."""
    events(2)
    step = audit_step(
        action="test.embedded", actor=None, object_type="test", object_id_sql="(SELECT n FROM made)", after={"x": "1"}
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH made AS (SELECT 4242 AS n), {step.ctes} SELECT lane, seq FROM audit_event", step.params)
        lane, seq = cursor.fetchone()
    event = AuditEvent.objects.get(action="test.embedded")
    assert (event.object_id, event.lane, event.seq, event.after) == ("4242", lane, seq, {"x": "1"})
    assert seq == 3
    assert audit_chain_verify().ok
    tamper("UPDATE audit_auditevent SET object_id = '4243' WHERE action = 'test.embedded'")
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 3, "altered")


def test_money_and_account_changes_write_events_in_their_transaction(account, other_account, customer, teller):
    before = AuditEvent.objects.count()
    journal = transfer_create(
        source=account, destination=other_account, amount=Decimal("5.00"), initiated_by=customer.user
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_id, event.actor_id) == ("journal.transfer", str(journal.pk), customer.user_id)
    assert event.after["journals"][0]["legs"] == [[account.number, "-5.00"], [other_account.number, "5.00"]]
    account_freeze(account=account, actor=teller, reason="court order")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "account.freeze" and event.after["freeze_source"] == "staff"
    assert AuditEvent.objects.count() == before + 2
    assert audit_chain_verify().ok


def test_a_refused_change_leaves_no_event(account, other_account):
    from bankingsystem.errors import ApplicationError

    before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError):
        transfer_create(source=account, destination=other_account, amount=Decimal("999999.00"))
    assert AuditEvent.objects.count() == before


def test_request_context_is_recorded(api, account):
    response = api.post(f"/api/v1/accounts/{account.number}/freeze/", {"reason": "lost card"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="account.freeze")
    assert event.ip == "127.0.0.1" and len(event.request_id) == 36  # django-structlog's request id


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_gapless_lanes():
    """Six sessions at once: each writes its own lane (or shares one, chained one after
    another under its head), and every lane is gapless and verifies."""

    def write() -> int:
        for i in range(20):
            with transaction.atomic():
                audit_record(action="test.race", actor=None, object_type="test", object_id=str(i))
        return 20

    assert in_threads(6, write) == [20] * 6
    report = audit_chain_verify()
    assert report.ok and report.checked == 120
    assert sum(h.seq for h in report.heads) == 120
    for head in report.heads:
        seqs = AuditEvent.objects.filter(lane=head.lane).order_by("seq").values_list("seq", flat=True)
        assert list(seqs) == list(range(1, head.seq + 1))


@pytest.mark.django_db(transaction=True)
def test_sessions_write_different_lanes_and_tampering_names_the_lane(settings):
    """The lane is the session's backend pid modulo AUDIT_CHAIN_LANES: two sessions with
    pids of different residues write two lanes, each chained on its own."""
    settings.AUDIT_CHAIN_LANES = 2
    made: dict[int, list[AuditEvent]] = {}
    for _ in range(20):  # new sessions until both residues of the pid have written
        made.setdefault(events(1)[0].lane, []).extend(events(2))
        connection.close()
        if len(made) == 2:
            break
    assert set(made) == {1, 2}
    report = audit_chain_verify()
    assert report.ok and {h.lane for h in report.heads} == {1, 2}
    second = made[2][-1]
    tamper("UPDATE audit_auditevent SET object_repr = 'edited' WHERE lane = 2 AND seq = %s", [second.seq])
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_lane, report.first_bad_seq, report.problem) == (
        False,
        2,
        second.seq,
        "altered",
    )


def test_deleting_a_whole_lane_is_found_through_its_head(db, settings):
    made = events(2)
    tamper("DELETE FROM audit_auditevent WHERE lane = %s", [made[0].lane])
    report = audit_chain_verify()
    assert (report.ok, report.first_bad_lane, report.first_bad_seq, report.problem) == (
        False,
        made[0].lane,
        1,
        "head_mismatch",
    )


def test_auditor_api(db, auditor, customer):
    events(3)
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE seq = 2")
    client = client_for(auditor)
    body = client.get("/api/v1/audit/verify/").json()
    assert (body["ok"], body["first_bad_seq"], body["problem"]) == (False, 2, "altered")
    assert body["first_bad_lane"] == body["heads"][0]["lane"] and body["heads"][0]["seq"] == 3
    listed = client.get("/api/v1/audit/events/", {"action": "test.event"}).json()["results"]
    assert [e["seq"] for e in listed] == [3, 2, 1]
    assert client_for(customer.user).get("/api/v1/audit/events/").status_code == 403


def test_content_made_ahead_hashes_as_the_same_content_encoded_whole(db):
    """CanonicalJSON text, spliced into the payload, gives the payload of the value itself;
    an event written with it stores the value and verifies."""
    after = {"journals": [{"reference": "TRF1", "legs": [["ACC-1", Decimal("-1.50")]], "note": 'naïve "q" </>'}]}
    before = {"b": None, "a": [1, True, "x"]}
    fields = {
        "created_at": timezone.now(),
        "actor_id": None,
        "actor_repr": "system",
        "action": "test.ahead",
        "object_type": "test",
        "object_id": "1",
        "object_repr": "",
        "ip": None,
        "request_id": "",
    }
    whole = canonical_payload(**fields, before=jsonable(before), after=jsonable(after))
    ahead = canonical_payload(
        **fields,
        before=CanonicalJSON(canonical_json(jsonable(before))),
        after=CanonicalJSON(canonical_json(jsonable(after))),
    )
    assert ahead == whole

    step = audit_step(
        action="test.ahead",
        actor=None,
        object_type="test",
        object_id_sql="(SELECT 7)",
        after=CanonicalJSON(canonical_json(jsonable(after))),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {step.ctes} SELECT id FROM audit_event", step.params)
    assert AuditEvent.objects.get(action="test.ahead").after == jsonable(after)
    # audit_record (SQLite's only way, and PostgreSQL's outside a posting) stores the value.
    recorded = audit_record(
        action="test.ahead.record", actor=None, after=CanonicalJSON(canonical_json(jsonable(after)))
    )
    assert recorded.after == AuditEvent.objects.get(pk=recorded.pk).after == jsonable(after)
    assert audit_chain_verify().ok
