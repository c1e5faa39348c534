"""The auditor's query tool: each supported question answered correctly on demo data; SQL
smuggling refused; only auditors (and administrators) may ask."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import account_create
from conftest import client_for
from customers.tests.factories import CustomerFactory
from risk.services import transfer_screen
from transactions.services import transfer_create

D = Decimal


@pytest.fixture
def history(customer, other_customer, branch, savings_type, settings):
    rich = account_create(owner=customer, account_type=savings_type, branch=branch, balance=D("200000.00"))
    poor = account_create(owner=other_customer, account_type=savings_type, branch=branch, balance=D("5000.00"))
    third = account_create(owner=CustomerFactory(user__username="meera"), account_type=savings_type, branch=branch)
    transfer_create(source=rich, destination=third, amount=D("75000.00"))
    transfer_create(source=rich, destination=third, amount=D("100.00"))
    transfer_create(source=poor, destination=third, amount=D("60000.00") - D("55500.00"))  # 4,500.00
    settings.FRAUD_SUSPICIOUS_THRESHOLD = settings.FRAUD_CRITICAL_THRESHOLD = 0.0
    transfer_screen(source=poor, destination=rich, amount=D("250.00"))  # held: an open alert
    return {"rich": rich, "poor": poor}


def ask(user, **body):  # type: ignore[no-untyped-def]
    return client_for(user).post("/api/v1/risk/auditor-query/", body, format="json")


def test_each_supported_question_is_answered(auditor, history):
    big = ask(auditor, question="Transfers above 50000 in the last 30 days?").json()
    assert [row[2] for row in big["rows"]] == ["75000.00"]
    assert big["columns"][:3] == ["reference", "created_at", "amount"]

    top = ask(auditor, question="top 2 customers by outflow in the last 7 days").json()
    assert [(row[0], row[1], row[2]) for row in top["rows"]] == [("asha", "75100.00", 2), ("vikram", "4500.00", 1)]

    alerts = ask(auditor, question=f"suspicious transfers for account {history['poor'].number}").json()
    assert [(row[2], row[4], row[5]) for row in alerts["rows"]] == [("250.00", "critical", "open")]
    assert len(ask(auditor, question="open alerts").json()["rows"]) == 1

    mine = ask(auditor, sql="SELECT verdict, COUNT(*) AS n FROM risk_auditor_alerts GROUP BY verdict").json()
    assert mine["rows"] == [["critical", 1]]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM auth_user",
        "SELECT password FROM auth_user UNION SELECT reference FROM risk_auditor_transfers",
        "SELECT * FROM risk_auditor_alerts; DROP TABLE risk_fraudalert",
        "SELECT * FROM risk_auditor_alerts -- comment",
        "DELETE FROM risk_auditor_alerts",
        "UPDATE accounts_account SET balance = 0",
        "DROP VIEW risk_auditor_alerts",
        "SELECT pg_sleep(5) FROM risk_auditor_alerts",
        "SELECT pg_terminate_backend(1) FROM risk_auditor_alerts",
        "SELECT set_config('role', 'postgres', false) FROM risk_auditor_alerts",
        "SELECT (SELECT password FROM auth_user LIMIT 1) FROM risk_auditor_alerts",
        "WITH x AS (SELECT * FROM auth_user) SELECT * FROM x",
        "SELECT * FROM public.auth_user",
        "SELECT * FROM pg_catalog.pg_shadow",
        "SELECT * FROM risk_auditor_alerts FOR UPDATE",
        "SELECT * INTO stolen FROM risk_auditor_alerts",
        "SELECT * FROM risk_auditor_alerts WHERE status = 'open' OR '1'='1'; SELECT 1",
        "not sql at all",
    ],
)
def test_smuggling_is_refused(auditor, history, sql):
    response = ask(auditor, sql=sql)
    assert response.status_code == 400, response.json()
    assert response.json()["code"] in {"query_refused"}


@pytest.mark.parametrize(
    "question",
    [
        "transfers above 1' OR '1'='1 in the last 30 days",
        "suspicious transfers for account 1' UNION SELECT password FROM auth_user --",
        "top 5; DROP TABLE x customers by outflow in the last 3 days",
        "show me everything",
    ],
)
def test_questions_outside_the_forms_are_not_understood(auditor, question):
    response = ask(auditor, question=question)
    assert (response.status_code, response.json()["code"]) == (400, "question_not_understood")


def test_only_auditors_and_administrators_may_ask(customer, teller, admin_user, history):
    assert ask(customer.user, question="open alerts").status_code == 403
    assert ask(teller, question="open alerts").status_code == 403
    assert ask(admin_user, question="open alerts").status_code == 200
    assert ask(admin_user).status_code == 400  # neither question nor sql
