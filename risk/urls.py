from django.urls import path

from . import api

urlpatterns = [
    path("risk/auditor-query/", api.AuditorQueryApi.as_view(), name="auditor-query"),
    path("risk/spending/", api.SpendingApi.as_view(), name="spending"),
    path("risk/alerts/", api.FraudAlertListApi.as_view(), name="fraud-alerts"),
    path("risk/alerts/<int:pk>/<str:action>/", api.FraudAlertActionApi.as_view(), name="fraud-alert-action"),
]
