"""Scores in 0..1 from the newest active Isolation Forest, or from rules until one exists.

The forest's raw anomaly score (the paper's 2^(-E(h)/c(n)), sklearn's `-score_samples`) is
calibrated on its own training set: the median transfer maps to 0, the top of the training
set (TOP_QUANTILE) to 1, linearly, clipped. So the thresholds read as "how far out of the
customer base's normal behaviour", and a retrained model keeps their meaning.

Without a trained model, simple rules score; they are capped below the CRITICAL threshold,
so an untrained bank flags transfers for review but never holds anybody's money.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection

from .features import FEATURES
from .models import RiskModel, Verdict

if TYPE_CHECKING:
    # scikit-learn is imported where a forest is fitted or unpickled, not when a web worker
    # starts: until a model is trained, screening scores by rules and never needs it.
    from sklearn.ensemble import IsolationForest

TOP_QUANTILE = 99.5
RULES_CAP = 0.79
_loaded: dict[int, IsolationForest] = {}


@dataclass(frozen=True)
class Score:
    value: float
    verdict: str
    model_version: int | None


def verdict_for(score: float) -> str:
    if score >= settings.FRAUD_CRITICAL_THRESHOLD:
        return Verdict.CRITICAL
    if score >= settings.FRAUD_SUSPICIOUS_THRESHOLD:
        return Verdict.SUSPICIOUS
    return Verdict.SAFE


def rules_score(vector: list[float]) -> float:
    named = dict(zip(FEATURES, vector, strict=True))
    score = 0.0
    score += 0.35 if named["amount_vs_usual"] >= 3 else 0.0  # eight times the usual amount
    score += 0.2 if named["night"] else 0.0
    score += 0.2 if named["new_payee"] and named["log_amount"] >= 4 else 0.0  # new payee, 10,000+
    score += 0.25 if named["sent_last_minute"] >= 3 else 0.0
    return min(score, RULES_CAP)


def model_fit(vectors: list[list[float]], *, seed: int = 0) -> tuple[IsolationForest, dict[str, float]]:
    matrix = np.asarray(vectors, dtype=float)
    from sklearn.ensemble import IsolationForest

    forest = IsolationForest(n_estimators=150, max_samples=min(256, len(matrix)), random_state=seed)
    forest.fit(matrix)
    raw = -forest.score_samples(matrix)
    return forest, {"median": float(np.median(raw)), "top": float(np.percentile(raw, TOP_QUANTILE))}


def calibrated(forest: IsolationForest, calibration: dict[str, float], matrix: np.ndarray) -> np.ndarray:
    raw = -forest.score_samples(matrix)
    span = max(calibration["top"] - calibration["median"], 1e-9)
    return np.clip((raw - calibration["median"]) / span, 0.0, 1.0)


def model_save(forest: IsolationForest, calibration: dict[str, float], trained_on: int) -> RiskModel:
    buffer = io.BytesIO()
    import joblib

    joblib.dump(forest, buffer)
    latest = RiskModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
    return RiskModel.objects.create(
        version=latest + 1,
        estimator=buffer.getvalue(),
        calibration=calibration,
        features=FEATURES,
        trained_on=trained_on,
    )


@dataclass(frozen=True)
class ActiveModel:
    """The version and calibration of the model that scores (read for every transfer, so a
    model switched off or retrained scores no transfer after that commits); the forest
    itself is unpickled once per process and version (a version's estimator never changes)."""

    version: int
    calibration: dict[str, float]

    @classmethod
    def from_row(cls, value: str | list | None) -> ActiveModel | None:
        """From the `jsonb_build_array(version, calibration)` of risk.selectors.ACTIVE_MODEL_SQL."""
        if value is None:
            return None
        version, calibration = json.loads(value) if isinstance(value, str) else value
        return cls(version=version, calibration=calibration)


def active_model() -> ActiveModel | None:
    """The newest active model, or None (score by rules)."""
    from .selectors import ACTIVE_MODEL_SQL, FEATURES_JSON

    if connection.vendor != "postgresql":
        model = RiskModel.objects.filter(active=True, features=FEATURES).order_by("-version").first()
        return ActiveModel(version=model.version, calibration=model.calibration) if model else None
    with connection.cursor() as cursor:
        cursor.execute(ACTIVE_MODEL_SQL, {"features": FEATURES_JSON})
        row = cursor.fetchone()
    return ActiveModel.from_row(row[0]) if row else None


def forest_of(version: int) -> IsolationForest:
    if version not in _loaded:
        blob = RiskModel.objects.filter(version=version).values_list("estimator", flat=True).get()
        import joblib

        _loaded[version] = joblib.load(io.BytesIO(bytes(blob)))
    return _loaded[version]


_READ = object()


def score_vector(vector: list[float], active: ActiveModel | object | None = _READ) -> Score:
    """Score by the active model (`active`, when the caller read it already), or by rules."""
    model = active_model() if active is _READ else active
    if model is None:
        value = rules_score(vector)
        return Score(round(value, 4), verdict_for(value), None)
    assert isinstance(model, ActiveModel)
    forest = forest_of(model.version)
    value = float(calibrated(forest, model.calibration, np.asarray([vector], dtype=float))[0])
    return Score(round(value, 4), verdict_for(value), model.version)
