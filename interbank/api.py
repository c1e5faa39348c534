"""Federation endpoints: customers' transfers to other nodes and banks, and the signed
node-to-node calls of two-phase commit."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.serializers import AccountNumberField, MoneyField, StrictSerializer
from transactions.api import IDEMPOTENCY_PARAMETER, _account_to_debit_or_credit
from transactions.idempotency import idempotent

from . import services, twophase
from .models import BranchTransfer, InterbankTransfer
from .signing import IsPeerNode, NodeSignatureAuthentication


class ExternalTransferInputSerializer(StrictSerializer):
    source_account = AccountNumberField()
    destination_account = AccountNumberField()
    amount = MoneyField()
    description = serializers.CharField(max_length=140, required=False, default="", allow_blank=True)


class InterbankTransferOutputSerializer(serializers.ModelSerializer):
    amount = MoneyField()

    class Meta:
        model = InterbankTransfer
        fields = ["transfer_id", "status", "our_account_number", "counterparty_bank", "counterparty_account"]
        fields += ["amount", "currency", "reason", "created_at"]


class BranchTransferOutputSerializer(serializers.ModelSerializer):
    amount = MoneyField()

    class Meta:
        model = BranchTransfer
        fields = ["gid", "state", "destination_number", "participant_node", "amount", "currency", "created_at"]


class InterbankTransferApi(APIView):
    """Send money to an account at another bank: debited now, credited there asynchronously
    (refunded automatically if that bank refuses)."""

    @extend_schema(
        request=ExternalTransferInputSerializer,
        responses={202: InterbankTransferOutputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ExternalTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.interbank_transfer_create(
            source=_account_to_debit_or_credit(request.user, data.validated_data["source_account"]),
            destination_number=data.validated_data["destination_account"],
            amount=data.validated_data["amount"],
            description=data.validated_data["description"],
            initiated_by=request.user,
        )
        return Response(InterbankTransferOutputSerializer(transfer).data, status=status.HTTP_202_ACCEPTED)


class BranchTransferApi(APIView):
    """Send money to an account held by another node of this bank: both nodes commit or
    neither does (two-phase commit). No Idempotency-Key: the transfer is its own
    distributed transaction, not one database transaction the key could join."""

    @extend_schema(request=ExternalTransferInputSerializer, responses={201: BranchTransferOutputSerializer})
    def post(self, request: Request) -> Response:
        data = ExternalTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = twophase.branch_transfer_create(
            source=_account_to_debit_or_credit(request.user, data.validated_data["source_account"]),
            destination_number=data.validated_data["destination_account"],
            amount=data.validated_data["amount"],
            description=data.validated_data["description"],
            initiated_by=request.user,
        )
        return Response(BranchTransferOutputSerializer(record).data, status=status.HTTP_201_CREATED)


# --- Node to node (HMAC-signed; see signing.py) ------------------------------------------------


class NodeApi(APIView):
    authentication_classes = [NodeSignatureAuthentication]
    permission_classes = [IsPeerNode]
    schema = None  # internal to the bank's nodes: not in the public API schema


class TwoPhasePrepareApi(NodeApi):
    class TwoPhasePrepareInputSerializer(StrictSerializer):
        gid = serializers.CharField(max_length=100)
        destination_account = AccountNumberField()
        source_account = serializers.CharField(max_length=16)
        amount = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
        currency = serializers.CharField(max_length=3)
        description = serializers.CharField(max_length=140, allow_blank=True)

    def post(self, request: Request) -> Response:
        data = self.TwoPhasePrepareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = twophase.participant_prepare(
            gid=data.validated_data["gid"],
            coordinator=request.user.code,
            destination_number=data.validated_data["destination_account"],
            amount=data.validated_data["amount"],
            currency=data.validated_data["currency"],
            description=data.validated_data["description"],
        )
        return Response(vote)


class TwoPhaseGidInputSerializer(StrictSerializer):
    gid = serializers.CharField(max_length=100)


class TwoPhaseFinishApi(NodeApi):
    commit: bool

    def post(self, request: Request) -> Response:
        data = TwoPhaseGidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(twophase.participant_finish(gid=data.validated_data["gid"], commit=self.commit))


class TwoPhaseCommitApi(TwoPhaseFinishApi):
    commit = True


class TwoPhaseAbortApi(TwoPhaseFinishApi):
    commit = False


class TwoPhaseDecisionApi(NodeApi):
    def post(self, request: Request) -> Response:
        data = TwoPhaseGidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"decision": twophase.decision_for(gid=data.validated_data["gid"])})
