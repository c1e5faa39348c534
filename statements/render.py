"""Statements and receipts as PDF (reportlab) and CSV. Amounts are printed exactly as the
ledger holds them (two decimals, no float anywhere), so a reader (or pypdf) gets the
ledger's figures back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .selectors import StatementData


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _document(title: str) -> tuple[io.BytesIO, SimpleDocTemplate]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=settings.BANK_NAME, leftMargin=15 * mm, rightMargin=15 * mm,
        topMargin=15 * mm, bottomMargin=15 * mm, invariant=True,
    )  # fmt: skip
    return buffer, doc


_GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (-3, 0), (-1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f2f2")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def statement_pdf(data: StatementData) -> bytes:
    account = data.account
    styles = getSampleStyleSheet()
    title = f"Statement {account.number} {data.period_start:%Y-%m}"
    buffer, doc = _document(title)
    owner = account.owner
    summary = [
        ["Account", account.number],
        ["Holder", owner.full_name or owner.user.get_username() if owner else ""],
        ["Period", f"{data.period_start:%d %b %Y} to {data.period_end:%d %b %Y}"],
        ["Currency", account.currency],
        ["Opening balance", _amount(data.opening_balance)],
        ["Total credits", _amount(data.total_credits)],
        ["Total debits", _amount(data.total_debits)],
        ["Closing balance", _amount(data.closing_balance)],
        ["Entries", str(len(data.lines))],
    ]
    rows = [["Date", "Reference", "Description", "Debit", "Credit", "Balance"]]
    for entry in data.lines:
        rows.append(
            [
                f"{timezone.localtime(entry.created_at):%d-%m-%Y}",
                entry.journal.reference,
                Paragraph(entry.journal.description[:90], styles["BodyText"]),
                _amount(-entry.amount) if entry.amount < 0 else "",
                _amount(entry.amount) if entry.amount > 0 else "",
                _amount(entry.balance_after),
            ]
        )
    story = [
        Paragraph(settings.BANK_NAME, styles["Title"]),
        Paragraph(f"Account statement for {data.period_start:%B %Y}", styles["Heading2"]),
        Table(summary, colWidths=[40 * mm, 100 * mm], style=[("FONT", (0, 0), (-1, -1), "Helvetica", 9)]),
        Spacer(1, 6 * mm),
        Table(rows, colWidths=[20 * mm, 38 * mm, 62 * mm, 20 * mm, 20 * mm, 22 * mm], style=_GRID, repeatRows=1),
    ]
    doc.build(story)
    return buffer.getvalue()


def statement_csv(data: StatementData) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["account", data.account.number, "currency", data.account.currency])
    writer.writerow(["period", data.period_start.isoformat(), data.period_end.isoformat()])
    writer.writerow(["opening_balance", _amount(data.opening_balance)])
    writer.writerow(["total_credits", _amount(data.total_credits)])
    writer.writerow(["total_debits", _amount(data.total_debits)])
    writer.writerow(["closing_balance", _amount(data.closing_balance)])
    writer.writerow([])
    writer.writerow(["date", "reference", "kind", "description", "debit", "credit", "balance_after"])
    for entry in data.lines:
        writer.writerow(
            [
                timezone.localtime(entry.created_at).isoformat(),
                entry.journal.reference,
                entry.journal.kind,
                entry.journal.description,
                _amount(-entry.amount) if entry.amount < 0 else "",
                _amount(entry.amount) if entry.amount > 0 else "",
                _amount(entry.balance_after),
            ]
        )
    return out.getvalue()


def receipt_pdf(receipt: dict) -> bytes:
    """A transaction receipt (the API's receipt fields) as a one-page PDF."""
    styles = getSampleStyleSheet()
    buffer, doc = _document(f"Receipt {receipt['reference']}")
    rows = [
        ["Reference", receipt["reference"]],
        ["Type", receipt["kind"]],
        ["Status", receipt["status"]],
        ["Date", f"{timezone.localtime(receipt['created_at']):%d-%m-%Y %H:%M:%S %Z}"],
        ["Amount", f"{receipt['currency']} {_amount(receipt['amount'])}"],
        ["From", receipt["source_account"] or "cash / bank"],
        ["To", receipt["destination_account"] or "cash / bank"],
        ["Description", receipt["description"]],
    ]
    for leg in receipt["entries"]:
        rows.append(
            [f"Account {leg['account']}", f"{_amount(leg['amount'])} (balance {_amount(leg['balance_after'])})"]
        )
    doc.build(
        [
            Paragraph(settings.BANK_NAME, styles["Title"]),
            Paragraph("Transaction receipt", styles["Heading2"]),
            Table(rows, colWidths=[45 * mm, 120 * mm], style=[("FONT", (0, 0), (-1, -1), "Helvetica", 10)]),
        ]
    )
    return buffer.getvalue()
