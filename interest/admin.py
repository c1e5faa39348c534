"""Staff: products and the rate table (admins edit), runs, totals and failures (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Max

from bankingsystem.admin import ReadOnlyAdmin, ReadOnlyInline

from .conventions import parts_to_decimal
from .models import (
    AccrualRun,
    InterestAccountState,
    InterestAccrual,
    InterestPosting,
    InterestProduct,
    InterestRate,
    PostingFailure,
    PostingRun,
)
from .services import interest_product_set, interest_rate_set


def _accrued_through():  # type: ignore[no-untyped-def]
    return AccrualRun.objects.aggregate(day=Max("day"))["day"]


@admin.register(InterestProduct)
class InterestProductAdmin(admin.ModelAdmin):
    list_display = [
        "account_type",
        "calculation_method",
        "posting_period",
        "day_count",
        "minimum_balance_for_interest",
        "is_active",
        "updated_at",
    ]
    list_filter = ["calculation_method", "posting_period", "day_count", "is_active"]
    search_fields = ["account_type__code", "account_type__name"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.pk = interest_product_set(
            account_type=obj.account_type,
            calculation_method=obj.calculation_method,
            posting_period=obj.posting_period,
            day_count=obj.day_count,
            minimum_balance_for_interest=obj.minimum_balance_for_interest,
            is_active=obj.is_active,
        ).pk

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class InterestRateAdminForm(forms.ModelForm):
    class Meta:
        model = InterestRate
        fields = ["account_type", "effective_from", "annual_rate", "overdraft_rate"]

    def clean_effective_from(self):  # type: ignore[no-untyped-def]
        day = self.cleaned_data["effective_from"]
        through = _accrued_through()
        if through is not None and day <= through:
            raise forms.ValidationError(f"Interest is accrued through {through}; choose a later date.")
        return day


@admin.register(InterestRate)
class InterestRateAdmin(admin.ModelAdmin):
    """The interest table. A rate whose date is already accrued is history: read-only."""

    form = InterestRateAdminForm
    list_display = ["account_type", "effective_from", "annual_rate", "overdraft_rate", "created_by", "created_at"]
    list_filter = ["account_type"]
    search_fields = ["account_type__code"]
    date_hierarchy = "effective_from"

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        saved = interest_rate_set(
            account_type=obj.account_type,
            effective_from=obj.effective_from,
            annual_rate=obj.annual_rate,
            overdraft_rate=obj.overdraft_rate,
            created_by=request.user,
        )
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        through = _accrued_through()
        if obj is not None and through is not None and obj.effective_from <= through:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AccrualRun)
class AccrualRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "accounts", "credit_interest", "overdraft_interest", "started_at", "finished_at"]
    date_hierarchy = "day"

    @admin.display(description="credit interest (exact)")
    def credit_interest(self, run: AccrualRun):  # type: ignore[no-untyped-def]
        return parts_to_decimal(int(run.credit_parts), 4)

    @admin.display(description="overdraft interest (exact)")
    def overdraft_interest(self, run: AccrualRun):  # type: ignore[no-untyped-def]
        return parts_to_decimal(int(run.overdraft_parts), 4)


@admin.register(InterestAccrual)
class InterestAccrualAdmin(ReadOnlyAdmin):
    list_display = ["day", "account", "balance", "rate", "days", "year_days", "amount"]
    search_fields = ["account__number"]
    list_select_related = ["account"]
    date_hierarchy = "day"
    # A row per account per day: counting the whole table on every page would be slow.
    show_full_result_count = False


@admin.register(InterestAccountState)
class InterestAccountStateAdmin(ReadOnlyAdmin):
    list_display = ["account", "posted_through", "carried"]
    search_fields = ["account__number"]
    list_select_related = ["account"]

    @admin.display(description="carried forward")
    def carried(self, state: InterestAccountState):  # type: ignore[no-untyped-def]
        return parts_to_decimal(int(state.carry_parts))


class PostingFailureInline(ReadOnlyInline):
    model = PostingFailure
    fields = ["account", "code", "detail", "created_at"]
    readonly_fields = fields


@admin.register(PostingRun)
class PostingRunAdmin(ReadOnlyAdmin):
    list_display = ["period_end", "postings", "journals", "failures", "totals", "started_at", "finished_at"]
    list_filter = ["failures"]
    inlines = [PostingFailureInline]


@admin.register(InterestPosting)
class InterestPostingAdmin(ReadOnlyAdmin):
    list_display = ["period_end", "account", "period_start", "days", "average_balance", "amount", "journal"]
    list_filter = ["period_end"]
    search_fields = ["account__number", "journal__reference"]
    list_select_related = ["account", "journal"]


@admin.register(PostingFailure)
class PostingFailureAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "run", "account", "code", "detail"]
    list_filter = ["code", "run"]
    search_fields = ["account__number"]
    list_select_related = ["run", "account"]
