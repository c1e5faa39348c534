from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.errors import ApplicationError
from bankingsystem.pagination import OldestFirstCursorPagination
from bankingsystem.serializers import MoneyField, StrictSerializer
from customers import roles
from customers.models import Customer
from customers.permissions import IsStaffMember, IsTeller

from .models import Account, AccountChange, AccountType, Branch, ClosedAccount
from .selectors import account_changes_for, account_get_for, account_list_for, closed_account_list
from .services import (
    account_close,
    account_freeze,
    account_open,
    account_reactivate,
    account_unfreeze,
    account_update,
)


class BranchOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["code", "name", "routing_code"]


class AccountTypeOutputSerializer(serializers.ModelSerializer):
    minimum_balance = MoneyField()
    overdraft_limit = MoneyField()
    per_transaction_limit = MoneyField()
    daily_debit_limit = MoneyField()

    class Meta:
        model = AccountType
        fields = [
            "code",
            "name",
            "currency",
            "minimum_balance",
            "overdraft_limit",
            "interest_rate",
            "per_transaction_limit",
            "daily_debit_limit",
        ]


class AccountOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.user.username", read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    branch = BranchOutputSerializer()
    account_type = AccountTypeOutputSerializer()
    balance = MoneyField()
    available_balance = MoneyField()
    overdraft_limit = MoneyField()

    class Meta:
        model = Account
        fields = [
            "number",
            "routing_code",
            "nickname",
            "owner",
            "owner_name",
            "branch",
            "account_type",
            "currency",
            "status",
            "balance",
            "available_balance",
            "overdraft_limit",
            "opened_at",
            "closed_at",
            "last_activity_at",
            "freeze_source",
        ]


class AccountListCreateApi(generics.ListAPIView):
    """The caller's accounts (all customers' accounts for staff); POST opens a new one."""

    serializer_class = AccountOutputSerializer
    pagination_class = OldestFirstCursorPagination
    filterset_fields = {"status": ["exact"], "currency": ["exact"], "owner__user__username": ["exact"]}

    class AccountOpenInputSerializer(StrictSerializer):
        account_type = serializers.SlugRelatedField(slug_field="code", queryset=AccountType.objects.all())
        branch = serializers.SlugRelatedField(slug_field="code", queryset=Branch.objects.all())
        nickname = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
        customer = serializers.CharField(
            required=False, help_text="Username of the customer (staff only; customers open for themselves)"
        )

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return account_list_for(user=self.request.user).order_by("pk")

    @extend_schema(request=AccountOpenInputSerializer, responses={201: AccountOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.AccountOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = self._owner(request, data.validated_data.get("customer"))
        account = account_open(
            owner=owner,
            account_type=data.validated_data["account_type"],
            branch=data.validated_data["branch"],
            nickname=data.validated_data["nickname"],
            opened_by=request.user,
        )
        return Response(AccountOutputSerializer(account).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _owner(request: Request, username: str | None) -> Customer:
        if username is not None:
            if not roles.has_role(request.user, roles.TELLER, roles.ADMIN):
                raise ApplicationError(
                    "permission_denied",
                    "Only tellers and administrators open accounts for other customers.",
                    status=status.HTTP_403_FORBIDDEN,
                    field="customer",
                )
            return get_object_or_404(Customer, user__username=username)
        customer = Customer.objects.filter(user=request.user).first()
        if customer is None:
            raise ApplicationError(
                "customer_required",
                "Staff open accounts on behalf of a customer: name them in `customer`.",
                status=status.HTTP_400_BAD_REQUEST,
                field="customer",
            )
        return customer


class AccountDetailApi(APIView):
    class AccountUpdateInputSerializer(StrictSerializer):
        nickname = serializers.CharField(max_length=60, required=False, allow_blank=True)
        overdraft_limit = MoneyField(required=False, help_text="Tellers and administrators only")
        reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)

    @extend_schema(responses=AccountOutputSerializer)
    def get(self, request: Request, number: str) -> Response:
        return Response(AccountOutputSerializer(account_get_for(user=request.user, number=number)).data)

    @extend_schema(request=AccountUpdateInputSerializer, responses=AccountOutputSerializer)
    def patch(self, request: Request, number: str) -> Response:
        """Change the nickname (owner, staff) or the overdraft limit (tellers, administrators)."""
        account = _account_to_manage(request, number)
        data = self.AccountUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_update(account=account, actor=request.user, **data.validated_data)
        return Response(AccountOutputSerializer(account_get_for(user=request.user, number=account.number)).data)


def _account_to_manage(request: Request, number: str) -> Account:
    """An account the caller may change: their own, or any customer's for tellers and
    administrators. Auditors and loan officers only read."""
    account = account_get_for(user=request.user, number=number)
    if roles.is_staff_member(request.user) and not roles.has_role(request.user, roles.TELLER, roles.ADMIN):
        raise ApplicationError("permission_denied", "Only tellers and administrators change accounts.", status=403)
    return account


class AccountReasonInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)


class AccountCloseInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=255)


@extend_schema(request=AccountReasonInputSerializer, responses=AccountOutputSerializer)
class AccountFreezeApi(APIView):
    """Freeze: no money leaves the account. Customers freeze their own; a bank freeze only the bank lifts."""

    def post(self, request: Request, number: str) -> Response:
        account = _account_to_manage(request, number)
        data = AccountReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_freeze(account=account, actor=request.user, **data.validated_data)
        return Response(AccountOutputSerializer(account).data)


@extend_schema(request=AccountReasonInputSerializer, responses=AccountOutputSerializer)
class AccountUnfreezeApi(APIView):
    def post(self, request: Request, number: str) -> Response:
        account = _account_to_manage(request, number)
        data = AccountReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_unfreeze(account=account, actor=request.user, **data.validated_data)
        return Response(AccountOutputSerializer(account).data)


@extend_schema(request=AccountReasonInputSerializer, responses=AccountOutputSerializer)
class AccountReactivateApi(APIView):
    """Bring a dormant account back (tellers and administrators)."""

    permission_classes = [IsTeller]

    def post(self, request: Request, number: str) -> Response:
        data = AccountReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_reactivate(
            account=account_get_for(user=request.user, number=number), actor=request.user, **data.validated_data
        )
        return Response(AccountOutputSerializer(account).data)


class ClosedAccountOutputSerializer(serializers.ModelSerializer):
    closed_by = serializers.CharField(source="closed_by.username")
    final_balance = MoneyField()

    class Meta:
        model = ClosedAccount
        fields = [
            "number",
            "owner_username",
            "owner_name",
            "account_type",
            "branch_code",
            "currency",
            "opened_at",
            "closed_at",
            "closed_by",
            "reason",
            "final_balance",
        ]


@extend_schema(request=AccountCloseInputSerializer, responses={201: ClosedAccountOutputSerializer})
class AccountCloseApi(APIView):
    """Close an account with a zero balance and nothing on hold; it is archived with the reason."""

    def post(self, request: Request, number: str) -> Response:
        account = _account_to_manage(request, number)
        data = AccountCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closure = account_close(account=account, actor=request.user, reason=data.validated_data["reason"])
        return Response(ClosedAccountOutputSerializer(closure).data, status=status.HTTP_201_CREATED)


class AccountChangeOutputSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)

    class Meta:
        model = AccountChange
        fields = ["id", "action", "field", "old_value", "new_value", "reason", "changed_by", "changed_at"]


class AccountHistoryApi(generics.ListAPIView):
    """Every change to the account's details, field by field, newest first."""

    serializer_class = AccountChangeOutputSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return AccountChange.objects.none()
        return account_changes_for(account=account_get_for(user=self.request.user, number=self.kwargs["number"]))


class ClosedAccountListApi(generics.ListAPIView):
    """The closed-account archive (bank staff)."""

    permission_classes = [IsStaffMember]
    serializer_class = ClosedAccountOutputSerializer
    filterset_fields = {"owner_username": ["exact"], "branch_code": ["exact"], "closed_at": ["date__gte", "date__lte"]}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return closed_account_list()


class AccountTypeListApi(generics.ListAPIView):
    """Products a customer can open, and the branches they can open them at."""

    serializer_class = AccountTypeOutputSerializer
    queryset = AccountType.objects.filter(is_active=True).order_by("code")
    pagination_class = None


class BranchListApi(generics.ListAPIView):
    serializer_class = BranchOutputSerializer
    queryset = Branch.objects.exclude(code="0000").order_by("code")
    pagination_class = None
