from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get_by_number, account_get_for
from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import AccountNumberField, MoneyField, StrictSerializer
from customers.models import Customer
from customers.stepup import STEP_UP_PARAMETERS, step_up_check
from transactions.api import IDEMPOTENCY_PARAMETER, ReceiptSerializer, receipt_response
from transactions.idempotency import idempotent

from . import services
from .models import Beneficiary, StandingOrder, StandingOrderRun
from .selectors import beneficiary_get_for, beneficiary_list_for, standing_order_get_for, standing_order_list_for


def _customer_of(request: Request) -> Customer:
    """Beneficiaries and standing orders are the customer's own to set up (staff see them)."""
    customer = Customer.objects.filter(user=request.user).first()
    if customer is None:
        raise ApplicationError("customer_required", "Only customers set these up, for themselves.", status=403)
    return customer


class BeneficiaryOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.user.username")

    class Meta:
        model = Beneficiary
        fields = [
            "id",
            "owner",
            "name",
            "nickname",
            "account_number",
            "routing_code",
            "is_own_bank",
            "status",
            "cooling_off_until",
            "created_at",
        ]


class BeneficiaryListCreateApi(generics.ListAPIView):
    """Saved payees. Adding one needs step-up (X-OTP or X-Transaction-PIN) and starts its cooling-off."""

    serializer_class = BeneficiaryOutputSerializer

    class BeneficiaryAddInputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=100)
        nickname = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
        account_number = serializers.CharField(max_length=34)
        routing_code = serializers.CharField(max_length=11, help_text="Bank code + branch code (7 digits)")

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return beneficiary_list_for(user=self.request.user)

    @extend_schema(
        request=BeneficiaryAddInputSerializer,
        responses={201: BeneficiaryOutputSerializer},
        parameters=STEP_UP_PARAMETERS,
    )
    def post(self, request: Request) -> Response:
        customer = _customer_of(request)
        data = self.BeneficiaryAddInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # bad input costs no one-time code
        step_up_check(request, action="beneficiary_add")  # commits on its own: a wrong code still counts
        beneficiary = services.beneficiary_add(owner=customer, actor=request.user, **data.validated_data)
        return Response(BeneficiaryOutputSerializer(beneficiary).data, status=status.HTTP_201_CREATED)


class BeneficiaryDetailApi(APIView):
    @extend_schema(responses=BeneficiaryOutputSerializer)
    def get(self, request: Request, beneficiary_id: int) -> Response:
        return Response(
            BeneficiaryOutputSerializer(beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, beneficiary_id: int) -> Response:
        beneficiary = beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        _customer_of(request)
        services.beneficiary_remove(beneficiary=beneficiary, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BeneficiaryTransferApi(APIView):
    throttle_scope = "money"

    class BeneficiaryTransferInputSerializer(StrictSerializer):
        source_account = AccountNumberField()
        amount = MoneyField()
        description = serializers.CharField(max_length=140, required=False, default="", allow_blank=True)

    @extend_schema(
        request=BeneficiaryTransferInputSerializer,
        responses={201: ReceiptSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request, beneficiary_id: int) -> Response:
        """Pay a beneficiary (capped during its cooling-off period)."""
        beneficiary = beneficiary_get_for(user=request.user, beneficiary_id=beneficiary_id)
        _customer_of(request)
        data = self.BeneficiaryTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        journal = services.beneficiary_transfer_create(
            beneficiary=beneficiary,
            source=account_get_for(user=request.user, number=data.validated_data["source_account"]),
            amount=data.validated_data["amount"],
            description=data.validated_data["description"],
            initiated_by=request.user,
        )
        return receipt_response(journal, request.user, status.HTTP_201_CREATED)


class StandingOrderRunOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="journal.reference", allow_null=True, default=None)

    class Meta:
        model = StandingOrderRun
        fields = ["due_date", "status", "attempts", "reference", "failure_code", "failure_detail", "updated_at"]


class StandingOrderOutputSerializer(serializers.ModelSerializer):
    source_account = serializers.CharField(source="source.number")
    destination_account = serializers.CharField(source="destination.number")
    amount = MoneyField()
    runs = StandingOrderRunOutputSerializer(many=True, read_only=True)

    class Meta:
        model = StandingOrder
        fields = [
            "id",
            "source_account",
            "destination_account",
            "beneficiary",
            "amount",
            "description",
            "frequency",
            "day_of_month",
            "start_date",
            "end_date",
            "next_due_date",
            "next_attempt_on",
            "status",
            "created_at",
            "runs",
        ]


class StandingOrderListCreateApi(generics.ListAPIView):
    """Recurring transfers from the caller's accounts, run by the bank each due date."""

    serializer_class = StandingOrderOutputSerializer

    class StandingOrderCreateInputSerializer(StrictSerializer):
        source_account = AccountNumberField()
        destination_account = AccountNumberField(required=False)
        beneficiary = serializers.IntegerField(required=False)
        amount = MoneyField()
        frequency = serializers.ChoiceField(choices=StandingOrder.Frequency.choices)
        day_of_month = serializers.IntegerField(required=False, min_value=1, max_value=31)
        start_date = serializers.DateField()
        end_date = serializers.DateField(required=False)
        description = serializers.CharField(max_length=140, required=False, default="", allow_blank=True)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return standing_order_list_for(user=self.request.user).prefetch_related("runs__journal")

    @extend_schema(request=StandingOrderCreateInputSerializer, responses={201: StandingOrderOutputSerializer})
    def post(self, request: Request) -> Response:
        customer = _customer_of(request)
        data = self.StandingOrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        source = account_get_for(user=request.user, number=values.pop("source_account"))
        destination = None
        if "destination_account" in values:
            destination = account_get_by_number(number=values.pop("destination_account"))
            if destination is None:
                raise ApplicationError("account_not_found", "No account with this number exists at this bank.",
                                       field="destination_account")  # fmt: skip
        beneficiary = None
        if "beneficiary" in values:
            beneficiary = beneficiary_get_for(user=request.user, beneficiary_id=values.pop("beneficiary"))
        order = services.standing_order_create(
            owner=customer, source=source, destination=destination, beneficiary=beneficiary, actor=request.user,
            **values,
        )  # fmt: skip
        return Response(StandingOrderOutputSerializer(order).data, status=status.HTTP_201_CREATED)


class StandingOrderDetailApi(APIView):
    @extend_schema(responses=StandingOrderOutputSerializer)
    def get(self, request: Request, order_id: int) -> Response:
        return Response(
            StandingOrderOutputSerializer(standing_order_get_for(user=request.user, order_id=order_id)).data
        )


class StandingOrderCancelApi(APIView):
    @extend_schema(request=None, responses=StandingOrderOutputSerializer)
    def post(self, request: Request, order_id: int) -> Response:
        order = standing_order_get_for(user=request.user, order_id=order_id)
        _customer_of(request)
        return Response(
            StandingOrderOutputSerializer(services.standing_order_cancel(order=order, actor=request.user)).data
        )
