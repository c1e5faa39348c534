"""Fraud screening of transfers, the review of its alerts, retraining and rescoring.

`transfer_screen` runs before money moves: SAFE posts, SUSPICIOUS posts and raises an
alert, CRITICAL holds the money (nothing posted) and raises an alert that waits for staff.
The score row, the posting or hold, and the alert commit in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import status

from accounts.models import Account
from audit.services import audit_record
from bankingsystem.db import retry_on_conflict
from bankingsystem.errors import ApplicationError
from notifications.services import notification_send
from transactions.holds import hold_place, hold_release, hold_void
from transactions.models import Entry, Hold, Journal
from transactions.services import amount_validate, transfer_create

from . import metrics
from .features import FEATURES, TransferEvent, features_compute, vectors_from_events
from .models import FraudAlert, TransferScore, Verdict
from .scoring import Score, model_fit, model_save, score_vector
from .selectors import screening_reads

MIN_TRAINING_TRANSFERS = 200


@dataclass(frozen=True)
class ScreenedTransfer:
    score: Score
    journal: Journal | None = None
    hold: Hold | None = None
    alert: FraudAlert | None = None

    @property
    def held(self) -> bool:
        return self.hold is not None


def transfer_score(*, source: Account, destination: Account, amount: Decimal, cross_bank: bool = False):  # type: ignore[no-untyped-def]
    now = timezone.now()
    history, model = screening_reads(account=source, now=now)
    vector = features_compute(
        amount=amount, at=now, history=history, destination_id=destination.pk, cross_bank=cross_bank
    )
    return vector, score_vector(vector, model)


@retry_on_conflict
def transfer_screen(
    *,
    source: Account,
    destination: Account,
    amount: Decimal,
    description: str = "",
    initiated_by: AbstractBaseUser | None = None,
    move: Callable[..., Journal] = transfer_create,
    savepoint: bool = True,
) -> ScreenedTransfer:
    """`savepoint=False` for a caller whose own transaction rolls back as a whole on any
    error raised here (the idempotent view's): a savepoint would buy nothing there and cost
    two statements."""
    with transaction.atomic(savepoint=savepoint):
        return _screen(
            source=source,
            destination=destination,
            amount=amount,
            description=description,
            initiated_by=initiated_by,
            move=move,
        )


def _screen(
    *,
    source: Account,
    destination: Account,
    amount: Decimal,
    description: str,
    initiated_by: AbstractBaseUser | None,
    move: Callable[..., Journal],
) -> ScreenedTransfer:
    # Malformed amounts are refused as a transfer would refuse them, before any scoring.
    amount = amount_validate(amount=amount, currency=source.currency)
    vector, score = transfer_score(source=source, destination=destination, amount=amount)
    features = dict(zip(FEATURES, vector, strict=True))
    common = {"source": source, "destination": destination, "amount": amount, "score": score.value,
              "verdict": score.verdict, "model_version": score.model_version, "features": features}  # fmt: skip
    journal = hold = alert = None
    if score.verdict == Verdict.CRITICAL:
        hold = hold_place(
            source=source, destination=destination, amount=amount, description=description, initiated_by=initiated_by
        )
        alert = FraudAlert.objects.create(hold=hold, **common)
    else:
        # No savepoint of its own: nothing here catches its refusal, which leaves this atomic
        # block (see transfer_screen), whose savepoint or transaction takes back what it wrote.
        journal = move(
            source=source,
            destination=destination,
            amount=amount,
            description=description,
            initiated_by=initiated_by,
            savepoint=False,
        )
        if score.verdict == Verdict.SUSPICIOUS:
            alert = FraudAlert.objects.create(journal=journal, **common)
    _score_record(journal=journal, **common)
    metrics.verdict_observed(score.verdict)
    if alert is not None:
        audit_record(action="fraud_alert.raised", actor=initiated_by, obj=alert,
                     after={"verdict": alert.verdict, "score": alert.score, "held": hold is not None})  # fmt: skip
    return ScreenedTransfer(score=score, journal=journal, hold=hold, alert=alert)


_SCORE_FIELDS = ("source", "destination", "amount", "score", "verdict", "model_version", "features", "journal",
                 "rescored", "created_at")  # fmt: skip


def _score_record(*, journal: Journal | None, features: dict[str, float], **common: Any) -> None:
    """The TransferScore row, as `TransferScore.objects.create` would write it (plain SQL:
    the ORM's insert cost more to build than to run, on every transfer)."""
    q = connection.ops.quote_name
    columns = ", ".join(q(TransferScore._meta.get_field(name).column) for name in _SCORE_FIELDS)
    values = [
        common["source"].pk,
        common["destination"].pk,
        common["amount"],
        common["score"],
        str(common["verdict"]),
        common["model_version"],
        json.dumps(features),
        journal.pk if journal is not None else None,
        False,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(TransferScore._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(values))})",  # noqa: S608
            values,
        )


def _open_alert_locked(alert: FraudAlert, *, held: bool) -> FraudAlert:
    alert = FraudAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != FraudAlert.Status.OPEN:
        raise ApplicationError("alert_already_reviewed", f"This alert is already {alert.status}.", status=409)
    if held != (alert.hold_id is not None):
        action = "released or rejected" if alert.hold_id else "dismissed or confirmed"
        raise ApplicationError(
            "alert_action_invalid", f"This alert can only be {action}.", status=status.HTTP_400_BAD_REQUEST
        )
    return alert


def _reviewed(alert: FraudAlert, new_status: str, actor: AbstractBaseUser, note: str) -> FraudAlert:
    before = alert.status
    alert.status, alert.reviewed_by, alert.reviewed_at, alert.note = new_status, actor, timezone.now(), note
    alert.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "journal"])
    audit_record(action=f"fraud_alert.{new_status}", actor=actor, obj=alert,
                 before={"status": before}, after={"status": new_status, "note": note})  # fmt: skip
    return alert


@transaction.atomic
def alert_release(*, alert: FraudAlert, actor: AbstractBaseUser, note: str = "") -> FraudAlert:
    """Not fraud after all: the held transfer is posted (checked afresh: funds, status)."""
    alert = _open_alert_locked(alert, held=True)
    alert.journal = hold_release(hold=alert.hold, actor=actor)
    metrics.holds_pending_changed()
    return _reviewed(alert, FraudAlert.Status.RELEASED, actor, note)


@transaction.atomic
def alert_reject(*, alert: FraudAlert, actor: AbstractBaseUser, note: str = "") -> FraudAlert:
    """Fraud: the hold is voided (the money stays with the customer), the customer told."""
    alert = _open_alert_locked(alert, held=True)
    hold_void(hold=alert.hold, actor=actor)
    metrics.holds_pending_changed()
    owner = alert.source.owner
    if owner is not None:
        notification_send(
            user=owner.user,
            kind="fraud_hold_rejected",
            title=f"We stopped a transfer of {alert.amount} {alert.source.currency}",
            body="Our fraud review did not let it through; nothing left your account. Contact us if it was you.",
            data={"alert": alert.pk},
            dedupe_key=f"fraud-reject-{alert.pk}",
        )
    return _reviewed(alert, FraudAlert.Status.REJECTED, actor, note)


@transaction.atomic
def alert_dismiss(*, alert: FraudAlert, actor: AbstractBaseUser, note: str = "") -> FraudAlert:
    return _reviewed(_open_alert_locked(alert, held=False), FraudAlert.Status.DISMISSED, actor, note)


@transaction.atomic
def alert_confirm(*, alert: FraudAlert, actor: AbstractBaseUser, note: str = "") -> FraudAlert:
    """A posted transfer was fraud: recorded for the case (a reversal is a separate decision)."""
    return _reviewed(_open_alert_locked(alert, held=False), FraudAlert.Status.CONFIRMED, actor, note)


def transfer_events(*, since) -> list[TransferEvent]:  # type: ignore[no-untyped-def]
    """Customer debits to another account since `since`, oldest first, as training events."""
    debits = (
        Entry.objects.filter(
            created_at__gte=since,
            amount__lt=0,
            account__kind=Account.Kind.CUSTOMER,
            journal__kind__in=[Journal.Kind.TRANSFER, Journal.Kind.INTERBANK],
        )
        .order_by("created_at", "pk")
        .values_list("journal_id", "account_id", "created_at", "amount", "journal__kind")
    )
    rows = list(debits)
    credits = dict(
        Entry.objects.filter(journal_id__in=[r[0] for r in rows], amount__gt=0).values_list("journal_id", "account_id")
    )
    return [
        TransferEvent(account, at, -amount, credits.get(journal), kind == Journal.Kind.INTERBANK)
        for journal, account, at, amount, kind in rows
    ]


def risk_model_retrain(*, days: int = 90, seed: int = 0) -> int | None:
    """Fit a new version on the last `days` of transfers; None when there are too few."""
    events = transfer_events(since=timezone.now() - timedelta(days=days))
    if len(events) < MIN_TRAINING_TRANSFERS:
        return None
    forest, calibration = model_fit(list(vectors_from_events(events)), seed=seed)
    return model_save(forest, calibration, trained_on=len(events)).version


def transfers_rescore(*, hours: int = 24) -> int:
    """Score again, with the newest model, the transfers of the last `hours` that an older
    model (or the rules) scored: an alert for any that now look suspicious. Idempotent: a
    row is rescored once."""
    done = 0
    rows = TransferScore.objects.filter(created_at__gte=timezone.now() - timedelta(hours=hours), rescored=False)
    for row in rows.select_related("source", "destination").order_by("pk")[:5000]:
        score = score_vector([row.features[name] for name in FEATURES])
        if score.model_version is None or score.model_version == row.model_version:
            continue
        with transaction.atomic():
            TransferScore.objects.filter(pk=row.pk, created_at=row.created_at).update(rescored=True)
            if score.verdict != Verdict.SAFE and row.verdict == Verdict.SAFE and row.journal_id:
                FraudAlert.objects.create(
                    source=row.source, destination=row.destination, amount=row.amount, score=score.value,
                    verdict=Verdict.SUSPICIOUS, model_version=score.model_version, features=row.features,
                    journal_id=row.journal_id, note="raised on rescoring",
                )  # fmt: skip
            done += 1
    return done
