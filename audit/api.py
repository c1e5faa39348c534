from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.pagination import NewestFirstCursorPagination
from customers.permissions import IsAuditor

from .models import AuditEvent
from .selectors import audit_chain_verify, audit_event_list


class AuditEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_repr")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "lane",
            "seq",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "ip",
            "request_id",
            "prev_hash",
            "hash",
        ]


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_repr")
    action = django_filters.CharFilter()
    action_prefix = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


class AuditPagination(NewestFirstCursorPagination):
    ordering = "-id"


class AuditEventListApi(generics.ListAPIView):
    """The audit trail, newest first (auditors and administrators; read-only)."""

    permission_classes = [IsAuditor]
    serializer_class = AuditEventOutputSerializer
    filterset_class = AuditEventFilter
    pagination_class = AuditPagination

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return audit_event_list()


class LaneHeadSerializer(serializers.Serializer):
    lane = serializers.IntegerField()
    seq = serializers.IntegerField()
    hash = serializers.CharField()


class AuditChainReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    heads = LaneHeadSerializer(many=True, help_text="Each lane's chain head: its last seq and hash")
    checked_at = serializers.DateTimeField()
    first_bad_lane = serializers.IntegerField(allow_null=True)
    first_bad_seq = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)


class AuditVerifyApi(APIView):
    permission_classes = [IsAuditor]

    @extend_schema(responses=AuditChainReportSerializer)
    def get(self, request: Request) -> Response:
        """Recompute every lane's hash chain; points at the first altered, missing or reordered event."""
        return Response(AuditChainReportSerializer(audit_chain_verify().as_dict()).data)
