"""Domain metrics move with the ledger, and /metrics answers only to the allow-list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from transactions.selectors import ledger_integrity_report
from transactions.tasks import ledger_integrity_check


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def movements(outcome: str, code: str = "") -> float:
    return sample("bank_money_movements_total", kind="transfer", outcome=outcome, code=code)


def test_posted_transfer_counts_once_with_latency_and_amount(
    api, account, other_account, django_capture_on_commit_callbacks
):
    posted, timed = movements("posted"), sample("bank_money_movement_duration_seconds_count", kind="transfer")
    amounts = sample("bank_money_movement_amount_sum", kind="transfer", currency="INR")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/transfers/",
            {"source_account": account.number, "destination_account": other_account.number, "amount": "250.50"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert movements("posted") == posted + 1
    assert sample("bank_money_movement_duration_seconds_count", kind="transfer") == timed + 1
    assert sample("bank_money_movement_amount_sum", kind="transfer", currency="INR") == amounts + 250.5


def test_refused_transfer_counts_as_refused_with_its_code(api, account, other_account):
    posted, refused = movements("posted"), movements("refused", "insufficient_funds")
    response = api.post(
        "/api/v1/transfers/",
        {"source_account": account.number, "destination_account": other_account.number, "amount": "5000.00"},
        format="json",
    )
    assert response.status_code == 422
    assert movements("refused", "insufficient_funds") == refused + 1
    assert movements("posted") == posted


def test_posting_rolled_back_by_the_caller_is_not_counted(account, other_account, django_capture_on_commit_callbacks):
    from django.db import transaction

    from transactions.services import transfer_create

    posted = movements("posted")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        transfer_create(source=account, destination=other_account, amount=Decimal("1.00"))
        raise RuntimeError("the caller gives up")
    assert movements("posted") == posted


def test_integrity_check_task_publishes_the_report_as_gauges(account):
    ok = ledger_integrity_check.apply().get()
    report = ledger_integrity_report()
    assert ok is report.ok is True
    assert sample("bank_ledger_imbalance", currency="INR") == 0.0
    for finding in ("unbalanced_journals", "balance_mismatches", "overdraft_breaches"):
        assert sample("bank_ledger_integrity_findings", finding=finding) == 0.0
    assert sample("bank_ledger_integrity_last_check_timestamp_seconds") >= report.checked_at.timestamp() - 60


def test_beat_runs_the_integrity_check(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ledger-integrity-check"]
    assert entry["task"] == ledger_integrity_check.name


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "status"),
    [
        ("127.0.0.1", None, 200),
        ("::1", None, 200),
        ("203.0.113.9", None, 404),  # the public internet
        ("127.0.0.1", "203.0.113.9", 404),  # came through a proxy: public, whatever the peer
    ],
)
def test_metrics_answer_only_to_the_allow_list(db, remote_addr, forwarded, status):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = APIClient().get("/metrics", **extra)
    assert response.status_code == status
    if status == 200:
        assert b"django_http_requests_total_by_view_transport_method_total" in response.content


def test_allow_list_is_a_setting(db, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert APIClient().get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert APIClient().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_readiness_reports_each_dependency(db, client):
    body = client.get("/readyz").json()
    assert body == {"status": "ok", "database": "ok", "migrations": "ok", "redis": "ok"}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_batch_items_count_one_by_one(account, other_account, django_capture_on_commit_callbacks):
    from transactions.services import TransferRequest, transfer_batch_create

    posted, refused = movements("posted"), movements("refused", "insufficient_funds")
    batches = sample("bank_money_movement_duration_seconds_count", kind="transfer_batch")
    amounts = [
        sample(f"bank_money_movement_amount_{part}", kind="transfer", currency="INR") for part in ("sum", "count")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        results = transfer_batch_create(
            transfers=[
                TransferRequest(source=account, destination=other_account, amount=Decimal("10.00")),
                TransferRequest(source=account, destination=other_account, amount=Decimal("5000.00")),
                TransferRequest(source=account, destination=other_account, amount=Decimal("20.50")),
                TransferRequest(source=account, destination=other_account, amount=Decimal("6000.00")),
            ],
            atomic=False,
        )
    assert [type(result).__name__ for result in results] == ["Journal", "ApplicationError"] * 2
    assert movements("posted") == posted + 2
    assert movements("refused", "insufficient_funds") == refused + 2
    # Each posted journal is one observation of the amount it moved.
    assert [
        sample(f"bank_money_movement_amount_{part}", kind="transfer", currency="INR") for part in ("sum", "count")
    ] == [amounts[0] + 30.5, amounts[1] + 2]
    assert sample("bank_money_movement_duration_seconds_count", kind="transfer_batch") == batches + 1


@pytest.mark.django_db
def test_database_statements_are_counted_timed_and_their_errors_by_type():
    """django_prometheus's database metrics, as bankingsystem.postgresql counts them (errors by
    psycopg's exception type: the cursor is psycopg's)."""
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the counting backend is PostgreSQL's")
    labels = {"alias": "default", "vendor": "postgresql"}
    executed = sample("django_db_execute_total", **labels)
    timed = sample("django_db_query_duration_seconds_count", **labels)
    many = sample("django_db_execute_many_total", **labels)
    errors = sample("django_db_errors_total", **labels, type="UndefinedTable")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.executemany("SELECT %s", [[1], [2], [3]])
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("SELECT * FROM no_such_table")
    # 1 + 3 + 1, and the savepoint's three (SAVEPOINT, ROLLBACK TO and RELEASE)
    assert sample("django_db_execute_total", **labels) == executed + 8
    assert sample("django_db_execute_many_total", **labels) == many + 3
    assert sample("django_db_query_duration_seconds_count", **labels) == timed + 6
    assert sample("django_db_errors_total", **labels, type="UndefinedTable") == errors + 1
