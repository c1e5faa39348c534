from django.urls import path

from . import api

urlpatterns = [
    path("accounts/<str:number>/statements/", api.StatementListApi.as_view(), name="statement-list"),
    path("accounts/<str:number>/statements/<str:month>/", api.StatementDetailApi.as_view(), name="statement-detail"),
    path("transactions/<int:pk>/receipt/", api.ReceiptPdfApi.as_view(), name="transaction-receipt"),
    path("export/", api.ActivityExportApi.as_view(), name="activity-export"),
]
