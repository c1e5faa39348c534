from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ArchivedEntryTotal, Entry, IdempotencyKey, Journal


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ["account", "amount", "balance_after", "created_at"]
    readonly_fields = fields


@admin.register(Journal)
class JournalAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "description", "initiated_by", "created_at", "reversal_of"]
    list_filter = ["kind", "created_at"]
    search_fields = ["reference", "description", "entries__account__number"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "journal", "account", "amount", "balance_after", "created_at"]
    list_filter = ["journal__kind", "created_at"]
    search_fields = ["account__number", "journal__reference"]
    list_select_related = ["journal", "account"]
    date_hierarchy = "created_at"


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["user", "key", "response_status", "created_at"]
    search_fields = ["key", "user__username"]
    list_filter = ["response_status", "created_at"]


@admin.register(ArchivedEntryTotal)
class ArchivedEntryTotalAdmin(ReadOnlyAdmin):
    list_display = ["month", "partition", "account", "amount", "entries", "archived_at"]
    list_filter = ["month"]
    search_fields = ["account__number", "partition"]
