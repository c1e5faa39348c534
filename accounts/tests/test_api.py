from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import Account
from accounts.numbers import account_number_is_valid
from accounts.services import account_open, head_office_get_or_create
from conftest import client_for
from customers.tests.factories import CustomerFactory
from transactions.tests.test_api import assert_problem


def test_customer_opens_and_lists_own_accounts(api, customer, branch, savings_type, other_account):
    response = api.post(
        "/api/v1/accounts/", {"account_type": "savings", "branch": branch.code, "nickname": "Rainy day"}, format="json"
    )
    assert response.status_code == 201, response.content
    opened = response.json()
    assert account_number_is_valid(opened["number"])
    assert opened["routing_code"] == "101" + branch.code
    assert (opened["status"], opened["balance"], opened["currency"]) == ("active", "0.00", "INR")
    listed = api.get("/api/v1/accounts/").json()["results"]
    assert [a["number"] for a in listed] == [opened["number"]]
    assert api.get(f"/api/v1/accounts/{opened['number']}/").json()["nickname"] == "Rainy day"
    assert_problem(api.get(f"/api/v1/accounts/{other_account.number}/"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"account_type": "nope", "branch": "0001"}, "validation_error"),
        ({"account_type": "savings"}, "validation_error"),
        ({"account_type": "savings", "branch": "0000"}, "branch_unavailable"),
        ({"account_type": "savings", "branch": "0001", "balance": "1000000"}, "unknown_field"),
    ],
)
def test_open_account_bad_input(api, branch, savings_type, body, code):
    head_office_get_or_create()  # made by a migration, but transactional tests elsewhere flush it
    if body.get("branch") == "0001":
        body["branch"] = branch.code
    assert_problem(api.post("/api/v1/accounts/", body, format="json"), 400, code)
    assert not Account.objects.filter(kind="customer").exists()


def test_only_tellers_open_for_others(api, teller, other_customer, branch, savings_type):
    body = {"account_type": "savings", "branch": branch.code, "customer": other_customer.user.username}
    assert_problem(api.post("/api/v1/accounts/", body, format="json"), 403, "permission_denied")
    response = client_for(teller).post("/api/v1/accounts/", body, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == other_customer.user.username


def test_staff_see_all_customer_accounts_but_not_gl(teller, account, other_account):
    numbers = [a["number"] for a in client_for(teller).get("/api/v1/accounts/").json()["results"]]
    assert numbers == [account.number, other_account.number]


def test_products_and_branches_are_listed(api, branch, savings_type):
    assert [t["code"] for t in api.get("/api/v1/account-types/").json()] == ["savings"]
    assert [b["code"] for b in api.get("/api/v1/branches/").json()] == [branch.code]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_openings_get_distinct_numbers(transactional_db, branch, savings_type):
    customers = [CustomerFactory() for _ in range(8)]
    barrier = threading.Barrier(8)

    def open_one(customer) -> str:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            return account_open(owner=customer, account_type=savings_type, branch=branch).number
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(open_one, customers))
    assert len(set(numbers)) == 8
    branch.refresh_from_db()
    assert branch.last_account_serial == 8
