from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from customers.admin_site import BankAdminSite

from . import health, metrics, spa

# Staff sign in to the admin with a password and a one-time code (django-otp).
admin.site.__class__ = BankAdminSite

api_v1 = [
    path("auth/", include("customers.urls")),
    path("", include("accounts.urls")),
    path("", include("transactions.urls")),
    path("", include("loans.urls")),
    # issue 7
    path("", include("audit.urls")),
    path("", include("cards.urls")),
    path("", include("payments.urls")),
    path("", include("support.urls")),
    path("", include("notifications.urls")),
    path("", include("statements.urls")),
    path("", include("interbank.urls")),
    path("", include("interest.urls")),
    path("", include("risk.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="prometheus-metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the content security policy allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # Last: any other page is the web app's (client-side routes); API, admin and static keep their 404s.
    re_path(r"^(?!(?:api|admin|static|assets)(?:/|$))[\w\-./]*$", spa.spa_index, name="spa"),
]

handler400 = "bankingsystem.errors.handler400"
handler403 = "bankingsystem.errors.handler403"
handler404 = "bankingsystem.errors.handler404"
handler500 = "bankingsystem.errors.handler500"
