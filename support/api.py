from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bankingsystem.errors import ApplicationError
from bankingsystem.serializers import StrictSerializer
from customers import roles
from customers.models import Customer
from customers.permissions import IsTeller

from . import services
from .models import Announcement, Ticket, TicketMessage
from .selectors import announcement_active_for, announcement_get_for, ticket_get_for, ticket_list_for


class TicketMessageOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = TicketMessage
        fields = ["id", "author", "from_staff", "body", "created_at"]


class TicketOutputSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.user.username")
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True, default=None)
    response_time_seconds = serializers.SerializerMethodField()
    resolution_time_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "customer",
            "category",
            "subject",
            "status",
            "assigned_to",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_time_seconds",
            "resolution_time_seconds",
        ]

    def get_response_time_seconds(self, ticket: Ticket) -> int | None:
        return int(ticket.response_time.total_seconds()) if ticket.response_time else None

    def get_resolution_time_seconds(self, ticket: Ticket) -> int | None:
        return int(ticket.resolution_time.total_seconds()) if ticket.resolution_time else None


class TicketDetailOutputSerializer(TicketOutputSerializer):
    messages = TicketMessageOutputSerializer(many=True, read_only=True)

    class Meta(TicketOutputSerializer.Meta):
        fields = [*TicketOutputSerializer.Meta.fields, "messages"]


def _refuse_readers(request: Request) -> None:
    if roles.is_staff_member(request.user) and not roles.has_role(request.user, roles.TELLER, roles.ADMIN):
        raise ApplicationError("permission_denied", "Only tellers and administrators work tickets.", status=403)


class TicketListCreateApi(generics.ListAPIView):
    """The caller's tickets (the whole queue for staff). Customers open them."""

    serializer_class = TicketOutputSerializer
    filterset_fields = {"status": ["exact"], "category": ["exact"], "assigned_to__username": ["exact"]}

    class TicketOpenInputSerializer(StrictSerializer):
        category = serializers.ChoiceField(choices=Ticket.Category.choices)
        subject = serializers.CharField(max_length=200)
        message = serializers.CharField(max_length=5000)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return ticket_list_for(user=self.request.user)

    @extend_schema(request=TicketOpenInputSerializer, responses={201: TicketDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        customer = Customer.objects.filter(user=request.user).first()
        if customer is None:
            raise ApplicationError("customer_required", "Tickets are opened by customers.", status=403)
        data = self.TicketOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_open(customer=customer, **data.validated_data)
        return Response(TicketDetailOutputSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailApi(APIView):
    @extend_schema(responses=TicketDetailOutputSerializer)
    def get(self, request: Request, ticket_id: int) -> Response:
        return Response(TicketDetailOutputSerializer(ticket_get_for(user=request.user, ticket_id=ticket_id)).data)


class TicketMessageApi(APIView):
    class TicketReplyInputSerializer(StrictSerializer):
        body = serializers.CharField(max_length=5000)

    @extend_schema(request=TicketReplyInputSerializer, responses={201: TicketMessageOutputSerializer})
    def post(self, request: Request, ticket_id: int) -> Response:
        """Reply in the thread (the customer, or tellers and administrators)."""
        ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
        _refuse_readers(request)
        data = self.TicketReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.ticket_reply(ticket=ticket, author=request.user, body=data.validated_data["body"])
        return Response(TicketMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class TicketAssignApi(APIView):
    permission_classes = [IsTeller]

    class TicketAssignInputSerializer(StrictSerializer):
        assignee = serializers.CharField(
            allow_null=True, help_text="Username of a teller or administrator; null to unassign"
        )

    @extend_schema(request=TicketAssignInputSerializer, responses=TicketOutputSerializer)
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
        data = self.TicketAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["assignee"]
        assignee = get_object_or_404(get_user_model(), username=username) if username else None
        return Response(
            TicketOutputSerializer(services.ticket_assign(ticket=ticket, assignee=assignee, actor=request.user)).data
        )


class TicketStatusApi(APIView):
    class TicketStatusInputSerializer(StrictSerializer):
        status = serializers.ChoiceField(choices=Ticket.Status.choices)

    @extend_schema(request=TicketStatusInputSerializer, responses=TicketOutputSerializer)
    def post(self, request: Request, ticket_id: int) -> Response:
        """Staff move a ticket through its statuses; a customer may close their own."""
        ticket = ticket_get_for(user=request.user, ticket_id=ticket_id)
        _refuse_readers(request)
        data = self.TicketStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_status_set(ticket=ticket, status=data.validated_data["status"], actor=request.user)
        return Response(TicketOutputSerializer(ticket).data)


class AnnouncementOutputSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "severity", "audience", "starts_at", "ends_at", "is_read"]


class AnnouncementListCreateApi(generics.ListAPIView):
    """Announcements active now for the caller; administrators publish them."""

    serializer_class = AnnouncementOutputSerializer

    class AnnouncementPublishInputSerializer(StrictSerializer):
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=10000)
        severity = serializers.ChoiceField(choices=Announcement.Severity.choices, default=Announcement.Severity.INFO)
        audience = serializers.ChoiceField(
            choices=Announcement.Audience.choices, default=Announcement.Audience.EVERYONE
        )
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return announcement_active_for(user=self.request.user)

    @extend_schema(request=AnnouncementPublishInputSerializer, responses={201: AnnouncementOutputSerializer})
    def post(self, request: Request) -> Response:
        if not roles.has_role(request.user, roles.ADMIN):
            raise ApplicationError("permission_denied", "Only administrators publish announcements.", status=403)
        data = self.AnnouncementPublishInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = services.announcement_publish(actor=request.user, **data.validated_data)
        return Response(AnnouncementOutputSerializer(announcement).data, status=status.HTTP_201_CREATED)


class AnnouncementReadApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, announcement_id: int) -> Response:
        """Mark an announcement read (customers)."""
        announcement = announcement_get_for(user=request.user, announcement_id=announcement_id)
        if roles.is_staff_member(request.user):
            raise ApplicationError("permission_denied", "Customers mark announcements read.", status=403)
        services.announcement_mark_read(announcement=announcement, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
