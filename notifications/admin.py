from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "title", "in_app", "email_status", "created_at", "read_at"]
    list_filter = ["kind", "email_status", "created_at"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "in_app", "email"]
    list_filter = ["kind", "in_app", "email"]
    search_fields = ["user__username"]
