from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import Card


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    """Cards change only through their services (API); staff look them up here."""

    list_display = ["masked_number", "account", "holder", "status", "block_reason", "daily_limit", "issued_at"]
    list_filter = ["status", "block_reason"]
    search_fields = ["last4", "account__number", "holder__user__username"]
    list_select_related = ["account", "holder__user"]
    exclude = ["number_hash"]
