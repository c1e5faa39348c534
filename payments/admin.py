from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Beneficiary, StandingOrder, StandingOrderRun


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdmin):
    list_display = ["name", "owner", "account_number", "routing_code", "is_own_bank", "status", "cooling_off_until"]
    list_filter = ["status", "is_own_bank"]
    search_fields = ["name", "account_number", "owner__user__username"]
    list_select_related = ["owner__user"]


class StandingOrderRunInline(ReadOnlyInline):
    model = StandingOrderRun
    fields = ["due_date", "status", "attempts", "journal", "failure_code", "failure_detail"]
    readonly_fields = fields


@admin.register(StandingOrder)
class StandingOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "owner", "source", "destination", "amount", "frequency", "next_due_date", "status"]
    list_filter = ["status", "frequency"]
    search_fields = ["source__number", "destination__number", "owner__user__username"]
    list_select_related = ["owner__user", "source", "destination"]
    inlines = [StandingOrderRunInline]


@admin.register(StandingOrderRun)
class StandingOrderRunAdmin(ReadOnlyAdmin):
    list_display = ["standing_order", "due_date", "status", "attempts", "journal", "failure_code"]
    list_filter = ["status", "due_date"]
    search_fields = ["standing_order__source__number", "failure_code"]
