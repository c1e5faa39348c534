from django.urls import path

from . import api

urlpatterns = [
    path("accounts/<str:number>/statement/", api.StatementApi.as_view(), name="account-statement"),
    path("deposits/", api.DepositApi.as_view(), name="deposit"),
    path("withdrawals/", api.WithdrawalApi.as_view(), name="withdrawal"),
    path("transfers/", api.TransferApi.as_view(), name="transfer"),
    path("transfers/batch/", api.TransferBatchApi.as_view(), name="transfer-batch"),
    path("transactions/", api.TransactionListApi.as_view(), name="transaction-list"),
    path("transactions/<int:pk>/", api.TransactionDetailApi.as_view(), name="transaction-detail"),
    path("transactions/<int:pk>/reverse/", api.TransactionReverseApi.as_view(), name="transaction-reverse"),
    path("ledger/integrity/", api.LedgerIntegrityApi.as_view(), name="ledger-integrity"),
]
