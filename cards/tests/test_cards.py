"""Debit cards: the lifecycle, refusals, masking (no full number, no CVV) and the
one-live-card race."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import account_create
from bankingsystem.errors import ApplicationError
from cards.models import Card
from cards.services import card_activate, card_block, card_issue, card_limit_set, card_replace, card_unblock
from customers.tests.factories import CustomerFactory
from customers.tests.helpers import in_threads


def refused(code, work):  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        work()
    assert caught.value.code == code


def test_card_lifecycle(account, customer, teller):
    card = card_issue(account=account, actor=customer.user)
    assert card.status == "issued" and card.masked_number.startswith("XXXX XXXX XXXX ")
    assert not {f.name for f in Card._meta.get_fields()} & {"cvv", "cvc", "number", "pan"}
    refused(
        "card_mismatch",
        lambda: card_activate(card=card, actor=customer.user, last4="0000" if card.last4 != "0000" else "1111"),
    )
    card = card_activate(card=card, actor=customer.user, last4=card.last4)
    assert card.status == "active"
    card_block(card=card, actor=customer.user, reason="temporary")
    card = card_unblock(card=card, actor=customer.user)
    assert card.status == "active"
    card_block(card=card, actor=teller, reason="bank")
    refused("card_blocked_by_bank", lambda: card_unblock(card=card, actor=customer.user))
    card_unblock(card=card, actor=teller)
    card_block(card=card, actor=customer.user, reason="lost")
    refused("card_block_final", lambda: card_unblock(card=card, actor=teller))
    new = card_replace(card=card, actor=customer.user)
    card.refresh_from_db()
    assert (card.status, new.status, new.replaces_id, new.daily_limit) == (
        "replaced",
        "issued",
        card.pk,
        card.daily_limit,
    )
    assert new.number_hash != card.number_hash
    refused(
        "card_limit_invalid", lambda: card_limit_set(card=new, actor=customer.user, daily_limit=Decimal("999999999"))
    )
    assert card_limit_set(card=new, actor=customer.user, daily_limit=Decimal("1500.50")).daily_limit == Decimal(
        "1500.50"
    )
    refused("card_exists", lambda: card_issue(account=account, actor=customer.user))


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_make_one_card(branch, savings_type):
    account = account_create(owner=CustomerFactory(), account_type=savings_type, branch=branch)
    results = in_threads(4, lambda: card_issue(account=account, actor=account.owner.user))
    assert sum(isinstance(r, Card) for r in results) == 1
    assert Card.objects.filter(account=account).count() == 1


def test_card_api(api, account, other_account, customer, auditor):
    from conftest import client_for

    created = api.post("/api/v1/cards/", {"account": account.number})
    assert created.status_code == 201
    body = created.json()
    assert set(body) >= {"masked_number", "status", "daily_limit"} and "cvv" not in body
    card_id = body["id"]
    other = card_issue(account=other_account, actor=other_account.owner.user)
    assert api.get(f"/api/v1/cards/{other.pk}/").status_code == 404
    assert api.post(f"/api/v1/cards/{other.pk}/block/", {"reason": "lost"}).status_code == 404
    assert api.post(f"/api/v1/cards/{card_id}/block/", {"reason": "bogus"}).status_code == 400
    assert api.post(f"/api/v1/cards/{card_id}/block/", {"reason": "temporary"}).json()["status"] == "blocked"
    assert client_for(auditor).post(f"/api/v1/cards/{card_id}/unblock/").status_code == 403
    assert api.post(f"/api/v1/cards/{card_id}/unblock/").json()["status"] == "issued"
