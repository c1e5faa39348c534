"""Staff review of fraud alerts: list, and release / reject (held) or dismiss / confirm (posted)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import StrictSerializer
from customers.permissions import IsAuditor, IsStaffMember, IsTeller

from . import services
from .analytics import spending_for
from .auditor_query import auditor_query
from .models import FraudAlert


class FraudAlertOutputSerializer(serializers.ModelSerializer):
    source_account = serializers.CharField(source="source.number")
    destination_account = serializers.CharField(source="destination.number", allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    held = serializers.SerializerMethodField()
    journal_reference = serializers.CharField(source="journal.reference", allow_null=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)

    class Meta:
        model = FraudAlert
        fields = ["id", "source_account", "destination_account", "amount", "score", "verdict", "model_version",
                  "features", "held", "journal_reference", "status", "reviewed_by", "reviewed_at", "note",
                  "created_at"]  # fmt: skip

    def get_held(self, alert: FraudAlert) -> bool:
        return alert.hold_id is not None and alert.status == FraudAlert.Status.OPEN


class FraudAlertListApi(generics.ListAPIView):
    """Fraud alerts, newest first (staff); `?status=open` for the review queue."""

    permission_classes = [IsStaffMember]
    serializer_class = FraudAlertOutputSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        alerts = FraudAlert.objects.select_related("source", "destination", "journal", "reviewed_by")
        wanted = self.request.query_params.get("status")
        return alerts.filter(status=wanted) if wanted in FraudAlert.Status.values else alerts


class FraudAlertActionApi(APIView):
    """Review an alert (tellers and administrators). Held transfers: `release` posts it,
    `reject` voids the hold. Posted ones: `dismiss` or `confirm`."""

    permission_classes = [IsTeller]
    ACTIONS = {
        "release": services.alert_release,
        "reject": services.alert_reject,
        "dismiss": services.alert_dismiss,
        "confirm": services.alert_confirm,
    }

    class ReviewInputSerializer(StrictSerializer):
        note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(
        request=ReviewInputSerializer,
        responses=FraudAlertOutputSerializer,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS))],
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in self.ACTIONS:
            raise Http404("No such review action: release, reject, dismiss or confirm.")
        alert = get_object_or_404(FraudAlert, pk=pk)
        data = self.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reviewed = self.ACTIONS[action](alert=alert, actor=request.user, note=data.validated_data["note"])
        return Response(FraudAlertOutputSerializer(reviewed).data)


class SpendingOutputSerializer(serializers.Serializer):
    class MonthSerializer(serializers.Serializer):
        month = serializers.CharField(help_text="YYYY-MM, the bank's local calendar month")
        income = serializers.DecimalField(max_digits=18, decimal_places=2)
        expenses = serializers.DecimalField(max_digits=18, decimal_places=2)
        net = serializers.DecimalField(max_digits=18, decimal_places=2)

    class CategorySerializer(serializers.Serializer):
        category = serializers.CharField()
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)

    class ForecastSerializer(serializers.Serializer):
        spent_so_far = serializers.DecimalField(max_digits=18, decimal_places=2)
        daily_average = serializers.DecimalField(max_digits=18, decimal_places=2)
        days_left = serializers.IntegerField()
        projected_month_expenses = serializers.DecimalField(max_digits=18, decimal_places=2)
        method = serializers.CharField()

    class AlertSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        amount = serializers.DecimalField(max_digits=18, decimal_places=2)
        verdict = serializers.CharField()
        status = serializers.CharField()
        held = serializers.BooleanField()

    currency = serializers.CharField()
    months = MonthSerializer(many=True)
    categories = CategorySerializer(many=True)
    forecast = ForecastSerializer()
    alerts = AlertSerializer(many=True)


class SpendingApi(APIView):
    """The signed-in customer's income and expenses by month, this month's categories and
    forecast, and the fraud alerts on their accounts (`?months=1..24`, default 6)."""

    @extend_schema(
        parameters=[OpenApiParameter("months", int, OpenApiParameter.QUERY, required=False)],
        responses=SpendingOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        try:
            months = int(request.query_params.get("months", 6))
        except ValueError:
            months = 0
        if not 1 <= months <= 24:
            raise ApplicationError("invalid_months", "months must be a whole number from 1 to 24.", status=400,
                                   field="months")  # fmt: skip
        return Response(SpendingOutputSerializer(spending_for(user=request.user, months=months)).data)


class AuditorQueryApi(APIView):
    """Auditors ask a supported question in words, or send a SELECT over the auditor views
    (risk/auditor_query.py lists both); anything else is refused with 400."""

    permission_classes = [IsAuditor]

    class QueryInputSerializer(StrictSerializer):
        question = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
        sql = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)

    class QueryOutputSerializer(serializers.Serializer):
        sql = serializers.CharField()
        columns = serializers.ListField(child=serializers.CharField())
        rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField(allow_null=True)))

    @extend_schema(request=QueryInputSerializer, responses=QueryOutputSerializer)
    def post(self, request: Request) -> Response:
        data = self.QueryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question, sql = data.validated_data["question"], data.validated_data["sql"]
        if bool(question.strip()) == bool(sql.strip()):
            raise ApplicationError("query_required", "Send either a question or a SELECT as sql.", status=400)
        result = auditor_query(question=question, sql=sql)
        return Response(self.QueryOutputSerializer(result).data)
