"""The one place where a loan application becomes the risk model's feature vector.

The model is trained on the Statlog German Credit data (loans/ml/data/README.md). Each
attribute an applicant gives us is mapped here to the German Credit attribute of the same
meaning, with the dataset's own category labels, so training (which reads the CSV) and
scoring (which reads an application) share one vocabulary and one column order.

Our input (API field) -> German Credit attribute: how.

- `checking_balance` (null: none) -> status_of_existing_checking_account:
  banded: no account, < 0, < 200 DM-eq., >= 200 DM-eq.
- `term_months` -> duration_in_month: as is.
- `credit_history` -> credit_history: one-to-one choice.
- `purpose` -> purpose: one-to-one choice; `home` has no counterpart and maps to "others".
- `amount` -> credit_amount: amount / LOAN_RISK_CURRENCY_PER_DM.
- `savings_balance` (null: none or unknown) -> savings_account_and_bonds:
  banded: unknown/none, < 100, < 500, < 1000, >= 1000 DM-eq.
- `employment_years` (null: unemployed) -> present_employment_since:
  banded: unemployed, < 1, < 4, < 7, >= 7 years.
- `monthly_income` and the first instalment -> installment_rate_in_percentage_of_disposable_income:
  instalment / income < 20% = 1, < 25% = 2, < 35% = 3, else 4.
- `other_debtors` -> other_debtors_or_guarantors: one-to-one choice.
- `residence_years` -> present_residence_since: < 1 = 1, < 4 = 2, < 7 = 3, else 4.
- `property` -> property: one-to-one choice.
- `age` -> age_in_years: as is.
- `other_installment_plans` -> other_installment_plans: one-to-one choice.
- `housing` -> housing: one-to-one choice.
- `existing_credits` -> number_of_existing_credits_at_this_bank: clipped to 1..4.
- `job` -> job: one-to-one choice.
- `dependants` -> number_of_people_being_liable_to_provide_maintenance_for: 0-1 = 1, 2+ = 2.
- `has_telephone` -> telephone: yes / none.

Left out on purpose: `personal_status_and_sex` and `foreign_worker`. Sex, marital status
and nationality must not decide credit; dropping them costs no measurable ROC AUC on this
data (see the model card).

Amounts: the data are 1970s-90s Deutsche Mark. `LOAN_RISK_CURRENCY_PER_DM` (default 100,
so INR 100 = 1 DM-equivalent, which puts a typical INR 2-3 lakh personal loan at the
data's median of about 2,300 DM) is a scaling choice, not an exchange rate; it is recorded
in the model card and checked when the model is loaded.

The instalment-rate bands follow the data: its bad rate rises from 25% at 1 to 33% at 4,
so 4 is read as the heaviest burden (the codebook's order is disputed; see Grömping 2019).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

# Bump when the mapping below changes meaning: a model trained under another version is
# refused at load time rather than fed vectors it was not trained on.
MAPPING_VERSION = 1

TARGET = "creditability"
BAD = "bad"

# The model's input columns, in order (German Credit names).
CATEGORICAL = [
    "status_of_existing_checking_account",
    "credit_history",
    "purpose",
    "savings_account_and_bonds",
    "present_employment_since",
    "other_debtors_or_guarantors",
    "property",
    "other_installment_plans",
    "housing",
    "job",
    "telephone",
]
NUMERIC = [
    "duration_in_month",
    "credit_amount",
    "installment_rate_in_percentage_of_disposable_income",
    "present_residence_since",
    "age_in_years",
    "number_of_existing_credits_at_this_bank",
    "number_of_people_being_liable_to_provide_maintenance_for",
]
FEATURES = CATEGORICAL + NUMERIC
EXCLUDED = ["personal_status_and_sex", "foreign_worker"]

# Our choices -> the data's labels. The keys are the API's enum values.
CREDIT_HISTORY = {
    "no_credits": "no credits taken/ all credits paid back duly",
    "all_paid_here": "all credits at this bank paid back duly",
    "existing_paid_duly": "existing credits paid back duly till now",
    "past_delays": "delay in paying off in the past",
    "critical": "critical account/ other credits existing (not at this bank)",
}
PURPOSE = {
    "new_car": "car (new)",
    "used_car": "car (used)",
    "furniture": "furniture/equipment",
    "electronics": "radio/television",
    "appliances": "domestic appliances",
    "repairs": "repairs",
    "education": "education",
    "retraining": "retraining",
    "business": "business",
    "home": "others",  # no home-purchase loans in the data
    "other": "others",
}
OTHER_DEBTORS = {"none": "none", "co_applicant": "co-applicant", "guarantor": "guarantor"}
PROPERTY = {
    "real_estate": "real estate",
    "savings_insurance": "building society savings agreement/ life insurance",
    "car_or_other": "car or other, not in attribute Savings account/bonds",
    "none": "unknown / no property",
}
OTHER_INSTALLMENT_PLANS = {"none": "none", "bank": "bank", "stores": "stores"}
HOUSING = {"own": "own", "rent": "rent", "free": "for free"}
JOB = {
    "unemployed_non_resident": "unemployed/ unskilled - non-resident",
    "unskilled": "unskilled - resident",
    "skilled": "skilled employee / official",
    "management": "management/ self-employed/ highly qualified employee/ officer",
}

CHECKING_NONE = "no checking account"
CHECKING_BANDS = [(0, "... < 0 DM"), (200, "0 <= ... < 200 DM")]
CHECKING_TOP = "... >= 200 DM / salary assignments for at least 1 year"
SAVINGS_NONE = "unknown/ no savings account"
SAVINGS_BANDS = [(100, "... < 100 DM"), (500, "100 <= ... < 500 DM"), (1000, "500 <= ... < 1000 DM")]
SAVINGS_TOP = "... >= 1000 DM"
EMPLOYMENT_NONE = "unemployed"
EMPLOYMENT_BANDS = [(1, "... < 1 year"), (4, "1 <= ... < 4 years"), (7, "4 <= ... < 7 years")]
EMPLOYMENT_TOP = "... >= 7 years"
# (upper bound of EMI as a share of monthly income, code)
INSTALLMENT_RATE_BANDS = [(Decimal("0.20"), 1), (Decimal("0.25"), 2), (Decimal("0.35"), 3)]
RESIDENCE_BANDS = [(1, 1), (4, 2), (7, 3)]

APPLICANT_FIELDS = [
    "checking_balance",
    "savings_balance",
    "employment_years",
    "monthly_income",
    "credit_history",
    "other_debtors",
    "residence_years",
    "property",
    "age",
    "other_installment_plans",
    "housing",
    "existing_credits",
    "job",
    "dependants",
    "has_telephone",
]


class MissingFeatures(ValueError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"missing applicant attributes: {', '.join(missing)}")
        self.missing = missing


def _band(value: Decimal | int, bands: list[tuple[Any, Any]], top: Any) -> Any:
    for upper, label in bands:
        if value < upper:
            return label
    return top


def feature_row(
    *,
    amount: Decimal,
    term_months: int,
    purpose: str,
    emi: Decimal,
    applicant: Mapping[str, Any],
    currency_per_dm: Decimal,
) -> dict[str, Any]:
    """The model's input for one application: German Credit column -> value.

    `applicant` holds the APPLICANT_FIELDS (the API's names); money in it is Decimal and
    becomes a float only here, inside the model's features.
    """
    missing = [name for name in APPLICANT_FIELDS if name not in applicant]
    if missing:
        raise MissingFeatures(missing)
    a = applicant
    checking = a["checking_balance"]
    savings = a["savings_balance"]
    employment = a["employment_years"]
    income = a["monthly_income"]
    burden = emi / income if income > 0 else Decimal("Infinity")
    row: dict[str, Any] = {
        "status_of_existing_checking_account": CHECKING_NONE
        if checking is None
        else _band(checking / currency_per_dm, CHECKING_BANDS, CHECKING_TOP),
        "credit_history": CREDIT_HISTORY[a["credit_history"]],
        "purpose": PURPOSE[purpose],
        "savings_account_and_bonds": SAVINGS_NONE
        if savings is None
        else _band(savings / currency_per_dm, SAVINGS_BANDS, SAVINGS_TOP),
        "present_employment_since": EMPLOYMENT_NONE
        if employment is None
        else _band(employment, EMPLOYMENT_BANDS, EMPLOYMENT_TOP),
        "other_debtors_or_guarantors": OTHER_DEBTORS[a["other_debtors"]],
        "property": PROPERTY[a["property"]],
        "other_installment_plans": OTHER_INSTALLMENT_PLANS[a["other_installment_plans"]],
        "housing": HOUSING[a["housing"]],
        "job": JOB[a["job"]],
        "telephone": "yes, registered under the customers name" if a["has_telephone"] else "none",
        "duration_in_month": int(term_months),
        "credit_amount": float(amount / currency_per_dm),
        "installment_rate_in_percentage_of_disposable_income": _band(burden, INSTALLMENT_RATE_BANDS, 4),
        "present_residence_since": _band(a["residence_years"], RESIDENCE_BANDS, 4),
        "age_in_years": int(a["age"]),
        "number_of_existing_credits_at_this_bank": min(max(int(a["existing_credits"]), 1), 4),
        "number_of_people_being_liable_to_provide_maintenance_for": 1 if a["dependants"] <= 1 else 2,
    }
    return {name: row[name] for name in FEATURES}


def add_derived(frame):  # type: ignore[no-untyped-def]
    """The pipeline's first step (module-level so joblib pickles it by name): the monthly
    repayment burden in DM-equivalent, which the trees use better than amount and term apart."""
    frame = frame.copy()
    frame["monthly_amount"] = frame["credit_amount"] / frame["duration_in_month"].clip(lower=1)
    return frame


DERIVED = ["monthly_amount"]


def frame_from_rows(rows: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=FEATURES)
    for name in NUMERIC:
        frame[name] = frame[name].astype(np.float64)
    return frame
