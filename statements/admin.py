from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import Statement


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["account", "period_start", "opening_balance", "total_credits", "total_debits", "closing_balance"]
    list_filter = ["period_start"]
    search_fields = ["account__number"]
    exclude = ["pdf"]
