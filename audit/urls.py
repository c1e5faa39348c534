from django.urls import path

from . import api

urlpatterns = [
    path("audit/events/", api.AuditEventListApi.as_view(), name="audit-event-list"),
    path("audit/verify/", api.AuditVerifyApi.as_view(), name="audit-verify"),
]
