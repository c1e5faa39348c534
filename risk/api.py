"""Staff review of fraud alerts: list, and release / reject (held) or dismiss / confirm (posted)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.serializers import StrictSerializer
from customers.permissions import IsStaffMember, IsTeller

from . import services
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
