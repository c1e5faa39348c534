"""Holds: a transfer's money set aside for review, then posted (release) or given back (void).

A pending hold raises its account's `held_amount`; every debit check subtracts it from what
the customer may spend (services._refuse_customer_debit), so held money cannot be spent
twice. Placing and resolving a hold lock the account row, as postings do.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Account
from bankingsystem.errors import ApplicationError

from .models import Hold, Journal
from .services import TransferRequest, _transfers_plan, transfer_create


@transaction.atomic
def hold_place(
    *,
    source: Account,
    destination: Account,
    amount: Decimal,
    description: str = "",
    initiated_by: AbstractBaseUser | None = None,
) -> Hold:
    """Set `amount` aside on `source` for a transfer to `destination`: the same refusals
    as the transfer itself (funds net of other holds, limits, statuses), nothing posted."""
    [outcome], _ = _transfers_plan([TransferRequest(source, destination, amount, description)], now=timezone.now())
    if isinstance(outcome, ApplicationError):
        raise outcome
    amount = -outcome.legs[0].amount
    Account.objects.filter(pk=source.pk).update(held_amount=F("held_amount") + amount)
    return Hold.objects.create(
        account=source,
        destination=destination,
        amount=amount,
        description=description,
        initiated_by=initiated_by,
    )


def _lift(hold: Hold) -> None:
    """Take the hold's amount off its account's held total (release and void both do)."""
    Account.objects.filter(pk=hold.account_id).update(held_amount=F("held_amount") - hold.amount)


def _pending_locked(hold: Hold) -> Hold:
    locked = Hold.objects.select_for_update().select_related("account", "destination").get(pk=hold.pk)
    if locked.status != Hold.Status.PENDING:
        raise ApplicationError(
            "hold_already_resolved", f"This hold was already {locked.get_status_display().lower()}.", status=409
        )
    return locked


@transaction.atomic
def hold_release(*, hold: Hold, actor: AbstractBaseUser) -> Journal:
    """Post the held transfer. Its funds are lifted from the hold and the transfer is checked
    afresh (the account may have been frozen or closed meanwhile); a refusal leaves the hold
    pending. Two reviewers releasing at once post once: the hold row is locked first."""
    hold = _pending_locked(hold)
    _lift(hold)
    journal = transfer_create(
        source=hold.account,
        destination=hold.destination,
        amount=hold.amount,
        description=hold.description,
        initiated_by=hold.initiated_by,
    )
    hold.status, hold.journal, hold.resolved_at = Hold.Status.RELEASED, journal, timezone.now()
    hold.save(update_fields=["status", "journal", "resolved_at"])
    return journal


@transaction.atomic
def hold_void(*, hold: Hold, actor: AbstractBaseUser) -> Hold:
    """Give the held money back to the customer's available balance; nothing was posted."""
    hold = _pending_locked(hold)
    _lift(hold)
    hold.status, hold.resolved_at = Hold.Status.VOIDED, timezone.now()
    hold.save(update_fields=["status", "resolved_at"])
    return hold
