from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import AuditChainHead, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_repr", "action", "object_type", "object_id", "object_repr", "ip"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["=seq", "actor_repr", "action", "object_id", "object_repr", "request_id", "=ip"]
    date_hierarchy = "created_at"
    ordering = ["-seq"]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["seq", "last_hash"]
