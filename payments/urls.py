from django.urls import path

from . import api

urlpatterns = [
    path("beneficiaries/", api.BeneficiaryListCreateApi.as_view(), name="beneficiary-list"),
    path("beneficiaries/<int:beneficiary_id>/", api.BeneficiaryDetailApi.as_view(), name="beneficiary-detail"),
    path(
        "beneficiaries/<int:beneficiary_id>/transfers/",
        api.BeneficiaryTransferApi.as_view(),
        name="beneficiary-transfer",
    ),
    path("standing-orders/", api.StandingOrderListCreateApi.as_view(), name="standing-order-list"),
    path("standing-orders/<int:order_id>/", api.StandingOrderDetailApi.as_view(), name="standing-order-detail"),
    path("standing-orders/<int:order_id>/cancel/", api.StandingOrderCancelApi.as_view(), name="standing-order-cancel"),
]
