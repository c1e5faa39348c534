from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.serializers import StrictSerializer

from . import services
from .models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at"]


class NotificationListApi(generics.ListAPIView):
    """The caller's notification centre, newest first (`?unread=true` for unread only)."""

    serializer_class = NotificationOutputSerializer
    filterset_fields = {"kind": ["exact"], "read_at": ["isnull"]}

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Notification.objects.filter(user=self.request.user, in_app=True).order_by("-pk")


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationOutputSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        notification = Notification.objects.filter(pk=notification_id, user=request.user, in_app=True).first()
        if notification is None:
            raise Http404("No such notification.")
        return Response(NotificationOutputSerializer(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.notifications_mark_all_read(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelsSerializer(StrictSerializer):
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class NotificationPreferencesApi(APIView):
    """Per kind: show it in the app, email it, or both."""

    class NotificationPreferencesInputSerializer(StrictSerializer):
        preferences = serializers.DictField(child=ChannelsSerializer())

        def validate_preferences(self, value: dict) -> dict:
            unknown = sorted(set(value) - set(Notification.Kind.values))
            if unknown:
                raise serializers.ValidationError(f"Unknown kinds: {', '.join(unknown)}.")
            return value

    def _current(self, request: Request) -> dict:
        kinds = set(Notification.Kind.values)
        chosen = services.preferences_for(user_ids={request.user.pk}, kinds=kinds)
        return {
            "preferences": {
                kind: {"in_app": chosen[(request.user.pk, kind)].in_app, "email": chosen[(request.user.pk, kind)].email}
                for kind in sorted(kinds)
            }
        }

    @extend_schema(responses=NotificationPreferencesInputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._current(request))

    @extend_schema(request=NotificationPreferencesInputSerializer, responses=NotificationPreferencesInputSerializer)
    def put(self, request: Request) -> Response:
        data = self.NotificationPreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notification_preferences_set(user=request.user, preferences=data.validated_data["preferences"])
        return Response(self._current(request))
