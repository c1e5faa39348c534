from django.urls import path

from . import api

urlpatterns = [
    path("interbank/transfers/", api.InterbankTransferApi.as_view(), name="interbank-transfer"),
    path("branch-transfers/", api.BranchTransferApi.as_view(), name="branch-transfer"),
    path("federation/2pc/prepare/", api.TwoPhasePrepareApi.as_view(), name="two-phase-prepare"),
    path("federation/2pc/commit/", api.TwoPhaseCommitApi.as_view(), name="two-phase-commit"),
    path("federation/2pc/abort/", api.TwoPhaseAbortApi.as_view(), name="two-phase-abort"),
    path("federation/2pc/decision/", api.TwoPhaseDecisionApi.as_view(), name="two-phase-decision"),
]
