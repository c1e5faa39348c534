"""Statements agree with the ledger to the paisa: the PDF parsed back (pypdf), the CSV,
and the monthly issue (idempotent)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from statements.models import Statement
from statements.services import statement_generate, statements_generate_monthly
from transactions.models import Entry
from transactions.services import deposit_create, transfer_create, withdrawal_create

D = Decimal


def last_month() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def backdate_everything_to(day: date) -> None:
    """Move the ledger's history into `day` (the test's transaction only; the append-only
    triggers are switched off for this one UPDATE and are back before the test goes on)."""
    moment = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=12)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE transactions_entry SET created_at = %s", [moment])
        cursor.execute("UPDATE transactions_journal SET created_at = %s", [moment])
        cursor.execute("UPDATE accounts_account SET opened_at = %s", [moment])
        cursor.execute("SET session_replication_role = DEFAULT")


def pdf_figures(pdf: bytes) -> dict[str, str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return dict(re.findall(r"(Opening balance|Total credits|Total debits|Closing balance)\s+(-?\d+\.\d{2})", text))


@pytest.fixture
def history(account, other_account):
    """Opening deposit 1,000.00 (in the fixture), then some traffic, all last month."""
    deposit_create(account=account, amount=D("250.75"))
    withdrawal_create(account=account, amount=D("100.25"))
    transfer_create(source=account, destination=other_account, amount=D("333.33"))
    transfer_create(source=other_account, destination=account, amount=D("0.01"))
    backdate_everything_to(last_month())
    account.refresh_from_db()
    return account


def test_the_pdf_statement_parses_back_to_the_ledger(history):
    month = f"{last_month():%Y-%m}"
    statement = statement_generate(account=history, month=month)
    entries = Entry.objects.filter(account=history)
    credits = sum(e.amount for e in entries if e.amount > 0)
    debits = -sum(e.amount for e in entries if e.amount < 0)
    assert (statement.opening_balance, statement.total_credits, statement.total_debits) == (D("0.00"), credits, debits)
    assert statement.closing_balance == history.balance == D("817.18")
    assert pdf_figures(bytes(statement.pdf)) == {
        "Opening balance": "0.00",
        "Total credits": f"{credits:.2f}",
        "Total debits": f"{debits:.2f}",
        "Closing balance": f"{history.balance:.2f}",
    }
    assert statement_generate(account=history, month=month).pk == statement.pk  # issued once


def test_csv_and_api(api, history, other_account):
    month = f"{last_month():%Y-%m}"
    url = f"/api/v1/accounts/{history.number}/statements/{month}/"
    assert api.get(url).json()["closing_balance"] == "817.18"
    rows = list(csv.reader(io.StringIO(api.get(url, {"format": "csv"}).content.decode())))
    assert ["closing_balance", "817.18"] in rows and len(rows) == 8 + 5
    pdf = api.get(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf_figures(pdf.content)["Closing balance"] == "817.18"
    assert api.post(f"/api/v1/accounts/{history.number}/statements/", {"month": month}).status_code == 201
    assert api.get(f"/api/v1/accounts/{history.number}/statements/").json()["results"][0]["issued"] is True
    this_month = f"{timezone.localdate():%Y-%m}"
    assert (
        api.post(f"/api/v1/accounts/{history.number}/statements/", {"month": this_month}).json()["code"]
        == "month_not_over"
    )
    assert api.get(f"/api/v1/accounts/{other_account.number}/statements/{month}/").status_code == 404
    assert api.get(f"/api/v1/accounts/{history.number}/statements/2026-13/").status_code == 400


def test_monthly_issue_is_idempotent(history, other_account):
    made = statements_generate_monthly()
    assert made == 2
    assert statements_generate_monthly() == 0
    assert Statement.objects.count() == 2


def test_receipt_and_export(api, account, other_account):
    journal = transfer_create(source=account, destination=other_account, amount=D("12.34"))
    receipt = api.get(f"/api/v1/transactions/{journal.pk}/receipt/")
    text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
    assert journal.reference in text and "12.34" in text
    exported = b"".join(api.get("/api/v1/export/").streaming_content).decode()
    assert exported.count("\n") == 1 + Entry.objects.filter(account__owner__user=account.owner.user).count()
