from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404

from customers import roles

from .models import Beneficiary, StandingOrder


def beneficiary_list_for(*, user: AbstractBaseUser) -> QuerySet[Beneficiary]:
    """The caller's active beneficiaries (every customer's, for bank staff)."""
    found = Beneficiary.objects.filter(status=Beneficiary.Status.ACTIVE).select_related("owner__user").order_by("pk")
    return found if roles.is_staff_member(user) else found.filter(owner__user=user)


def beneficiary_get_for(*, user: AbstractBaseUser, beneficiary_id: int) -> Beneficiary:
    beneficiary = beneficiary_list_for(user=user).filter(pk=beneficiary_id).first()
    if beneficiary is None:
        raise Http404("No such beneficiary.")
    return beneficiary


def standing_order_list_for(*, user: AbstractBaseUser) -> QuerySet[StandingOrder]:
    found = StandingOrder.objects.select_related("source", "destination", "owner__user").order_by("pk")
    return found if roles.is_staff_member(user) else found.filter(owner__user=user)


def standing_order_get_for(*, user: AbstractBaseUser, order_id: int) -> StandingOrder:
    order = standing_order_list_for(user=user).filter(pk=order_id).first()
    if order is None:
        raise Http404("No such standing order.")
    return order
