from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account
from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import AccountNumberField, MoneyField, StrictSerializer
from customers import roles
from customers.models import Customer
from transactions.api import IDEMPOTENCY_PARAMETER
from transactions.idempotency import idempotent

from . import selectors, services
from .ml import features
from .models import Instalment, Loan, LoanDecision, LoanProduct, Repayment


class IsLoanOfficer(BasePermission):
    message = "Only loan officers and administrators may do this."

    def has_permission(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        return roles.has_role(request.user, roles.LOAN_OFFICER, roles.ADMIN)


# --- Output -------------------------------------------------------------------------------


class LoanProductOutputSerializer(serializers.ModelSerializer):
    min_amount = MoneyField()
    max_amount = MoneyField()
    late_fee = MoneyField()

    class Meta:
        model = LoanProduct
        fields = [
            "code",
            "name",
            "kind",
            "currency",
            "annual_rate",
            "min_term_months",
            "max_term_months",
            "min_amount",
            "max_amount",
            "amortization",
            "late_fee",
            "grace_days",
        ]


class RiskOutputSerializer(serializers.Serializer):
    probability = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="Probability of default")
    band = serializers.ChoiceField(choices=Loan.RiskBand.choices)
    advice = serializers.ChoiceField(choices=["approve", "review", "decline"], help_text="Advice only: people decide")
    threshold = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="Cost-minimising cut-off")
    model_version = serializers.CharField()


class LoanDecisionOutputSerializer(serializers.ModelSerializer):
    officer = serializers.CharField(source="officer.get_username")

    class Meta:
        model = LoanDecision
        fields = ["officer", "outcome", "reason", "created_at"]


class LoanOutputSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.code")
    account = serializers.CharField(source="account.number")
    customer = serializers.CharField(source="customer.user.username")
    amount = MoneyField()
    emi = MoneyField(allow_null=True)
    principal_outstanding = MoneyField()
    risk = serializers.SerializerMethodField()
    decisions = LoanDecisionOutputSerializer(many=True, read_only=True)
    approvals_missing = serializers.SerializerMethodField()
    payoff_amount = serializers.SerializerMethodField()

    class Meta:
        model = Loan
        fields = [
            "id",
            "customer",
            "product",
            "account",
            "amount",
            "currency",
            "term_months",
            "annual_rate",
            "amortization",
            "purpose",
            "status",
            "risk",
            "approvals_required",
            "approvals_missing",
            "decisions",
            "disbursed_at",
            "emi",
            "principal_outstanding",
            "payoff_amount",
            "days_past_due",
            "bucket",
            "closed_at",
            "created_at",
        ]

    @extend_schema_field(RiskOutputSerializer)
    def get_risk(self, loan: Loan) -> dict[str, Any]:
        risk = {
            "probability": loan.risk_probability,
            "band": loan.risk_band,
            "advice": loan.risk_advice,
            "threshold": loan.risk_threshold,
            "model_version": loan.model_version,
        }
        return RiskOutputSerializer(risk).data

    def get_approvals_missing(self, loan: Loan) -> int:
        return selectors.loan_approvals_missing(loan=loan)

    @extend_schema_field(MoneyField(allow_null=True, help_text="To close the loan today (disbursed loans)"))
    def get_payoff_amount(self, loan: Loan) -> str | None:
        if loan.status != Loan.Status.DISBURSED:
            return None
        return f"{services.loan_payoff_amount(loan=loan):.2f}"


class InstalmentOutputSerializer(serializers.ModelSerializer):
    principal = MoneyField()
    interest = MoneyField()
    fee = MoneyField()
    amount_due = MoneyField()
    amount_unpaid = MoneyField()
    outstanding = MoneyField()
    paid_principal = MoneyField()
    paid_interest = MoneyField()
    paid_fee = MoneyField()

    class Meta:
        model = Instalment
        fields = [
            "number",
            "due_date",
            "principal",
            "interest",
            "fee",
            "amount_due",
            "outstanding",
            "paid_principal",
            "paid_interest",
            "paid_fee",
            "amount_unpaid",
            "paid_on",
        ]


class RepaymentOutputSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="journal.reference")
    transaction = serializers.IntegerField(source="journal_id")
    amount = MoneyField()
    fee_part = MoneyField()
    interest_part = MoneyField()
    principal_part = MoneyField()
    prepaid_principal = MoneyField()

    class Meta:
        model = Repayment
        fields = [
            "id",
            "reference",
            "transaction",
            "amount",
            "fee_part",
            "interest_part",
            "principal_part",
            "prepaid_principal",
            "source",
            "created_at",
        ]


class PredictionOutputSerializer(RiskOutputSerializer):
    first_instalment = MoneyField()
    features = serializers.DictField(help_text="The German Credit feature vector the model scored")


# --- Input --------------------------------------------------------------------------------


def _choice(mapping: dict[str, str]) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=list(mapping))


class LoanPredictInputSerializer(StrictSerializer):
    """The loan asked for and the applicant's attributes (all required: the model needs each;
    null where the field allows it means "none")."""

    product = serializers.SlugField(help_text="Loan product code")
    amount = MoneyField()
    term_months = serializers.IntegerField(min_value=1, max_value=600)
    purpose = serializers.ChoiceField(choices=Loan.Purpose.choices)
    checking_balance = MoneyField(allow_null=True, help_text="Current-account balance; null if none")
    savings_balance = MoneyField(allow_null=True, help_text="Savings and bonds; null if none or unknown")
    employment_years = serializers.IntegerField(
        min_value=0, max_value=80, allow_null=True, help_text="Null if unemployed"
    )
    monthly_income = MoneyField(help_text="Net monthly income")
    credit_history = _choice(features.CREDIT_HISTORY)
    other_debtors = _choice(features.OTHER_DEBTORS)
    residence_years = serializers.IntegerField(min_value=0, max_value=100)
    property = _choice(features.PROPERTY)
    age = serializers.IntegerField(min_value=18, max_value=120)
    other_installment_plans = _choice(features.OTHER_INSTALLMENT_PLANS)
    housing = _choice(features.HOUSING)
    existing_credits = serializers.IntegerField(min_value=0, max_value=50)
    job = _choice(features.JOB)
    dependants = serializers.IntegerField(min_value=0, max_value=30)
    has_telephone = serializers.BooleanField()

    def validate_monthly_income(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError("The monthly income must be greater than zero.")
        return value

    def validate_savings_balance(self, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise serializers.ValidationError("Savings cannot be negative.")
        return value


class LoanApplyInputSerializer(LoanPredictInputSerializer):
    account = AccountNumberField(help_text="Your account the loan is paid into and repaid from")


def _product(code: str) -> LoanProduct:
    product = selectors.loan_product_get(code=code)
    if product is None:
        raise ApplicationError("product_not_found", f"No loan product {code!r}.", status=400, field="product")
    return product


def _terms(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "product": _product(data["product"]),
        "amount": data["amount"],
        "term_months": data["term_months"],
        "purpose": data["purpose"],
        "applicant": {name: data[name] for name in features.APPLICANT_FIELDS},
    }


# --- Views --------------------------------------------------------------------------------


class LoanProductListApi(generics.ListAPIView):
    """Loan products on offer (edited by staff in the admin)."""

    serializer_class = LoanProductOutputSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[LoanProduct]:
        return selectors.loan_product_list()


class LoanPredictApi(APIView):
    @extend_schema(request=LoanPredictInputSerializer, responses={200: PredictionOutputSerializer})
    def post(self, request: Request) -> Response:
        """Score a hypothetical application; nothing is created."""
        data = LoanPredictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terms = _terms(data.validated_data)
        risk = services.loan_score(**terms)
        first = services.loan_first_instalment(
            product=terms["product"], amount=terms["amount"], term_months=terms["term_months"]
        )
        body = {
            "probability": risk.probability,
            "band": risk.band,
            "advice": risk.advice,
            "threshold": risk.threshold,
            "model_version": risk.model_version,
            "first_instalment": first,
            "features": risk.features,
        }
        return Response(PredictionOutputSerializer(body).data)


def _customer_of(user: AbstractBaseUser) -> Customer:
    customer = Customer.objects.filter(user=user).first()
    if customer is None or roles.is_staff_member(user):
        raise ApplicationError("customers_only", "Only customers apply for loans.", status=403)
    return customer


class LoanListCreateApi(generics.ListAPIView):
    """The caller's loans (every loan for staff), newest first; POST applies for one."""

    serializer_class = LoanOutputSerializer
    filterset_fields = ["status", "bucket"]

    def get_queryset(self) -> QuerySet[Loan]:
        return selectors.loan_list_for(user=self.request.user).prefetch_related("decisions__officer")

    @extend_schema(request=LoanApplyInputSerializer, responses={201: LoanOutputSerializer})
    def post(self, request: Request) -> Response:
        customer = _customer_of(request.user)
        data = LoanApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = Account.objects.filter(
            number=data.validated_data["account"], owner=customer, kind=Account.Kind.CUSTOMER
        ).first()
        if account is None:
            raise ApplicationError("account_not_found", "No such account of yours.", status=400, field="account")
        loan = services.loan_apply(customer=customer, account=account, **_terms(data.validated_data))
        return Response(LoanOutputSerializer(loan).data, status=status.HTTP_201_CREATED)


class LoanDetailApi(APIView):
    @extend_schema(responses=LoanOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(LoanOutputSerializer(selectors.loan_get_for(user=request.user, loan_id=pk)).data)


class LoanScheduleApi(generics.ListAPIView):
    """The repayment schedule: instalment number, due date, principal, interest, fee, outstanding."""

    serializer_class = InstalmentOutputSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Instalment]:
        if getattr(self, "swagger_fake_view", False):
            return Instalment.objects.none()
        return selectors.loan_schedule(loan=selectors.loan_get_for(user=self.request.user, loan_id=self.kwargs["pk"]))


def _loan_to_pay(user: AbstractBaseUser, loan_id: int) -> Loan:
    """The customer pays their own loans; tellers and administrators take payments for any."""
    loan = selectors.loan_get_for(user=user, loan_id=loan_id)
    if roles.is_staff_member(user) and not roles.has_role(user, roles.TELLER, roles.ADMIN):
        raise ApplicationError("permission_denied", "Only tellers and administrators take repayments.", status=403)
    return loan


class LoanRepaymentListCreateApi(generics.ListAPIView):
    """The loan's payment table, newest first; POST repays from the loan's account."""

    serializer_class = RepaymentOutputSerializer

    class LoanRepayInputSerializer(StrictSerializer):
        amount = MoneyField()

    def get_queryset(self) -> QuerySet[Repayment]:
        if getattr(self, "swagger_fake_view", False):
            return Repayment.objects.none()
        return selectors.loan_repayments(loan=selectors.loan_get_for(user=self.request.user, loan_id=self.kwargs["pk"]))

    @extend_schema(
        request=LoanRepayInputSerializer, responses={201: RepaymentOutputSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        loan = _loan_to_pay(request.user, pk)
        data = self.LoanRepayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repayment = services.loan_repay(loan=loan, amount=data.validated_data["amount"], initiated_by=request.user)
        return Response(RepaymentOutputSerializer(repayment).data, status=status.HTTP_201_CREATED)


class LoanCloseApi(APIView):
    class LoanCloseInputSerializer(StrictSerializer):
        pass

    @extend_schema(
        request=LoanCloseInputSerializer, responses={201: RepaymentOutputSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Repay everything owed today (the payoff amount) and close the loan."""
        loan = _loan_to_pay(request.user, pk)
        self.LoanCloseInputSerializer(data=request.data).is_valid(raise_exception=True)
        if loan.status != Loan.Status.DISBURSED:
            raise ApplicationError("loan_not_active", f"This loan is {loan.status}.", status=409)
        repayment = services.loan_repay(
            loan=loan, amount=services.loan_payoff_amount(loan=loan), initiated_by=request.user
        )
        return Response(RepaymentOutputSerializer(repayment).data, status=status.HTTP_201_CREATED)


class LoanDecisionApi(APIView):
    permission_classes = [IsLoanOfficer]

    class LoanDecisionInputSerializer(StrictSerializer):
        outcome = serializers.ChoiceField(choices=LoanDecision.Outcome.choices)
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=LoanDecisionInputSerializer, responses={200: LoanOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Approve or reject with a reason (loan officers; two officers at or above the maker-checker amount)."""
        data = self.LoanDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loan = services.loan_decide(
            loan=selectors.loan_get_for(user=request.user, loan_id=pk), officer=request.user, **data.validated_data
        )
        return Response(LoanOutputSerializer(loan).data)


class LoanDisburseApi(APIView):
    permission_classes = [IsLoanOfficer]

    class LoanDisburseInputSerializer(StrictSerializer):
        pass

    @extend_schema(
        request=LoanDisburseInputSerializer, responses={200: LoanOutputSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Pay an approved loan into the customer's account and generate its schedule."""
        self.LoanDisburseInputSerializer(data=request.data).is_valid(raise_exception=True)
        loan = services.loan_disburse(
            loan=selectors.loan_get_for(user=request.user, loan_id=pk), initiated_by=request.user
        )
        return Response(LoanOutputSerializer(loan).data)
