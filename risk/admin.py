from django.contrib import admin, messages

from bankingsystem.errors import ApplicationError

from . import services
from .models import FraudAlert, RiskModel


def _review(action, verb):  # type: ignore[no-untyped-def]
    def run(modeladmin, request, queryset):  # type: ignore[no-untyped-def]
        for alert in queryset:
            try:
                action(alert=alert, actor=request.user, note=f"admin: {verb}")
            except ApplicationError as error:
                messages.error(request, f"alert {alert.pk}: {error.detail}")
            else:
                messages.success(request, f"alert {alert.pk}: {verb}")

    run.short_description = f"{verb.capitalize()} selected alerts"  # type: ignore[attr-defined]
    run.__name__ = f"alert_{verb}"
    return run


@admin.register(FraudAlert)
class FraudAlertAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "source", "destination", "amount", "score", "verdict", "status", "reviewed_by"]
    list_filter = ["status", "verdict"]
    readonly_fields = [f.name for f in FraudAlert._meta.fields]
    actions = [
        _review(services.alert_release, "release"),
        _review(services.alert_reject, "reject"),
        _review(services.alert_dismiss, "dismiss"),
        _review(services.alert_confirm, "confirm"),
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(RiskModel)
class RiskModelAdmin(admin.ModelAdmin):
    list_display = ["version", "created_at", "trained_on", "active"]
    exclude = ["estimator"]
    readonly_fields = ["version", "created_at", "trained_on", "calibration", "features"]
