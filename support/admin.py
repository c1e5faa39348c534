from django.contrib import admin, messages

from bankingsystem.errors import ApplicationError

from . import services
from .models import Announcement, AnnouncementRead, Ticket, TicketMessage


class TicketMessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    can_delete = False
    fields = ["author", "from_staff", "body", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Staff work tickets here: the status and assignee go through the services (audited,
    timestamps kept); replies are written with the "staff reply" field."""

    list_display = ["id", "subject", "customer", "category", "status", "assigned_to", "created_at", "first_response_at"]
    list_filter = ["status", "category", "assigned_to"]
    search_fields = ["=id", "subject", "customer__user__username"]
    list_select_related = ["customer__user", "assigned_to"]
    readonly_fields = ["customer", "category", "subject", "created_at", "first_response_at", "resolved_at", "closed_at"]
    fields = [*readonly_fields[:3], "status", "assigned_to", *readonly_fields[3:]]
    inlines = [TicketMessageInline]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        current = Ticket.objects.get(pk=obj.pk)
        try:
            if form.cleaned_data["assigned_to"] != current.assigned_to:
                services.ticket_assign(ticket=current, assignee=form.cleaned_data["assigned_to"], actor=request.user)
            if form.cleaned_data["status"] != current.status:
                services.ticket_status_set(ticket=current, status=form.cleaned_data["status"], actor=request.user)
        except ApplicationError as error:
            self.message_user(request, error.detail, messages.ERROR)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "severity", "audience", "starts_at", "ends_at", "created_by"]
    list_filter = ["severity", "audience", "starts_at"]
    search_fields = ["title", "body"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change:
            super().save_model(request, obj, form, change)
            return
        published = services.announcement_publish(
            title=obj.title, body=obj.body, severity=obj.severity, audience=obj.audience, starts_at=obj.starts_at,
            ends_at=obj.ends_at, actor=request.user,
        )  # fmt: skip
        obj.pk = published.pk


@admin.register(AnnouncementRead)
class AnnouncementReadAdmin(admin.ModelAdmin):
    list_display = ["announcement", "user", "read_at"]
    search_fields = ["user__username", "announcement__title"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
