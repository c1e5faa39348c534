"""Transfers between two nodes of one bank, with two-phase commit on PostgreSQL's own
PREPARE TRANSACTION / COMMIT PREPARED.

The source node coordinates:
1. it commits a BranchTransfer row (state PREPARING): the durable log recovery reads;
2. it debits the source into its clearing account in a transaction it ends with
   PREPARE TRANSACTION (funds truly held: the rows stay locked and the entries written,
   surviving a crash, but visible to no one);
3. it asks the participant (the destination's node) to prepare its side, the credit, the
   same way, and to answer with its vote;
4. it commits its decision (COMMITTING on a yes, ABORTING otherwise) with a conditional
   UPDATE, so it and recovery can never decide differently: this is the commit point;
5. it runs COMMIT PREPARED (or ROLLBACK PREPARED) locally and asks the participant to do
   the same, then marks the row COMMITTED (ABORTED).

Recovery (beat, every node) finishes whatever a crash interrupted: undecided rows older
than TWO_PC_RECOVERY_AFTER_SECONDS are aborted; decided ones are finished on both sides;
a participant holding a prepared transaction it has heard nothing about asks the
coordinator for the decision. Global ids are `bt:<coordinator>:<hex>:<src|dst>`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import requests
import structlog
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import gl_account_get_or_create
from bankingsystem.errors import ApplicationError
from bankingsystem.faults import fault_point
from transactions.models import Journal
from transactions.services import Leg, amount_validate, journal_create, transfer_out_create

from .directory import Where, route_of
from .models import BranchTransfer, PreparedBranchTransfer
from .signing import signed_call

logger = structlog.get_logger(__name__)
T = TypeVar("T")
State = BranchTransfer.State
GID = re.compile(r"^bt:(?P<coordinator>[a-z0-9_-]{1,30}):(?P<hex>[0-9a-f]{32})(?::(?P<role>src|dst))?$")
PATH = "/api/v1/federation/2pc/"


def _gid_side(gid: str, role: str) -> str:
    return f"{gid}:{role}"


def _check_gid(gid: str) -> re.Match[str]:
    match = GID.match(gid)
    if match is None:
        raise ApplicationError("gid_invalid", "Not a global transaction id of ours.", status=400, field="gid")
    return match


def _prepare(gid: str, work: Callable[[], T]) -> T:
    """Run `work` in a transaction and end it with PREPARE TRANSACTION instead of COMMIT.

    The deferred ledger checks (balanced journal) run at PREPARE, as they would at COMMIT;
    Django's COMMIT at the end of the block then finds no transaction and does nothing.
    """
    _check_gid(gid)  # it goes into the SQL text: PREPARE TRANSACTION takes no parameters
    if connection.in_atomic_block:
        raise RuntimeError("two-phase commit needs a top-level transaction")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Time-limited: a lock held by another prepared transfer fails this one, not hangs it.
            cursor.execute(f"SET LOCAL lock_timeout = '{int(settings.NODE_CALL_TIMEOUT_SECONDS * 1000)}ms'")
        result = work()
        with connection.cursor() as cursor:
            cursor.execute(f"PREPARE TRANSACTION '{gid}'")
    return result


def _prepared(gid: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_xacts WHERE gid = %s AND database = current_database()", [gid])
        return cursor.fetchone() is not None


def _resolve_prepared(gid: str, *, commit: bool) -> bool:
    """COMMIT (ROLLBACK) PREPARED gid if it is still prepared here; True if it was."""
    if not _prepared(gid):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"{'COMMIT' if commit else 'ROLLBACK'} PREPARED '{gid}'")
    logger.info("two_phase_resolved", gid=gid, commit=commit)
    return True


# --- Coordinator --------------------------------------------------------------------------------


def _call(record: BranchTransfer, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """Ask the participant; None when it cannot be reached in time or answers nonsense."""
    url = settings.NODE_PEERS.get(record.participant_node, "").rstrip("/")
    try:
        response = signed_call(node_url=url, method="POST", path=f"{PATH}{action}/", payload=payload)
        if response.status_code >= 500 or response.status_code in (401, 403):
            logger.warning("two_phase_call_failed", gid=record.gid, action=action, status=response.status_code)
            return None
        return response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("two_phase_call_failed", gid=record.gid, action=action, error=str(error)[:200])
        return None


def _decide(record: BranchTransfer, state: str, reason: str = "") -> BranchTransfer:
    """Commit the decision unless one was already taken (by recovery); return the row as decided."""
    BranchTransfer.objects.filter(pk=record.pk, state=State.PREPARING).update(
        state=state, reason=reason[:200], decided_at=timezone.now()
    )
    record.refresh_from_db()
    return record


def _finish(record: BranchTransfer) -> BranchTransfer:
    """Carry out a taken decision on both sides (idempotent); the row ends COMMITTED or ABORTED
    once the participant confirms, else it stays decided for recovery to finish."""
    commit = record.state in (State.COMMITTING, State.COMMITTED)
    if record.state in (State.COMMITTED, State.ABORTED):
        return record
    _resolve_prepared(_gid_side(record.gid, "src"), commit=commit)
    answer = _call(record, "commit" if commit else "abort", {"gid": record.gid})
    if answer is not None and answer.get("state") == ("committed" if commit else "aborted"):
        BranchTransfer.objects.filter(pk=record.pk, state=record.state).update(
            state=State.COMMITTED if commit else State.ABORTED, finished_at=timezone.now()
        )
        record.refresh_from_db()
    elif answer is not None:
        logger.error("two_phase_participant_disagrees", gid=record.gid, decision=record.state, answer=answer)
    return record


def branch_transfer_create(
    *,
    source: Account,
    destination_number: str,
    amount: Decimal,
    description: str = "",
    initiated_by: AbstractBaseUser | None = None,
) -> BranchTransfer:
    """Move money from an account here to one held by another node of this bank, atomically
    on both nodes. Refusals (ours or the participant's) leave nothing behind on either side.
    If the participant cannot be told the outcome, the transfer is already decided and
    recovery completes it; the row's state says where it stands."""
    route = route_of(destination_number)
    if route.where != Where.BRANCH_NODE:
        raise ApplicationError(
            "not_another_node", "The destination is not held by another node.", status=400, field="destination_account"
        )
    amount = amount_validate(amount=amount, currency=source.currency)
    record = BranchTransfer.objects.create(
        gid=f"bt:{settings.NODE_CODE}:{uuid.uuid4().hex}",
        source=source,
        destination_number=destination_number,
        participant_node=route.node,
        amount=amount,
        currency=source.currency,
    )
    description = description or f"Transfer to {destination_number}"
    try:
        _prepare(
            _gid_side(record.gid, "src"),
            lambda: transfer_out_create(
                source=source, amount=amount, description=description, initiated_by=initiated_by
            ),
        )
    except ApplicationError as refusal:
        _finish(_decide(record, State.ABORTING, refusal.code))
        raise
    fault_point("2pc.coordinator_after_local_prepare")
    vote = _call(
        record,
        "prepare",
        {
            "gid": record.gid,
            "destination_account": destination_number,
            "amount": str(amount),
            "currency": source.currency,
            "source_account": source.number,
            "description": description[:140],
        },
    )
    fault_point("2pc.coordinator_after_prepare")
    if vote is not None and vote.get("vote") == "yes":
        record = _decide(record, State.COMMITTING)
    else:
        reason = (vote or {}).get("code", "participant_unavailable")
        record = _decide(record, State.ABORTING, reason)
    fault_point("2pc.coordinator_after_decision")
    record = _finish(record)
    if record.state in (State.ABORTING, State.ABORTED):
        code = record.reason or "participant_unavailable"
        raise ApplicationError(
            code if vote else "participant_unavailable",
            (vote or {}).get("detail", f"Node {route.node} did not accept the transfer; nothing was moved."),
            status=422 if vote else 503,
            field="destination_account",
        )
    return record


def decision_for(*, gid: str) -> str:
    """What the coordinator (this node) decided for `gid`: commit, abort or pending. An
    undecided transfer older than the recovery delay is aborted now; an unknown one was
    never logged, so it cannot have been decided commit (presumed abort)."""
    _check_gid(gid)
    record = BranchTransfer.objects.filter(gid=gid).first()
    if record is None:
        return "abort"
    if record.state == State.PREPARING:
        if record.created_at > timezone.now() - timedelta(seconds=settings.TWO_PC_RECOVERY_AFTER_SECONDS):
            return "pending"
        record = _decide(record, State.ABORTING, "no decision in time")
    return "commit" if record.state in (State.COMMITTING, State.COMMITTED) else "abort"


# --- Participant ---------------------------------------------------------------------------------


def participant_prepare(
    *, gid: str, coordinator: str, destination_number: str, amount: Decimal, currency: str, description: str
) -> dict[str, Any]:
    """Prepare the credit side of `gid` and vote. Idempotent: asked again, the same vote."""
    match = _check_gid(gid)
    if match["coordinator"] != coordinator:
        raise ApplicationError("gid_invalid", "The id names another coordinator.", status=400, field="gid")
    side = _gid_side(gid, "dst")
    if _prepared(side) or PreparedBranchTransfer.objects.filter(gid=gid).exists():
        return {"vote": "yes"}
    account = Account.objects.filter(number=destination_number, kind=Account.Kind.CUSTOMER).first()
    if account is None or route_of(destination_number).where != Where.HERE:
        return {"vote": "no", "code": "account_unknown", "detail": f"No account {destination_number} here."}
    if account.currency != currency:
        return {"vote": "no", "code": "currency_mismatch", "detail": f"Account holds {account.currency}."}

    def credit() -> None:
        clearing = gl_account_get_or_create(code=Account.GlCode.INTERBANK_CLEARING, currency=currency)
        journal = journal_create(
            kind=Journal.Kind.INTERBANK,
            legs=[Leg(clearing.pk, -amount), Leg(account.pk, amount)],
            description=description or f"Transfer from node {coordinator}",
        )
        PreparedBranchTransfer.objects.create(
            gid=gid, coordinator_node=coordinator, account=account, amount=amount, journal=journal
        )

    try:
        _prepare(side, credit)
    except ApplicationError as refusal:
        return {"vote": "no", "code": refusal.code, "detail": refusal.detail}
    fault_point("2pc.participant_after_prepare")
    return {"vote": "yes"}


def participant_finish(*, gid: str, commit: bool) -> dict[str, str]:
    """COMMIT or ROLLBACK PREPARED our side of `gid`; idempotent. The row written inside the
    prepared transaction tells a finished commit from a side that was never prepared."""
    _check_gid(gid)
    if _resolve_prepared(_gid_side(gid, "dst"), commit=commit):
        return {"state": "committed" if commit else "aborted"}
    committed = PreparedBranchTransfer.objects.filter(gid=gid).exists()
    if commit:
        return {"state": "committed" if committed else "unknown"}
    return {"state": "committed" if committed else "aborted"}


# --- Recovery ---------------------------------------------------------------------------------------


def two_phase_recover() -> dict[str, int]:
    """Resolve what a crash left in doubt on this node (beat, every node; idempotent)."""
    done = {"aborted_undecided": 0, "finished": 0, "resolved_prepared": 0}
    cutoff = timezone.now() - timedelta(seconds=settings.TWO_PC_RECOVERY_AFTER_SECONDS)
    for record in BranchTransfer.objects.filter(state=State.PREPARING, created_at__lt=cutoff):
        _decide(record, State.ABORTING, "no decision in time")
        done["aborted_undecided"] += 1
    for record in BranchTransfer.objects.filter(state__in=[State.COMMITTING, State.ABORTING]):
        if _finish(record).state in (State.COMMITTED, State.ABORTED):
            done["finished"] += 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE 'bt:%%' "
            "AND prepared < %s",
            [cutoff],
        )
        in_doubt = [row[0] for row in cursor.fetchall()]
    for side in in_doubt:
        gid = side.rsplit(":", 1)[0]
        coordinator = _check_gid(gid)["coordinator"]
        ours = coordinator == settings.NODE_CODE
        decision = decision_for(gid=gid) if ours else _ask_coordinator(coordinator, gid)
        if decision in ("commit", "abort"):
            done["resolved_prepared"] += _resolve_prepared(side, commit=decision == "commit")
    if any(done.values()):
        logger.info("two_phase_recovery", **done)
    return done


def _ask_coordinator(node: str, gid: str) -> str:
    url = settings.NODE_PEERS.get(node, "").rstrip("/")
    try:
        response = signed_call(node_url=url, method="POST", path=f"{PATH}decision/", payload={"gid": gid})
        return response.json().get("decision", "pending") if response.ok else "pending"
    except (requests.RequestException, ValueError) as error:
        logger.warning("two_phase_coordinator_unreachable", gid=gid, node=node, error=str(error)[:200])
        return "pending"
