from django.urls import path

from . import api

urlpatterns = [
    path("loan-products/", api.LoanProductListApi.as_view(), name="loan-product-list"),
    path("loans/", api.LoanListCreateApi.as_view(), name="loan-list"),
    path("loans/predict/", api.LoanPredictApi.as_view(), name="loan-predict"),
    path("loans/<int:pk>/", api.LoanDetailApi.as_view(), name="loan-detail"),
    path("loans/<int:pk>/schedule/", api.LoanScheduleApi.as_view(), name="loan-schedule"),
    path("loans/<int:pk>/repayments/", api.LoanRepaymentListCreateApi.as_view(), name="loan-repayments"),
    path("loans/<int:pk>/close/", api.LoanCloseApi.as_view(), name="loan-close"),
    path("loans/<int:pk>/decision/", api.LoanDecisionApi.as_view(), name="loan-decision"),
    path("loans/<int:pk>/disburse/", api.LoanDisburseApi.as_view(), name="loan-disburse"),
]
