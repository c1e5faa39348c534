"""The risk model: honest about how good it is, and refused when it does not fit the code."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import joblib
import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from loans.ml import features, registry, training
from loans.tests.conftest import APPLICANT

D = Decimal


def test_every_choice_maps_to_a_label_the_data_uses():
    raw = pd.read_csv(training.DATA_FILE)
    for column, mapping in [
        ("credit_history", features.CREDIT_HISTORY),
        ("purpose", features.PURPOSE),
        ("other_debtors_or_guarantors", features.OTHER_DEBTORS),
        ("property", features.PROPERTY),
        ("other_installment_plans", features.OTHER_INSTALLMENT_PLANS),
        ("housing", features.HOUSING),
        ("job", features.JOB),
    ]:
        assert set(mapping.values()) <= set(raw[column]), column
    banded = {
        "status_of_existing_checking_account": [features.CHECKING_NONE, features.CHECKING_TOP]
        + [label for _, label in features.CHECKING_BANDS],
        "savings_account_and_bonds": [features.SAVINGS_NONE, features.SAVINGS_TOP]
        + [label for _, label in features.SAVINGS_BANDS],
        "present_employment_since": [features.EMPLOYMENT_NONE, features.EMPLOYMENT_TOP]
        + [label for _, label in features.EMPLOYMENT_BANDS],
    }
    for column, labels in banded.items():
        assert set(labels) == set(raw[column]), column
    assert training.file_sha256(training.DATA_FILE) == (
        "2c0bae00275c028fc853a1ea72cc7a68002c3f6876c41300c5c948711540c8c6"
    )


def row(**applicant):  # type: ignore[no-untyped-def]
    return features.feature_row(
        amount=D("250000.00"),
        term_months=24,
        purpose="home",
        emi=D("11500.00"),
        applicant={**APPLICANT, **applicant},
        currency_per_dm=D("100"),
    )


def test_feature_row_bands_amounts_in_dm_equivalents():
    r = row()
    assert list(r) == features.FEATURES
    assert r["credit_amount"] == 2500.0 and r["duration_in_month"] == 24
    assert r["purpose"] == "others"
    assert r["status_of_existing_checking_account"] == "0 <= ... < 200 DM"  # INR 15,000 = 150 DM-eq.
    assert row(checking_balance=D("20000.00"))["status_of_existing_checking_account"] == (
        "... >= 200 DM / salary assignments for at least 1 year"
    )
    assert r["savings_account_and_bonds"] == "500 <= ... < 1000 DM"
    assert r["installment_rate_in_percentage_of_disposable_income"] == 1  # 11,500 of 85,000: under 20%
    assert row(checking_balance=None)["status_of_existing_checking_account"] == "no checking account"
    assert row(checking_balance=D("-1.00"))["status_of_existing_checking_account"] == "... < 0 DM"
    assert row(employment_years=None)["present_employment_since"] == "unemployed"
    assert row(monthly_income=D("30000.00"))["installment_rate_in_percentage_of_disposable_income"] == 4
    assert row(existing_credits=0)["number_of_existing_credits_at_this_bank"] == 1
    assert not set(features.EXCLUDED) & set(r)


def test_missing_applicant_attributes_are_refused():
    applicant = dict(APPLICANT)
    del applicant["housing"]
    with pytest.raises(features.MissingFeatures) as info:
        features.feature_row(
            amount=D("1"), term_months=1, purpose="other", emi=D("1"), applicant=applicant, currency_per_dm=D("1")
        )
    assert info.value.missing == ["housing"]


def test_pipeline_beats_a_trivial_classifier_on_a_held_out_split():
    X, y = training.dataset_load()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    name = "xgboost" if "xgboost" in training.candidates() else "random_forest"
    model = clone(training.candidates()[name]).fit(X_train, y_train)
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    trivial = DummyClassifier(strategy="prior").fit(X_train, y_train)
    assert roc_auc_score(y_test, trivial.predict_proba(X_test)[:, 1]) == 0.5
    assert auc > 0.75, auc


def test_cost_threshold_minimises_the_documented_cost():
    y = np.array([1, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.3, 0.35, 0.2, 0.1, 0.05])
    threshold, cost = training.cost_threshold(y, p)
    # Rejecting from 0.3 up catches both bad (5 each) at the price of one good (1).
    assert 0.2 < threshold <= 0.3
    assert cost == pytest.approx(1 / 6)


def test_saved_model_round_trips_through_joblib(risk_model):
    bundle = joblib.load(risk_model / training.MODEL_FILE)
    loaded = registry.model_load(risk_model)
    frame = features.frame_from_rows([row(), row(checking_balance=None, savings_balance=None)])
    assert np.array_equal(bundle["pipeline"].predict_proba(frame), loaded.pipeline.predict_proba(frame))
    assert bundle["card"] == loaded.card == json.loads((risk_model / training.CARD_JSON).read_text())
    score = registry.score(row(), directory=risk_model)
    assert D(0) <= score.probability <= D(1)
    assert score.band in {"low", "medium", "high"}
    assert score.model_version == loaded.version


def test_scoring_refuses_a_vector_with_missing_features(risk_model):
    incomplete = row()
    del incomplete["housing"]
    with pytest.raises(features.MissingFeatures):
        registry.score(incomplete, directory=risk_model)


def _tampered(directory, target, **card_changes):  # type: ignore[no-untyped-def]
    bundle = joblib.load(directory / training.MODEL_FILE)
    card = {**bundle["card"], **card_changes}
    target.mkdir()
    joblib.dump({"pipeline": bundle["pipeline"], "card": card}, target / training.MODEL_FILE)
    return target


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": features.FEATURES[:-1]}, "another feature set"),
        ({"mapping_version": features.MAPPING_VERSION + 1}, "another feature set"),
        ({"currency_per_dm": "80"}, "scales amounts"),
        ({"library_versions": {"scikit-learn": "0.24.2", "xgboost": "1.0.0"}}, "scikit-learn 0.24.2"),
    ],
)
def test_incompatible_models_are_refused(settings, risk_model, tmp_path, changes, message):
    directory = _tampered(risk_model, tmp_path / "bad", **changes)
    with pytest.raises(registry.ModelUnavailable, match=message):
        registry.model_load(directory)


def test_missing_or_unreadable_model_is_refused(settings, tmp_path):
    settings.LOAN_MODEL_DIR = tmp_path
    with pytest.raises(registry.ModelUnavailable, match="train_loan_model"):
        registry.model_load()
    (tmp_path / training.MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(registry.ModelUnavailable, match="cannot be read"):
        registry.model_load()


def test_train_loan_model_command_compares_six_families_and_writes_the_card(settings, tmp_path):
    settings.LOAN_RISK_CURRENCY_PER_DM = "100"
    out = StringIO()
    call_command("train_loan_model", output_dir=tmp_path, stdout=out)
    card = json.loads((tmp_path / training.CARD_JSON).read_text())
    expected = {"logistic_regression", "random_forest", "k_nearest_neighbours", "naive_bayes", "decision_tree"}
    assert expected <= set(card["candidates"])
    assert card["algorithm"] == max(card["candidates"], key=lambda name: card["candidates"][name]["roc_auc_mean"])
    for metrics in card["candidates"].values():
        assert {"roc_auc_mean", "f1", "precision", "recall", "accuracy", "cost_per_applicant"} <= set(metrics)
    assert card["selected"]["roc_auc_mean"] >= 0.80, card["selected"]
    assert card["meets_target"] is True
    assert 0 < card["threshold"] < 0.5  # a bad applicant costs five times a good one
    assert card["selected"]["cost_per_applicant"] < card["trivial_baseline"]["cost_per_applicant"]
    assert card["data"]["sha256"] == training.file_sha256(training.DATA_FILE)
    assert card["features"] == features.FEATURES
    assert "scikit-learn" in card["library_versions"]
    assert "cross-validation" in out.getvalue() and "ROC AUC" in out.getvalue()
    assert "ROC AUC" in (tmp_path / training.CARD_MARKDOWN).read_text()

    again = StringIO()
    call_command("train_loan_model", output_dir=tmp_path, if_missing=True, stdout=again)
    assert "not retraining" in again.getvalue()
