from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import client_for
from loans.ml import features, registry
from loans.models import Loan, Repayment
from loans.tests.conftest import applicant_json, loan_apply, loan_disbursed
from transactions.services import deposit_create
from transactions.tests.test_api import assert_problem

D = Decimal

pytestmark = pytest.mark.usefixtures("risk_model")


def body(account=None, **changes):  # type: ignore[no-untyped-def]
    data = {"product": "personal", "amount": "150000.00", "term_months": 24, "purpose": "used_car", **applicant_json()}
    if account is not None:
        data["account"] = account.number
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


# --- Prediction --------------------------------------------------------------------------------


def test_predict_scores_without_creating_anything(api, product):
    response = api.post("/api/v1/loans/predict/", body(), format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert D("0") <= D(result["probability"]) <= D("1")
    assert result["band"] in {"low", "medium", "high"} and result["advice"] in {"approve", "review", "decline"}
    assert result["model_version"] == registry.model_load().version
    assert result["first_instalment"] == "6956.41"
    assert list(result["features"]) == features.FEATURES
    assert Loan.objects.count() == 0


def test_the_stored_models_features_are_what_the_api_builds(api, account, product):
    """The bug earlier projects had: a feature vector that did not match the model."""
    model = registry.model_load()
    predicted = api.post("/api/v1/loans/predict/", body(), format="json").json()
    # The pipeline was fitted on a frame with exactly these columns, in this order.
    assert list(model.pipeline.feature_names_in_) == list(predicted["features"]) == model.card["features"]
    frame = features.frame_from_rows([predicted["features"]])
    assert model.pipeline.predict_proba(frame).shape == (1, 2)
    for name in features.NUMERIC:
        assert isinstance(predicted["features"][name], int | float), name
    for name in features.CATEGORICAL:
        encoder = model.pipeline.named_steps["features"].named_steps["encode"].named_transformers_["categorical"]
        known = encoder.categories_[features.CATEGORICAL.index(name)]
        assert predicted["features"][name] in known, (name, predicted["features"][name])
    # Applying with the same body stores the same vector and probability.
    applied = api.post("/api/v1/loans/", body(account), format="json").json()
    loan = Loan.objects.get(pk=applied["id"])
    assert loan.model_inputs == predicted["features"]
    assert applied["risk"]["probability"] == predicted["probability"]


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"housing": ...}, 400, "required", "housing"),
        ({"age": ...}, 400, "required", "age"),
        ({"checking_balance": ...}, 400, "required", "checking_balance"),
        ({"salary": "1"}, 400, "unknown_field", "salary"),
        ({"housing": "castle"}, 400, "invalid_choice", "housing"),
        ({"amount": 150000.5}, 400, "invalid", "amount"),
        ({"amount": "1e5"}, 400, "invalid", "amount"),
        ({"amount": "NaN"}, 400, "invalid", "amount"),
        ({"monthly_income": "0"}, 400, "invalid", "monthly_income"),
        ({"age": 12}, 400, "min_value", "age"),
        ({"term_months": "twelve"}, 400, "invalid", "term_months"),
        ({"product": "yacht"}, 400, "product_not_found", "product"),
        ({"term_months": 61}, 400, "term_out_of_range", "term_months"),
        ({"amount": "20000000.00"}, 422, "amount_above_limit", "amount"),
        ({"amount": "10.00"}, 400, "amount_out_of_range", "amount"),
    ],
)
def test_predict_bad_input(api, product, changes, status, code, field):
    response = api.post("/api/v1/loans/predict/", body(**changes), format="json")
    problem = assert_problem(
        response,
        status,
        "validation_error"
        if status == 400 and field != "product" and code in {"required", "invalid_choice", "invalid", "min_value"}
        else code,
    )
    assert field in problem["errors"], problem


def test_predict_and_apply_without_a_model_are_503_not_500(settings, tmp_path, api, account, product):
    settings.LOAN_MODEL_DIR = tmp_path
    for url, data in (("/api/v1/loans/predict/", body()), ("/api/v1/loans/", body(account))):
        problem = assert_problem(api.post(url, data, format="json"), 503, "risk_model_unavailable")
        assert "train_loan_model" in problem["detail"]
    assert Loan.objects.count() == 0


def test_predict_refuses_non_json_and_anonymous(api, product):
    assert_problem(api.post("/api/v1/loans/predict/", "x=1", content_type="text/plain"), 415, "unsupported_media_type")
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/loans/predict/", body(), format="json").status_code == 401


# --- Application, visibility ----------------------------------------------------------------------


def test_customer_applies_and_sees_only_their_loans(api, customer, account, other_customer, other_account, product):
    response = api.post("/api/v1/loans/", body(account), format="json")
    assert response.status_code == 201, response.content
    loan = response.json()
    assert (loan["status"], loan["amount"], loan["account"], loan["product"]) == (
        "submitted",
        "150000.00",
        account.number,
        "personal",
    )
    assert loan["approvals_required"] == 1 and loan["approvals_missing"] == 1
    assert loan["payoff_amount"] is None
    others = loan_apply(other_customer, other_account, product)
    assert [item["id"] for item in api.get("/api/v1/loans/").json()["results"]] == [loan["id"]]
    assert api.get(f"/api/v1/loans/{loan['id']}/").json()["risk"]["model_version"]
    for url in (
        f"/api/v1/loans/{others.pk}/",
        f"/api/v1/loans/{others.pk}/schedule/",
        f"/api/v1/loans/{others.pk}/repayments/",
    ):
        assert_problem(api.get(url), 404, "not_found")
    assert_problem(
        api.post(f"/api/v1/loans/{others.pk}/repayments/", {"amount": "10.00"}, format="json"), 404, "not_found"
    )
    assert_problem(api.post(f"/api/v1/loans/{others.pk}/close/", {}, format="json"), 404, "not_found")
    assert_problem(api.get("/api/v1/loans/999999/"), 404, "not_found")


def test_apply_refusals_over_the_api(api, customer, account, other_account, teller, product):
    assert_problem(api.post("/api/v1/loans/", body(other_account), format="json"), 400, "account_not_found")
    assert_problem(api.post("/api/v1/loans/", body(), format="json"), 400, "validation_error")  # no account
    bad_number = {**body(account), "account": "1234567890123456"}
    assert_problem(api.post("/api/v1/loans/", bad_number, format="json"), 400, "validation_error")
    assert_problem(client_for(teller).post("/api/v1/loans/", body(account), format="json"), 403, "customers_only")
    assert Loan.objects.count() == 0


def test_products_are_listed(api, product):
    products = {p["code"]: p for p in api.get("/api/v1/loan-products/").json()}
    assert products["personal"]["annual_rate"] == "10.5000"
    assert products["personal"]["min_amount"] == "25000.00"


# --- Review, disbursement, repayment over the API -----------------------------------------------------


def test_officers_review_and_disburse_customers_cannot(api, customer, account, product, officer, second_officer):
    loan = loan_apply(customer, account, product, amount="800000.00", term=48)
    decision = {"outcome": "approve", "reason": "Salary slips verified"}
    assert_problem(api.post(f"/api/v1/loans/{loan.pk}/decision/", decision, format="json"), 403, "permission_denied")
    assert_problem(api.post(f"/api/v1/loans/{loan.pk}/disburse/", {}, format="json"), 403, "permission_denied")
    first = client_for(officer)
    after_one = first.post(f"/api/v1/loans/{loan.pk}/decision/", decision, format="json").json()
    assert (after_one["status"], after_one["approvals_missing"]) == ("under_review", 1)
    assert_problem(
        first.post(f"/api/v1/loans/{loan.pk}/decision/", decision, format="json"), 409, "second_officer_required"
    )
    assert_problem(first.post(f"/api/v1/loans/{loan.pk}/disburse/", {}, format="json"), 409, "loan_not_approved")
    assert_problem(
        first.post(f"/api/v1/loans/{loan.pk}/decision/", {"outcome": "maybe", "reason": "x"}, format="json"),
        400,
        "validation_error",
    )
    second = client_for(second_officer)
    approved = second.post(f"/api/v1/loans/{loan.pk}/decision/", decision, format="json").json()
    assert approved["status"] == "approved"
    assert [d["officer"] for d in approved["decisions"]] == ["lata", "mohan"]
    disbursed = second.post(f"/api/v1/loans/{loan.pk}/disburse/", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert disbursed.status_code == 200, disbursed.content
    replay = second.post(f"/api/v1/loans/{loan.pk}/disburse/", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert replay.json() == disbursed.json() and replay["Idempotent-Replayed"] == "true"
    assert_problem(second.post(f"/api/v1/loans/{loan.pk}/disburse/", {}, format="json"), 409, "loan_already_disbursed")
    schedule = api.get(f"/api/v1/loans/{loan.pk}/schedule/").json()
    assert len(schedule) == 48
    assert sum(D(row["principal"]) for row in schedule) == D("800000.00")
    assert disbursed.json()["emi"] == schedule[0]["amount_due"]


def test_customer_repays_and_closes_over_the_api(api, customer, account, product, officer):
    loan = loan_disbursed(customer, account, product, officer)
    headers = {"HTTP_IDEMPOTENCY_KEY": "repay-1"}
    first = api.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "5000.00"}, format="json", **headers)
    assert first.status_code == 201, first.content
    again = api.post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "5000.00"}, format="json", **headers)
    assert again.json() == first.json()
    assert Repayment.objects.filter(loan=loan).count() == 1
    for bad, code in (
        ({"amount": "-1"}, "amount_not_positive"),
        ({"amount": 1.5}, "validation_error"),
        ({"amt": "1"}, "unknown_field"),
    ):
        assert_problem(api.post(f"/api/v1/loans/{loan.pk}/repayments/", bad, format="json"), 400, code)
    payments = api.get(f"/api/v1/loans/{loan.pk}/repayments/").json()["results"]
    assert [p["amount"] for p in payments] == ["5000.00"]
    assert payments[0]["reference"].startswith("LON")
    deposit_create(account=account, amount=D("20000.00"))  # months of interest are due by now
    closed = api.post(f"/api/v1/loans/{loan.pk}/close/", {}, format="json")
    assert closed.status_code == 201, closed.content
    assert api.get(f"/api/v1/loans/{loan.pk}/").json()["status"] == "closed"
    assert_problem(api.post(f"/api/v1/loans/{loan.pk}/close/", {}, format="json"), 409, "loan_not_active")


def test_loan_officers_do_not_take_payments(customer, account, product, officer, teller):
    loan = loan_disbursed(customer, account, product, officer)
    response = client_for(officer).post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "10.00"}, format="json")
    assert_problem(response, 403, "permission_denied")
    assert (
        client_for(teller).post(f"/api/v1/loans/{loan.pk}/repayments/", {"amount": "10.00"}, format="json").status_code
        == 201
    )
