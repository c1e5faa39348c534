"""How well the detector separates injected frauds from normal activity (evaluate_fraud)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from .features import vectors_from_events
from .scoring import calibrated, model_fit
from .synthetic import synthetic_activity


@dataclass(frozen=True)
class Evaluation:
    events: int
    frauds: int
    roc_auc: float
    at_thresholds: dict[str, dict[str, float]]  # "suspicious"/"critical" -> precision, recall, flagged
    recall_by_pattern: dict[str, float]


def fraud_evaluate(*, customers: int = 300, days: int = 60, seed: int = 0, progress=None) -> Evaluation:  # type: ignore[no-untyped-def]
    """Train on the first 70% of the period (unlabelled, as the bank would), score the rest."""
    events, labels, patterns = synthetic_activity(customers=customers, days=days, seed=seed)
    vectors = list(vectors_from_events(progress(events) if progress else events))
    split = int(len(events) * 0.7)
    forest, calibration = model_fit(vectors[:split], seed=seed)
    scores = calibrated(forest, calibration, np.asarray(vectors[split:], dtype=float))
    truth = np.asarray(labels[split:])
    thresholds = {
        "suspicious": settings.FRAUD_SUSPICIOUS_THRESHOLD,
        "critical": settings.FRAUD_CRITICAL_THRESHOLD,
    }
    at_thresholds = {}
    for name, threshold in thresholds.items():
        flagged = scores >= threshold
        at_thresholds[name] = {
            "threshold": threshold,
            "precision": float(precision_score(truth, flagged, zero_division=0)),
            "recall": float(recall_score(truth, flagged, zero_division=0)),
            "flagged": int(flagged.sum()),
        }
    test_patterns = np.asarray(patterns[split:])
    suspicious = scores >= settings.FRAUD_SUSPICIOUS_THRESHOLD
    recall_by_pattern = {
        pattern: float(suspicious[test_patterns == pattern].mean()) for pattern in sorted(set(test_patterns) - {""})
    }
    return Evaluation(
        events=len(truth),
        frauds=int(truth.sum()),
        roc_auc=float(roc_auc_score(truth, scores)),
        at_thresholds=at_thresholds,
        recall_by_pattern=recall_by_pattern,
    )
