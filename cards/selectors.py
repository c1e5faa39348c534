from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from customers import roles

from .models import Card


def card_list_for(*, user: AbstractBaseUser) -> QuerySet[Card]:
    cards = Card.objects.select_related("account", "holder__user").order_by("pk")
    return cards if roles.is_staff_member(user) else cards.filter(holder__user=user)


def card_get_for(*, user: AbstractBaseUser, card_id: int) -> Card:
    card = card_list_for(user=user).filter(pk=card_id).first()
    if card is None:
        raise Http404("No such card.")
    return card
