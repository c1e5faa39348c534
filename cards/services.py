"""Debit cards: issue, activate, block/unblock, replace, daily limit. Every change is
made under the card's (or, for issuing, the account's) row lock and audited."""

from __future__ import annotations

import hmac
import secrets
from decimal import Decimal
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from audit.services import audit_record, snapshot
from bankingsystem.errors import ApplicationError
from customers import roles
from notifications.models import Notification
from notifications.services import NotificationItem, notifications_send

from .models import Card

# The bank's card range (a made-up BIN: these numbers are for this system only).
CARD_BIN = "489612"
CARD_YEARS_VALID = 5
_STATE_FIELDS = ["status", "block_reason", "daily_limit"]


def _luhn_check_digit(partial: str) -> str:
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def card_number_generate() -> str:
    body = CARD_BIN + "".join(secrets.choice("0123456789") for _ in range(9))
    return body + _luhn_check_digit(body)


def card_number_hash(number: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), sha256).hexdigest()


def _is_bank_staff(user: AbstractBaseUser | None) -> bool:
    return roles.has_role(user, roles.TELLER, roles.ADMIN)


def _lock(card: Card) -> Card:
    return Card.objects.select_for_update(of=("self",)).select_related("account", "holder").get(pk=card.pk)


def _limit_validate(daily_limit: Decimal) -> Decimal:
    if daily_limit < 0 or daily_limit > settings.CARD_DAILY_LIMIT_MAX or daily_limit.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ApplicationError(
            "card_limit_invalid",
            f"A card's daily limit is between 0 and {settings.CARD_DAILY_LIMIT_MAX}, in paise.",
            status=400,
            field="daily_limit",
        )
    return daily_limit.quantize(Decimal("0.01"))


def _audit(card: Card, action: str, actor: AbstractBaseUser | None, before: dict | None, **extra: object) -> None:
    audit_record(
        action=f"card.{action}", actor=actor, obj=card, before=before, after={**snapshot(card, _STATE_FIELDS), **extra}
    )


def _notify(card: Card, title: str) -> None:
    notifications_send(
        items=[NotificationItem(card.holder.user_id, Notification.Kind.CARD, title, "", {"card": card.pk})]
    )


def _new_card(*, account: Account, daily_limit: Decimal, replaces: Card | None = None) -> Card:
    number = card_number_generate()
    today = timezone.localdate()
    assert account.owner is not None
    return Card.objects.create(
        account=account,
        holder=account.owner,
        last4=number[-4:],
        number_hash=card_number_hash(number),
        expiry_month=today.month,
        expiry_year=today.year + CARD_YEARS_VALID,
        daily_limit=daily_limit,
        replaces=replaces,
    )


@transaction.atomic
def card_issue(*, account: Account, actor: AbstractBaseUser, daily_limit: Decimal | None = None) -> Card:
    """A new card for an account that has none live. It arrives inactive: the holder activates it."""
    locked = Account.objects.select_for_update(of=("self",)).select_related("owner").get(pk=account.pk)
    if locked.kind != Account.Kind.CUSTOMER or locked.status == Account.Status.CLOSED:
        raise ApplicationError("account_not_active", f"Account {locked.number} cannot have a card.", field="account")
    if Card.objects.filter(account=locked, status__in=Card.LIVE).exists():
        raise ApplicationError("card_exists", "This account already has a card: replace it instead.", status=409)
    card = _new_card(
        account=locked,
        daily_limit=_limit_validate(daily_limit if daily_limit is not None else settings.CARD_DAILY_LIMIT_DEFAULT),
    )
    _audit(card, "issue", actor, None, account=locked.number, last4=card.last4)
    _notify(card, f"Debit card {card.masked_number} issued")
    return card


@transaction.atomic
def card_activate(*, card: Card, actor: AbstractBaseUser, last4: str) -> Card:
    """The holder proves they have the card (its last four digits) and switches it on."""
    card = _lock(card)
    if card.status != Card.Status.ISSUED:
        raise ApplicationError(
            "card_not_issued", f"This card is {card.status}; only a new card is activated.", status=409
        )
    if not hmac.compare_digest(last4, card.last4):
        raise ApplicationError("card_mismatch", "These are not the card's last four digits.", status=400, field="last4")
    if card.account.status == Account.Status.CLOSED:
        raise ApplicationError("account_not_active", "The card's account is closed.", status=409)
    before = snapshot(card, _STATE_FIELDS)
    card.status, card.activated_at = Card.Status.ACTIVE, timezone.now()
    card.save(update_fields=["status", "activated_at"])
    _audit(card, "activate", actor, before)
    return card


@transaction.atomic
def card_block(*, card: Card, actor: AbstractBaseUser, reason: str) -> Card:
    """Block a card. A temporary block can be lifted; lost, stolen or damaged is final (replace it)."""
    if reason not in Card.BlockReason.values or not reason:
        raise ApplicationError(
            "invalid_reason", "Say why: temporary, lost, stolen or damaged.", status=400, field="reason"
        )
    if reason == Card.BlockReason.BANK and not _is_bank_staff(actor):
        raise ApplicationError("invalid_reason", "Only the bank blocks for reason `bank`.", status=400, field="reason")
    card = _lock(card)
    if card.status not in (Card.Status.ISSUED, Card.Status.ACTIVE, Card.Status.BLOCKED):
        raise ApplicationError("card_not_live", f"This card is {card.status}.", status=409)
    if card.status == Card.Status.BLOCKED and card.block_reason != Card.BlockReason.TEMPORARY:
        raise ApplicationError("card_already_blocked", "This card is already blocked.", status=409)
    before = snapshot(card, _STATE_FIELDS)
    card.status, card.block_reason = Card.Status.BLOCKED, reason
    card.save(update_fields=["status", "block_reason"])
    _audit(card, "block", actor, before)
    _notify(card, f"Debit card {card.masked_number} blocked ({Card.BlockReason(reason).label.lower()})")
    return card


@transaction.atomic
def card_unblock(*, card: Card, actor: AbstractBaseUser) -> Card:
    """Lift a temporary block (the holder) or any block but a final one (the bank)."""
    card = _lock(card)
    if card.status != Card.Status.BLOCKED:
        raise ApplicationError("card_not_blocked", "This card is not blocked.", status=409)
    final = card.block_reason in (Card.BlockReason.LOST, Card.BlockReason.STOLEN, Card.BlockReason.DAMAGED)
    if final:
        raise ApplicationError(
            "card_block_final", "A lost, stolen or damaged card stays blocked: replace it.", status=409
        )
    if card.block_reason == Card.BlockReason.BANK and not _is_bank_staff(actor):
        raise ApplicationError("card_blocked_by_bank", "Only the bank lifts the bank's block.", status=403)
    before = snapshot(card, _STATE_FIELDS)
    card.status = Card.Status.ACTIVE if card.activated_at else Card.Status.ISSUED
    card.block_reason = Card.BlockReason.NONE
    card.save(update_fields=["status", "block_reason"])
    _audit(card, "unblock", actor, before)
    return card


@transaction.atomic
def card_replace(*, card: Card, actor: AbstractBaseUser) -> Card:
    """Retire a live card and issue a new number with the same limit (inactive until activated)."""
    card = _lock(card)
    if card.status not in Card.LIVE:
        raise ApplicationError("card_not_live", f"This card is {card.status}.", status=409)
    if card.account.status == Account.Status.CLOSED:
        raise ApplicationError("account_not_active", "The card's account is closed.", status=409)
    before = snapshot(card, _STATE_FIELDS)
    card.status = Card.Status.REPLACED
    card.save(update_fields=["status"])
    _audit(card, "retire", actor, before)
    new = _new_card(account=card.account, daily_limit=card.daily_limit, replaces=card)
    _audit(new, "issue", actor, None, account=card.account.number, last4=new.last4, replaces=card.pk)
    _notify(new, f"Replacement card {new.masked_number} issued; {card.masked_number} no longer works")
    return new


@transaction.atomic
def card_limit_set(*, card: Card, actor: AbstractBaseUser, daily_limit: Decimal) -> Card:
    card = _lock(card)
    if card.status not in Card.LIVE:
        raise ApplicationError("card_not_live", f"This card is {card.status}.", status=409)
    before = snapshot(card, _STATE_FIELDS)
    card.daily_limit = _limit_validate(daily_limit)
    card.save(update_fields=["daily_limit"])
    _audit(card, "limit", actor, before)
    return card
