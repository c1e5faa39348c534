from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import AuditChainHead, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "lane", "seq", "created_at", "actor_repr", "action", "object_type", "object_id", "object_repr", "ip",
    ]  # fmt: skip
    list_filter = ["lane", "action", "object_type", "created_at"]
    search_fields = ["=id", "actor_repr", "action", "object_id", "object_repr", "request_id", "=ip"]
    date_hierarchy = "created_at"
    ordering = ["-id"]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["id", "seq", "last_hash"]
