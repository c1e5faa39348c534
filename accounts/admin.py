from django.contrib import admin, messages

from bankingsystem.admin import ReadOnlyAdmin
from bankingsystem.errors import ApplicationError

from . import services
from .models import Account, AccountChange, AccountType, Branch, ClosedAccount


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "routing_code"]
    search_fields = ["code", "name"]


@admin.register(AccountType)
class AccountTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "currency",
        "minimum_balance",
        "overdraft_limit",
        "interest_rate",
        "per_transaction_limit",
        "daily_debit_limit",
        "is_active",
    ]
    list_filter = ["currency", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Accounts are opened through the service (API or teller), so that numbers, limits and
    the ledger stay consistent; here staff look them up and adjust what may be adjusted."""

    list_display = ["number", "kind", "gl_code", "owner", "account_type", "branch", "currency", "status", "balance"]
    list_filter = ["kind", "status", "currency", "branch", "account_type"]
    search_fields = ["number", "owner__user__username", "owner__user__email", "owner__phone", "nickname"]
    list_select_related = ["owner__user", "account_type", "branch"]
    readonly_fields = [
        "number",
        "kind",
        "gl_code",
        "owner",
        "branch",
        "account_type",
        "currency",
        "balance",
        "held_amount",
        "opened_at",
        "closed_at",
        "last_activity_at",
        "status",
        "freeze_source",
        "last_customer_activity_at",
    ]
    fields = [*readonly_fields[:7], "status", "freeze_source", "nickname", "overdraft_limit", *readonly_fields[7:12]]
    actions = ["freeze", "unfreeze", "reactivate"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Edits go through the service, so they are checked and recorded field by field."""
        try:
            services.account_update(
                account=obj,
                actor=request.user,
                nickname=form.cleaned_data["nickname"],
                overdraft_limit=form.cleaned_data["overdraft_limit"],
                reason="admin edit",
            )
        except ApplicationError as error:
            self.message_user(request, error.detail, messages.ERROR)

    def _each(self, request, queryset, service, verb: str) -> None:  # type: ignore[no-untyped-def]
        for account in queryset:
            try:
                service(account=account, actor=request.user, reason=f"admin: {verb}")
            except ApplicationError as error:
                self.message_user(request, f"{account.number}: {error.detail}", messages.ERROR)

    @admin.action(description="Freeze (bank freeze: only staff lift it)")
    def freeze(self, request, queryset):  # type: ignore[no-untyped-def]
        self._each(request, queryset, services.account_freeze, "freeze")

    @admin.action(description="Unfreeze")
    def unfreeze(self, request, queryset):  # type: ignore[no-untyped-def]
        self._each(request, queryset, services.account_unfreeze, "unfreeze")

    @admin.action(description="Reactivate a dormant account")
    def reactivate(self, request, queryset):  # type: ignore[no-untyped-def]
        self._each(request, queryset, services.account_reactivate, "reactivate")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnlyAdmin):
    list_display = ["account", "action", "field", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["action", "field", "changed_at"]
    search_fields = ["account__number", "changed_by__username", "reason"]
    list_select_related = ["account", "changed_by"]


@admin.register(ClosedAccount)
class ClosedAccountAdmin(ReadOnlyAdmin):
    list_display = ["number", "owner_username", "account_type", "closed_at", "closed_by", "final_balance", "reason"]
    list_filter = ["account_type", "branch_code", "closed_at"]
    search_fields = ["number", "owner_username", "owner_name", "reason"]
    date_hierarchy = "closed_at"
