from django.urls import path

from . import api

urlpatterns = [
    path("accounts/<str:number>/interest/", api.AccountInterestApi.as_view(), name="account-interest"),
    path(
        "accounts/<str:number>/interest/postings/",
        api.AccountInterestPostingListApi.as_view(),
        name="account-interest-postings",
    ),
]
