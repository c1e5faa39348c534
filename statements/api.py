from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get_for
from bankingsystem.serializers import MoneyField, StrictSerializer
from transactions.api import _statement_csv_rows, receipt_data
from transactions.models import Entry
from transactions.selectors import journal_entries_with_accounts, journal_get_for

from . import services
from .models import Statement
from .render import receipt_pdf, statement_csv, statement_pdf
from .selectors import month_parse, statement_compute

FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "pdf", "csv"], description="Default json")


class StatementOutputSerializer(serializers.Serializer):
    account = serializers.CharField()
    month = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    opening_balance = MoneyField()
    total_credits = MoneyField()
    total_debits = MoneyField()
    closing_balance = MoneyField()
    entry_count = serializers.IntegerField()
    issued = serializers.BooleanField(help_text="Kept as issued (a completed month), or computed now")


def _statement_body(account_number: str, statement: Statement) -> dict:
    return {
        "account": account_number,
        "month": f"{statement.period_start:%Y-%m}",
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "opening_balance": statement.opening_balance,
        "total_credits": statement.total_credits,
        "total_debits": statement.total_debits,
        "closing_balance": statement.closing_balance,
        "entry_count": statement.entry_count,
        "issued": statement.pk is not None,
    }


class StatementListApi(generics.ListAPIView):
    """Monthly statements issued for an account; POST issues one for a completed month."""

    serializer_class = StatementOutputSerializer

    class StatementGenerateInputSerializer(StrictSerializer):
        month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        account = account_get_for(user=self.request.user, number=self.kwargs["number"])
        return Statement.objects.filter(account=account).defer("pdf").order_by("-pk")

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        page = self.paginate_queryset(self.get_queryset())
        body = [_statement_body(kwargs["number"], s) for s in page]  # type: ignore[union-attr]
        return self.get_paginated_response(StatementOutputSerializer(body, many=True).data)

    @extend_schema(request=StatementGenerateInputSerializer, responses={201: StatementOutputSerializer})
    def post(self, request: Request, number: str) -> Response:
        account = account_get_for(user=request.user, number=number)
        data = self.StatementGenerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.statement_generate(account=account, month=data.validated_data["month"], actor=request.user)
        return Response(
            StatementOutputSerializer(_statement_body(number, statement)).data, status=status.HTTP_201_CREATED
        )


@extend_schema(
    parameters=[FORMAT_PARAMETER],
    responses={
        200: StatementOutputSerializer,
        (200, "application/pdf"): OpenApiTypes.BINARY,
        (200, "text/csv"): OpenApiTypes.STR,
    },
)
class StatementDetailApi(APIView):
    """One month: the issued statement, or (this month, or one not issued yet) computed from the ledger now."""

    def get(self, request: Request, number: str, month: str) -> HttpResponse | Response:
        account = account_get_for(user=request.user, number=number)
        start, end = month_parse(month)
        issued = Statement.objects.filter(account=account, period_start=start).first()
        wanted = request.query_params.get("format", "json")
        filename = f"statement-{number}-{month}"
        if wanted == "pdf" and issued is not None:
            return _download(bytes(issued.pdf), "application/pdf", f"{filename}.pdf")
        data = statement_compute(account=account, start=start, end=end)
        if wanted == "pdf":
            return _download(statement_pdf(data), "application/pdf", f"{filename}.pdf")
        if wanted == "csv":
            return _download(statement_csv(data).encode(), "text/csv", f"{filename}.csv")
        body = issued or Statement(
            account=account, period_start=start, period_end=end, opening_balance=data.opening_balance,
            total_credits=data.total_credits, total_debits=data.total_debits, closing_balance=data.closing_balance,
            entry_count=len(data.lines),
        )  # fmt: skip
        return Response(StatementOutputSerializer(_statement_body(number, body)).data)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
class ReceiptPdfApi(APIView):
    """A transaction's receipt as PDF."""

    def get(self, request: Request, pk: int) -> HttpResponse:
        journal = journal_get_for(user=request.user, journal_id=pk)
        receipt = receipt_data(journal, journal_entries_with_accounts(journal=journal), request.user)
        return _download(receipt_pdf(receipt), "application/pdf", f"receipt-{journal.reference}.pdf")


@extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
class ActivityExportApi(APIView):
    """Everything that moved on the caller's own accounts, as one CSV (streamed)."""

    def get(self, request: Request) -> StreamingHttpResponse:
        entries = (
            Entry.objects.filter(account__owner__user=request.user)
            .select_related("journal")
            .order_by("account_id", "pk")
        )
        response = StreamingHttpResponse(_statement_csv_rows(entries), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="activity.csv"'
        return response
