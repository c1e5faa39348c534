"""What a customer (or staff) sees of an account's interest: accrued to date and posted."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get_for
from bankingsystem.serializers import MoneyField

from .conventions import parts_to_decimal
from .models import InterestPosting
from .selectors import interest_postings_of, interest_summary
from .services import bank_today

EXACT_HELP = "Exact interest to ten decimal places (decimal string); posting rounds to the minor unit."


class InterestProductOutputSerializer(serializers.Serializer):
    calculation_method = serializers.CharField()
    posting_period = serializers.CharField(help_text="Compounding and posting period")
    day_count = serializers.CharField()
    minimum_balance_for_interest = MoneyField()


class InterestSummaryOutputSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.number")
    currency = serializers.CharField(source="account.currency")
    product = InterestProductOutputSerializer(allow_null=True, help_text="Null: this account type earns no interest")
    annual_rate = serializers.DecimalField(
        source="rate.annual_rate", max_digits=7, decimal_places=4, allow_null=True, help_text="Percent, in force today"
    )
    overdraft_rate = serializers.DecimalField(
        source="rate.overdraft_rate", max_digits=7, decimal_places=4, allow_null=True
    )
    posted_through = serializers.DateField(allow_null=True)
    accrued_from = serializers.DateField(allow_null=True)
    accrued_through = serializers.DateField(allow_null=True)
    accrued_to_date = MoneyField(help_text="Accrued since the last posting plus the carried fraction, rounded")
    accrued_exact = serializers.CharField(help_text=EXACT_HELP)
    carried_forward = serializers.CharField(help_text="Fraction of a minor unit carried from the last posting")
    posted_total = MoneyField(help_text="All interest posted to this account (negative: overdraft interest paid)")


class InterestPostingOutputSerializer(serializers.ModelSerializer):
    amount = MoneyField(help_text="Positive: credited; negative: overdraft interest charged")
    average_balance = MoneyField()
    journal = serializers.CharField(source="journal.reference", allow_null=True, default=None)
    accrued = serializers.SerializerMethodField(help_text=EXACT_HELP)
    forfeited = serializers.SerializerMethodField(help_text="Credit interest not earned (average below the minimum)")
    carried_in = serializers.SerializerMethodField()
    carried_out = serializers.SerializerMethodField()

    class Meta:
        model = InterestPosting
        fields = [
            "period_start",
            "period_end",
            "days",
            "average_balance",
            "accrued",
            "forfeited",
            "carried_in",
            "amount",
            "carried_out",
            "journal",
            "created_at",
        ]

    def get_accrued(self, posting: InterestPosting) -> str:
        return str(parts_to_decimal(int(posting.credit_parts + posting.overdraft_parts)))

    def get_forfeited(self, posting: InterestPosting) -> str:
        return str(parts_to_decimal(int(posting.forfeited_parts)))

    def get_carried_in(self, posting: InterestPosting) -> str:
        return str(parts_to_decimal(int(posting.carry_in_parts)))

    def get_carried_out(self, posting: InterestPosting) -> str:
        return str(parts_to_decimal(int(posting.carry_out_parts)))


class AccountInterestApi(APIView):
    """Interest on one account: the product, the rate in force, accrued to date, posted."""

    @extend_schema(responses=InterestSummaryOutputSerializer)
    def get(self, request: Request, number: str) -> Response:
        account = account_get_for(user=request.user, number=number)
        summary = interest_summary(account=account, today=bank_today())
        return Response(InterestSummaryOutputSerializer(summary).data)


class AccountInterestPostingListApi(generics.ListAPIView):
    """Interest postings on one account, newest first."""

    serializer_class = InterestPostingOutputSerializer
    queryset = InterestPosting.objects.none()  # for the schema; the real one is per account

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return interest_postings_of(account=account_get_for(user=self.request.user, number=self.kwargs["number"]))
