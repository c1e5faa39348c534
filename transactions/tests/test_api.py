from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from accounts.models import Account
from conftest import client_for
from transactions.models import Entry, IdempotencyKey, Journal

D = Decimal
PROBLEM = "application/problem+json"


def ledger_size() -> tuple[int, int]:
    return Journal.objects.count(), Entry.objects.count()


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"].endswith(code)
    assert body["title"] and body["detail"]
    return body


def balance(account: Account) -> Decimal:
    account.refresh_from_db()
    return account.balance


# --- Transfers ----------------------------------------------------------------------------


def test_transfer_returns_receipt(api, account, other_account):
    response = api.post(
        "/api/v1/transfers/",
        {
            "source_account": account.number,
            "destination_account": other_account.number,
            "amount": "250.50",
            "description": "Rent",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["kind"] == "transfer"
    assert receipt["amount"] == "250.50"
    assert receipt["currency"] == "INR"
    assert receipt["source_account"] == account.number
    assert receipt["destination_account"] == other_account.number
    assert receipt["status"] == "posted"
    # The sender sees their own leg, not the recipient's balance.
    assert receipt["entries"] == [{"account": account.number, "amount": "-250.50", "balance_after": "749.50"}]
    assert balance(account) == D("749.50")
    assert balance(other_account) == D("750.50")


BAD_TRANSFER_BODIES = [
    ({"amount": "NaN"}, "amount"),
    ({"amount": "Infinity"}, "amount"),
    ({"amount": "1e3"}, "amount"),
    ({"amount": 12.5}, "amount"),
    ({"amount": True}, "amount"),
    ({"amount": None}, "amount"),
    ({"amount": "12,50"}, "amount"),
    ({"amount": " 10"}, "amount"),
    ({"amount": "99999999999999999999999"}, "amount"),
    ({"amount": ["10"]}, "amount"),
    ({"destination_account": "12345"}, "destination_account"),
    ({"destination_account": "1010001000000019"}, "destination_account"),  # bad check digit
    ({"destination_account": 1010001000000019}, "destination_account"),
    ({"description": "x" * 141}, "description"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize(("override", "field"), BAD_TRANSFER_BODIES)
def test_transfer_bad_input_is_400_and_writes_nothing(api, account, other_account, override, field):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    body.update(override)
    before = ledger_size()
    response = api.post("/api/v1/transfers/", body, format="json")
    problem = assert_problem(response, 400, "unknown_field" if field == "colour" else "validation_error")
    assert field in problem["errors"]
    assert ledger_size() == before


@pytest.mark.parametrize("missing", ["source_account", "destination_account", "amount"])
def test_transfer_missing_fields(api, account, other_account, missing):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    del body[missing]
    problem = assert_problem(api.post("/api/v1/transfers/", body, format="json"), 400, "validation_error")
    assert problem["errors"] == {missing: ["This field is required."]}


@pytest.mark.parametrize(
    ("amount", "code"),
    [("-5", "amount_not_positive"), ("0", "amount_not_positive"), ("0.001", "too_many_decimal_places")],
)
def test_transfer_amount_refusals_are_400(api, account, other_account, amount, code):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": amount}
    before = ledger_size()
    problem = assert_problem(api.post("/api/v1/transfers/", body, format="json"), 400, code)
    assert "amount" in problem["errors"]
    assert ledger_size() == before


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/transfers/", data="{not json", content_type="application/json")
    assert_problem(response, 400, "malformed_request")


def test_non_object_json_is_400(api):
    response = api.post("/api/v1/transfers/", data="[1, 2]", content_type="application/json")
    assert_problem(response, 400, "validation_error")


def test_wrong_content_type_is_415(api):
    response = api.post("/api/v1/transfers/", data="amount=5", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "unsupported_media_type")


def test_business_refusals_are_422(api, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "1000.01"}
    problem = assert_problem(api.post("/api/v1/transfers/", body, format="json"), 422, "insufficient_funds")
    assert problem["available"] == "1000.00"
    assert problem["errors"] == {"source_account": [problem["detail"]]}
    body["destination_account"] = account.number
    body["amount"] = "1"
    assert_problem(api.post("/api/v1/transfers/", body, format="json"), 400, "same_account")


def test_transfer_to_unknown_account(api, account):
    from accounts.numbers import account_number_build

    unknown = account_number_build(bank_code="101", branch_code="0009", serial=424242)
    body = {"source_account": account.number, "destination_account": unknown, "amount": "1"}
    assert_problem(api.post("/api/v1/transfers/", body, format="json"), 422, "account_not_found")


def test_transfer_from_someone_elses_account_is_404(api, account, other_account):
    body = {"source_account": other_account.number, "destination_account": account.number, "amount": "1"}
    before = ledger_size()
    assert_problem(api.post("/api/v1/transfers/", body, format="json"), 404, "not_found")
    assert ledger_size() == before


def test_someone_elses_source_is_404_before_an_unknown_destination(api, other_account):
    """Both accounts are read in one query; the refusals keep their order."""
    from accounts.numbers import account_number_build

    unknown = account_number_build(bank_code="101", branch_code="0009", serial=424242)
    body = {"source_account": other_account.number, "destination_account": unknown, "amount": "1"}
    assert_problem(api.post("/api/v1/transfers/", body, format="json"), 404, "not_found")
    body = {"source_account": unknown, "destination_account": other_account.number, "amount": "1"}
    assert_problem(api.post("/api/v1/transfers/", body, format="json"), 404, "not_found")


def test_teller_transfers_between_customers(teller, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10.00"}
    response = client_for(teller).post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert response.status_code == 201, response.json()
    assert (balance(account), balance(other_account)) == (D("990.00"), D("510.00"))


def test_unauthenticated_is_401(account, other_account):
    from rest_framework.test import APIClient

    response = APIClient().post("/api/v1/transfers/", {"amount": "1"}, format="json")
    assert_problem(response, 401, "not_authenticated")


def test_auditor_cannot_move_money(auditor, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "1"}
    assert_problem(client_for(auditor).post("/api/v1/transfers/", body, format="json"), 403, "permission_denied")


# --- Deposits and withdrawals -------------------------------------------------------------


def test_customer_deposits_and_withdraws_on_own_account(api, account):
    response = api.post("/api/v1/deposits/", {"account": account.number, "amount": "100"}, format="json")
    assert response.status_code == 201
    assert response.json()["source_account"] is None
    assert response.json()["destination_account"] == account.number
    response = api.post("/api/v1/withdrawals/", {"account": account.number, "amount": "50.25"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "withdrawal"
    assert balance(account) == D("1049.75")


def test_customer_cannot_deposit_to_another_customer(api, other_account):
    response = api.post("/api/v1/deposits/", {"account": other_account.number, "amount": "100"}, format="json")
    assert_problem(response, 404, "not_found")


def test_teller_serves_any_customer(teller, account):
    client = client_for(teller)
    assert (
        client.post("/api/v1/deposits/", {"account": account.number, "amount": "5"}, format="json").status_code == 201
    )
    response = client.post("/api/v1/withdrawals/", {"account": account.number, "amount": "1005"}, format="json")
    assert response.status_code == 201
    receipt = response.json()
    assert receipt["entries"][0]["balance_after"] == "0.00"  # staff see every leg
    assert balance(account) == D("0.00")
    assert_problem(
        client.post("/api/v1/withdrawals/", {"account": account.number, "amount": "1"}, format="json"),
        422,
        "insufficient_funds",
    )


# --- Idempotency --------------------------------------------------------------------------


def test_same_key_and_body_replays_without_moving_money(api, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    first = api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-rent-nov")
    second = api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-rent-nov")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert balance(account) == D("990.00")
    assert Journal.objects.filter(kind="transfer").count() == 1


def test_same_key_with_another_body_is_refused(api, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    body["amount"] = "11"
    assert_problem(
        api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"), 422, "idempotency_key_reused"
    )
    # and on another endpoint
    assert_problem(
        api.post(
            "/api/v1/deposits/", {"account": account.number, "amount": "10"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        ),
        422,
        "idempotency_key_reused",
    )
    assert balance(account) == D("990.00")


def test_keys_are_scoped_per_user(api, account, other_account, other_customer):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    assert api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    other = client_for(other_customer.user)
    back = {"source_account": other_account.number, "destination_account": account.number, "amount": "3"}
    response = other.post("/api/v1/transfers/", back, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert balance(account) == D("993.00")


def test_refusals_are_not_remembered(api, account, other_account):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "1500"}
    assert api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 422
    assert not IdempotencyKey.objects.exists()
    api.post("/api/v1/deposits/", {"account": account.number, "amount": "600"}, format="json")
    assert api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 201
    assert balance(account) == D("100.00")


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_invalid_idempotency_keys(api, account, other_account, key):
    body = {"source_account": account.number, "destination_account": other_account.number, "amount": "10"}
    assert_problem(
        api.post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY=key), 400, "invalid_idempotency_key"
    )


# --- History, receipts and statements -----------------------------------------------------


def test_history_lists_only_own_entries_with_filters(api, account, other_account, second_account):
    api.post(
        "/api/v1/transfers/",
        {
            "source_account": account.number,
            "destination_account": other_account.number,
            "amount": "70",
            "description": "Groceries",
        },
        format="json",
    )
    api.post(
        "/api/v1/transfers/",
        {"source_account": account.number, "destination_account": second_account.number, "amount": "30"},
        format="json",
    )
    rows = api.get("/api/v1/transactions/").json()["results"]
    assert {row["account"] for row in rows} == {account.number, second_account.number}
    assert other_account.number not in {row["account"] for row in rows}
    assert [r["amount"] for r in rows if r["account"] == account.number] == ["-30.00", "-70.00", "1000.00"]

    def amounts(query: str) -> list[str]:
        response = api.get(f"/api/v1/transactions/?{query}")
        assert response.status_code == 200, response.content
        return [row["amount"] for row in response.json()["results"]]

    assert amounts("q=grocer") == ["-70.00"]
    assert amounts("direction=credit&account=" + account.number) == ["1000.00"]
    assert amounts("kind=transfer&min_amount=50") == ["-70.00"]
    assert amounts("max_amount=30&account=" + account.number) == ["-30.00"]
    assert amounts("date_from=2000-01-01&date_to=2000-01-02") == []
    assert_problem(api.get("/api/v1/transactions/?kind=bogus"), 400, "validation_error")
    assert_problem(api.get("/api/v1/transactions/?date_from=yesterday"), 400, "validation_error")


def test_history_pages_with_a_cursor(api, account, other_account):
    for _ in range(5):
        api.post(
            "/api/v1/transfers/",
            {"source_account": account.number, "destination_account": other_account.number, "amount": "1"},
            format="json",
        )
    first = api.get("/api/v1/transactions/?page_size=4").json()
    assert len(first["results"]) == 4 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6


def test_receipt_and_cross_customer_404(api, account, other_account, other_customer):
    receipt = api.post(
        "/api/v1/transfers/",
        {"source_account": account.number, "destination_account": other_account.number, "amount": "5"},
        format="json",
    ).json()
    assert api.get(f"/api/v1/transactions/{receipt['id']}/").json()["reference"] == receipt["reference"]
    # The recipient sees the same journal with their own leg.
    recipient_view = client_for(other_customer.user).get(f"/api/v1/transactions/{receipt['id']}/").json()
    assert recipient_view["entries"] == [{"account": other_account.number, "amount": "5.00", "balance_after": "505.00"}]
    # A journal touching neither of a third customer's accounts is invisible to them.
    from customers.tests.factories import CustomerFactory

    stranger = client_for(CustomerFactory().user)
    assert_problem(stranger.get(f"/api/v1/transactions/{receipt['id']}/"), 404, "not_found")
    assert_problem(stranger.get(f"/api/v1/accounts/{account.number}/"), 404, "not_found")
    assert_problem(stranger.get(f"/api/v1/accounts/{account.number}/statement/"), 404, "not_found")
    assert_problem(stranger.get(f"/api/v1/accounts/{account.number}/statement/?format=csv"), 404, "not_found")
    assert stranger.get("/api/v1/transactions/").json()["results"] == []


def test_statement_json_and_csv(api, account, other_account):
    api.post(
        "/api/v1/transfers/",
        {
            "source_account": account.number,
            "destination_account": other_account.number,
            "amount": "12.34",
            "description": "Tea, biscuits",
        },
        format="json",
    )
    statement = api.get(f"/api/v1/accounts/{account.number}/statement/").json()["results"]
    assert [(r["amount"], r["balance_after"]) for r in statement] == [("-12.34", "987.66"), ("1000.00", "1000.00")]
    response = api.get(f"/api/v1/accounts/{account.number}/statement/?format=csv&direction=debit")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["description"] == "Tea, biscuits"
    assert (rows[0]["debit"], rows[0]["credit"], rows[0]["balance_after"]) == ("12.34", "", "987.66")


# --- Reversal and integrity ---------------------------------------------------------------


def test_teller_reverses_and_customer_cannot(api, teller, account, other_account):
    receipt = api.post(
        "/api/v1/transfers/",
        {"source_account": account.number, "destination_account": other_account.number, "amount": "40"},
        format="json",
    ).json()
    url = f"/api/v1/transactions/{receipt['id']}/reverse/"
    assert_problem(api.post(url, {"reason": "mine"}, format="json"), 403, "permission_denied")
    reversal = client_for(teller).post(url, {"reason": "Duplicate payment"}, format="json")
    assert reversal.status_code == 201, reversal.content
    assert reversal.json()["reversal_of"] == receipt["id"]
    assert api.get(f"/api/v1/transactions/{receipt['id']}/").json()["status"] == "reversed"
    assert_problem(client_for(teller).post(url, {"reason": "again"}, format="json"), 409, "journal_already_reversed")
    assert_problem(client_for(teller).post(url, {}, format="json"), 400, "validation_error")
    assert balance(account) == D("1000.00")


def test_integrity_endpoint_for_auditors_only(api, auditor, account):
    assert_problem(api.get("/api/v1/ledger/integrity/"), 403, "permission_denied")
    report = client_for(auditor).get("/api/v1/ledger/integrity/").json()
    assert report["ok"] is True
    assert report["totals_by_currency"] == {"INR": "0.00"}
    assert report["entries"] >= 2


def test_receipt_body_is_the_serializers_answer(api, account, other_account, teller, settings):
    """receipt_body builds ReceiptSerializer's output by hand: the same for a fresh transfer
    and a deposit seen by their owner and by staff, a reversed journal and its reversal,
    in UTC and in the bank's own zone."""
    from django.utils import timezone

    from transactions.api import ReceiptSerializer, receipt_body, receipt_data
    from transactions.selectors import journal_entries_with_accounts
    from transactions.services import deposit_create, journal_reverse, transfer_create

    transfer = transfer_create(source=account, destination=other_account, amount=D("12.30"))
    deposit = deposit_create(account=account, amount=D("7"))
    reversal = journal_reverse(journal=deposit, reason="x", initiated_by=teller)
    cases = [(transfer, True)] + [(j, False) for j in (transfer, deposit, reversal)]
    for zone in ("UTC", "Asia/Kolkata"):
        settings.TIME_ZONE = zone
        with timezone.override(zone):
            for journal, fresh in cases:
                entries = journal.posted_entries if fresh else journal_entries_with_accounts(journal=journal)
                for viewer in (account.owner.user, other_account.owner.user, teller):
                    data = receipt_data(journal, entries, viewer, fresh=fresh)
                    assert receipt_body(data) == ReceiptSerializer(data).data


def _transfer_input_bodies():  # type: ignore[no-untyped-def]
    from hypothesis import strategies as st

    from accounts.numbers import account_number_build

    valid = account_number_build(bank_code="101", branch_code="0001", serial=7)
    number = st.sampled_from(
        [valid, valid[:-1] + str((int(valid[-1]) + 1) % 10), valid[:15], valid + "0", f" {valid}", f"{valid}\n",
         "١" * 16, "", "   ", 1010001000000078, None, True, 3.5, [valid], {"n": valid}]
    ) | st.text(max_size=20)  # fmt: skip
    amount = st.sampled_from(
        ["10.00", "0.001", "-5", "0", "1e3", "NaN", " 1.00", "1.", ".5", "99999999999999999.99", "1" * 41, 5, 0,
         -3, True, 1.5, None, "", [1], "10000000000000000"]
    ) | st.text(max_size=12)  # fmt: skip
    description = st.sampled_from(
        ["", "rent", "  padded  ", "   ", "x" * 140, "x" * 141, " " + "x" * 140 + " ", "a\x00b", "\ud800", "é" * 140,
         "line\nbreak", 12, 1.5, None, True, ["x"]]
    ) | st.text(max_size=150)  # fmt: skip
    fields = {"source_account": number, "destination_account": number, "amount": amount, "description": description}
    body = st.fixed_dictionaries({}, optional={**fields, "ammount": st.just("1.00")})
    return body | st.sampled_from([None, [], "text", 5, {"source_account": valid}])


@pytest.mark.django_db
def test_transfer_input_is_the_serializers_answer():
    """transfer_input takes well-formed bodies without the serializer: for any body it gives
    the serializer's validated data, or the serializer's own refusal."""
    from hypothesis import HealthCheck, given, settings
    from rest_framework.exceptions import ValidationError

    from transactions.api import TransferInputSerializer, transfer_input

    @settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_transfer_input_bodies())
    def check(body):  # type: ignore[no-untyped-def]
        serializer = TransferInputSerializer(data=body)
        if serializer.is_valid():
            assert transfer_input(body) == dict(serializer.validated_data)
            assert list(transfer_input(body)) == ["source_account", "destination_account", "amount", "description"]
        else:
            with pytest.raises(ValidationError) as refused:
                transfer_input(body)
            assert refused.value.detail == serializer.errors  # messages and their codes

    check()


def test_a_well_formed_transfer_body_skips_the_serializer(monkeypatch):
    import transactions.api
    from accounts.numbers import account_number_build

    monkeypatch.setattr(transactions.api, "TransferInputSerializer", None)  # would fail if built
    source, destination = (account_number_build(bank_code="101", branch_code="0001", serial=n) for n in (1, 2))
    body = {"source_account": source, "destination_account": destination, "amount": "12.50", "description": " rent "}
    assert transactions.api.transfer_input(body) == {**body, "amount": D("12.50"), "description": "rent"}
