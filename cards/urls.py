from django.urls import path

from . import api

urlpatterns = [
    path("cards/", api.CardListCreateApi.as_view(), name="card-list"),
    path("cards/<int:card_id>/", api.CardDetailApi.as_view(), name="card-detail"),
    path("cards/<int:card_id>/activate/", api.CardActivateApi.as_view(), name="card-activate"),
    path("cards/<int:card_id>/block/", api.CardBlockApi.as_view(), name="card-block"),
    path("cards/<int:card_id>/unblock/", api.CardUnblockApi.as_view(), name="card-unblock"),
    path("cards/<int:card_id>/replace/", api.CardReplaceApi.as_view(), name="card-replace"),
    path("cards/<int:card_id>/limit/", api.CardLimitApi.as_view(), name="card-limit"),
]
