from django.contrib import admin

from bankingsystem.admin import ReadOnlyAdmin

from .models import Address, AuthSession, Customer, LoginEvent, TransactionPin
from .services import login_unlock, sessions_revoke


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "phone", "kyc_status", "created_at"]
    list_filter = ["kyc_status", "created_at"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [AddressInline]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["customer", "line1", "city", "state", "postal_code", "country"]
    list_filter = ["country", "state"]
    search_fields = ["customer__user__username", "line1", "city", "postal_code"]
    raw_id_fields = ["customer"]


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    """Everyone's sign-ins; selecting rows lets an administrator lift a lockout."""

    list_display = ["created_at", "kind", "username", "success", "reason", "otp_method", "channel", "ip_address"]
    list_filter = ["kind", "success", "reason", "channel", "created_at"]
    search_fields = ["username", "ip_address", "user__email"]
    date_hierarchy = "created_at"
    actions = ["unlock_usernames", "unlock_addresses"]

    def has_unlock_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("customers.unlock_login")

    @admin.action(description="Lift the lockout of these usernames", permissions=["unlock"])
    def unlock_usernames(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        names = sorted({name for name in queryset.values_list("username", flat=True) if name})
        for name in names:
            login_unlock(actor=request.user, username=name)
        self.message_user(request, f"Unlocked: {', '.join(names) or 'nobody'}.")

    @admin.action(description="Lift the lockout of these IP addresses", permissions=["unlock"])
    def unlock_addresses(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        addresses = sorted({ip for ip in queryset.values_list("ip_address", flat=True) if ip})
        for address in addresses:
            login_unlock(actor=request.user, ip_address=address)
        self.message_user(request, f"Unlocked: {', '.join(addresses) or 'nothing'}.")


@admin.register(AuthSession)
class AuthSessionAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "ended_at", "end_reason", "otp_method", "ip_address"]
    list_filter = ["end_reason", "otp_method", "created_at"]
    search_fields = ["user__username", "ip_address"]
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("customers.unlock_login")

    @admin.action(description="Revoke these sessions (their tokens stop working)", permissions=["revoke"])
    def revoke(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        count = sessions_revoke(session_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Revoked {count} session(s).")


@admin.register(TransactionPin)
class TransactionPinAdmin(admin.ModelAdmin):
    """Staff see whether a PIN is locked and may clear the lock or delete the PIN; never the PIN."""

    list_display = ["user", "failed_attempts", "locked_until", "updated_at"]
    search_fields = ["user__username"]
    fields = ["user", "failed_attempts", "locked_until", "updated_at"]
    readonly_fields = ["user", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
