from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get_for
from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import AccountNumberField, MoneyField, StrictSerializer
from customers import roles

from . import services
from .models import Card
from .selectors import card_get_for, card_list_for


class CardOutputSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    daily_limit = MoneyField()
    replaces = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Card
        fields = [
            "id",
            "account",
            "masked_number",
            "expiry_month",
            "expiry_year",
            "status",
            "block_reason",
            "daily_limit",
            "replaces",
            "issued_at",
            "activated_at",
        ]


def _refuse_readers(request: Request) -> None:
    """Auditors and loan officers look at cards; they do not act on them."""
    if roles.is_staff_member(request.user) and not roles.has_role(request.user, roles.TELLER, roles.ADMIN):
        raise ApplicationError("permission_denied", "Only tellers and administrators act on cards.", status=403)


class CardListCreateApi(generics.ListAPIView):
    """Debit cards (masked numbers only). POST issues one for an account without a live card."""

    serializer_class = CardOutputSerializer

    class CardIssueInputSerializer(StrictSerializer):
        account = AccountNumberField()
        daily_limit = MoneyField(required=False)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return card_list_for(user=self.request.user)

    @extend_schema(request=CardIssueInputSerializer, responses={201: CardOutputSerializer})
    def post(self, request: Request) -> Response:
        _refuse_readers(request)
        data = self.CardIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        card = services.card_issue(
            account=account_get_for(user=request.user, number=data.validated_data["account"]),
            actor=request.user,
            daily_limit=data.validated_data.get("daily_limit"),
        )
        return Response(CardOutputSerializer(card).data, status=status.HTTP_201_CREATED)


class CardDetailApi(APIView):
    @extend_schema(responses=CardOutputSerializer)
    def get(self, request: Request, card_id: int) -> Response:
        return Response(CardOutputSerializer(card_get_for(user=request.user, card_id=card_id)).data)


class CardActionApi(APIView):
    """Base of the card actions: find the card (404 for another's), refuse read-only staff."""

    def card(self, request: Request, card_id: int) -> Card:
        card = card_get_for(user=request.user, card_id=card_id)
        _refuse_readers(request)
        return card


class CardActivateApi(CardActionApi):
    class CardActivateInputSerializer(StrictSerializer):
        last4 = serializers.RegexField(r"^[0-9]{4}$", help_text="The last four digits printed on the card")

    @extend_schema(request=CardActivateInputSerializer, responses=CardOutputSerializer)
    def post(self, request: Request, card_id: int) -> Response:
        card = self.card(request, card_id)
        data = self.CardActivateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            CardOutputSerializer(services.card_activate(card=card, actor=request.user, **data.validated_data)).data
        )


class CardBlockApi(CardActionApi):
    class CardBlockInputSerializer(StrictSerializer):
        reason = serializers.ChoiceField(choices=[c for c in Card.BlockReason.choices if c[0]])

    @extend_schema(request=CardBlockInputSerializer, responses=CardOutputSerializer)
    def post(self, request: Request, card_id: int) -> Response:
        card = self.card(request, card_id)
        data = self.CardBlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            CardOutputSerializer(services.card_block(card=card, actor=request.user, **data.validated_data)).data
        )


class CardUnblockApi(CardActionApi):
    @extend_schema(request=None, responses=CardOutputSerializer)
    def post(self, request: Request, card_id: int) -> Response:
        card = self.card(request, card_id)
        return Response(CardOutputSerializer(services.card_unblock(card=card, actor=request.user)).data)


class CardReplaceApi(CardActionApi):
    @extend_schema(request=None, responses={201: CardOutputSerializer})
    def post(self, request: Request, card_id: int) -> Response:
        card = self.card(request, card_id)
        new = services.card_replace(card=card, actor=request.user)
        return Response(CardOutputSerializer(new).data, status=status.HTTP_201_CREATED)


class CardLimitApi(CardActionApi):
    class CardLimitInputSerializer(StrictSerializer):
        daily_limit = MoneyField()

    @extend_schema(request=CardLimitInputSerializer, responses=CardOutputSerializer)
    def post(self, request: Request, card_id: int) -> Response:
        card = self.card(request, card_id)
        data = self.CardLimitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            CardOutputSerializer(services.card_limit_set(card=card, actor=request.user, **data.validated_data)).data
        )
