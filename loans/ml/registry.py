"""Loading the saved risk model and scoring with it.

The model is loaded once per process (and again when its file changes) and checked
before use: its feature list and mapping version must be this code's, its amount scale
this deployment's, and the scikit-learn/XGBoost it was pickled with the ones installed.
Anything else is refused with `ModelUnavailable`, which the API reports as a 503 problem
with a clear message, never a 500.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from . import features as F

# scikit-learn, pandas and XGBoost (about 150 MB of a web worker's memory) are imported
# when a model is first loaded or trained, not when Django starts: most requests never
# score a loan.
MODEL_FILE = "model.joblib"


class ModelUnavailable(Exception):
    pass


@dataclass(frozen=True)
class RiskScore:
    probability: Decimal  # of default, 4 decimal places
    band: str  # low, medium, high
    advice: str  # approve, review, decline
    model_version: str
    threshold: Decimal
    features: dict[str, Any]


@dataclass(frozen=True)
class LoadedModel:
    pipeline: Any
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return self.card["model_version"]


_lock = threading.Lock()
_cache: dict[str, tuple[float, LoadedModel]] = {}


def model_dir() -> Path:
    return Path(settings.LOAN_MODEL_DIR)


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _check(card: dict[str, Any]) -> None:
    if card.get("features") != F.FEATURES or card.get("mapping_version") != F.MAPPING_VERSION:
        raise ModelUnavailable(
            "The saved risk model was trained on another feature set; retrain it with "
            "`python manage.py train_loan_model`."
        )
    if Decimal(str(card.get("currency_per_dm"))) != Decimal(settings.LOAN_RISK_CURRENCY_PER_DM):
        raise ModelUnavailable(
            f"The saved risk model scales amounts by {card.get('currency_per_dm')} per DM, this deployment by "
            f"{settings.LOAN_RISK_CURRENCY_PER_DM}; retrain it with `python manage.py train_loan_model`."
        )
    from .training import library_versions

    installed = library_versions()
    for library in ("scikit-learn", "xgboost"):
        saved = card.get("library_versions", {}).get(library)
        if library == "xgboost" and card.get("algorithm") != "xgboost":
            continue
        if saved is None or library not in installed or _major_minor(saved) != _major_minor(installed[library]):
            raise ModelUnavailable(
                f"The saved risk model was made with {library} {saved}, this server has "
                f"{installed.get(library, 'none')}; retrain it with `python manage.py train_loan_model`."
            )


def model_load(directory: Path | None = None) -> LoadedModel:
    """The checked model from `directory` (LOAN_MODEL_DIR by default), cached per file version."""
    import joblib

    path = (directory or model_dir()) / MODEL_FILE
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise ModelUnavailable(
            "No risk model has been trained yet: run `python manage.py train_loan_model` (make run does)."
        ) from None
    with _lock:
        cached = _cache.get(str(path))
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            bundle = joblib.load(path)
            loaded = LoadedModel(pipeline=bundle["pipeline"], card=bundle["card"])
        except Exception as error:  # a truncated or foreign file, or classes that moved
            raise ModelUnavailable(f"The saved risk model cannot be read ({error.__class__.__name__}).") from error
        _check(loaded.card)
        _cache[str(path)] = (mtime, loaded)
        return loaded


def band_for(probability: float, threshold: float) -> tuple[str, str]:
    """Risk band and advice: below the cost threshold is low risk (approve); between it and
    even odds is medium (review); at even odds or worse is high (decline). Advice only."""
    if probability < threshold:
        return "low", "approve"
    if probability < 0.5:
        return "medium", "review"
    return "high", "decline"


def score(row: dict[str, Any], *, directory: Path | None = None) -> RiskScore:
    model = model_load(directory)
    missing = [name for name in F.FEATURES if name not in row]
    if missing:
        raise F.MissingFeatures(missing)
    frame = F.frame_from_rows([row])
    probability = float(model.pipeline.predict_proba(frame)[0, 1])
    threshold = float(model.card["threshold"])
    band, advice = band_for(probability, threshold)
    return RiskScore(
        probability=Decimal(repr(probability)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        band=band,
        advice=advice,
        model_version=model.version,
        threshold=Decimal(str(threshold)),
        features=row,
    )
