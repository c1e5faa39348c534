from django.urls import path

from . import api

urlpatterns = [
    path("accounts/", api.AccountListCreateApi.as_view(), name="account-list"),
    path("accounts/<str:number>/", api.AccountDetailApi.as_view(), name="account-detail"),
    path("accounts/<str:number>/freeze/", api.AccountFreezeApi.as_view(), name="account-freeze"),
    path("accounts/<str:number>/unfreeze/", api.AccountUnfreezeApi.as_view(), name="account-unfreeze"),
    path("accounts/<str:number>/reactivate/", api.AccountReactivateApi.as_view(), name="account-reactivate"),
    path("accounts/<str:number>/close/", api.AccountCloseApi.as_view(), name="account-close"),
    path("accounts/<str:number>/history/", api.AccountHistoryApi.as_view(), name="account-history"),
    path("closed-accounts/", api.ClosedAccountListApi.as_view(), name="closed-account-list"),
    path("account-types/", api.AccountTypeListApi.as_view(), name="account-type-list"),
    path("branches/", api.BranchListApi.as_view(), name="branch-list"),
]
