"""Generate multi-window, multi-burn-rate SLO rules from a sloth spec (prometheus/v1).

A small stand-in for slok/sloth (not packaged for this machine) that writes the rules
sloth writes for its default 30-day period: SLI error ratios over eight windows, SLO
metadata, and two alerts per SLO, a page (14.4x burn over 5m and 1h, or 6x over 30m and
6h) and a ticket (3x over 2h and 1d, or 1x over 6h and 3d). See the Google SRE workbook,
"Alerting on SLOs".

    python monitoring/prometheus/sloth.py           # print the rules
    python monitoring/prometheus/sloth.py --write   # rewrite rules/slo-money-api.yml

`make test` fails when the committed rules differ from what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SPEC = HERE / "slos.yml"
OUTPUT = HERE / "rules" / "slo-money-api.yml"
WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
PERIOD = "30d"
# (severity, [(short window, long window, burn-rate factor), ...]) for a 30-day period.
ALERT_WINDOWS = {
    "page": [("5m", "1h", 14.4), ("30m", "6h", 6)],
    "ticket": [("2h", "1d", 3), ("6h", "3d", 1)],
}


class Literal(str):
    """A string YAML should print as a block, for readable multi-line expressions."""


def _literal(dumper: yaml.SafeDumper, value: Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


yaml.SafeDumper.add_representer(Literal, _literal)


def _selector(labels: dict[str, str]) -> str:
    return ", ".join(f'{key}="{value}"' for key, value in labels.items())


def slo_groups(service: str, common: dict[str, str], slo: dict[str, Any]) -> list[dict[str, Any]]:
    slo_id = f"{service}-{slo['name']}"
    ident = {"sloth_id": slo_id, "sloth_service": service, "sloth_slo": slo["name"]}
    labels = {**common, **slo.get("labels", {}), **ident}
    sel = _selector(ident)
    budget = round(1 - slo["objective"] / 100, 10)
    events = slo["sli"]["events"]

    sli = [
        {
            "record": f"slo:sli_error:ratio_rate{window}",
            "expr": Literal(
                f"({events['errorQuery'].replace('{{.window}}', window)})\n/\n"
                f"({events['totalQuery'].replace('{{.window}}', window)})\n"
            ),
            "labels": {**labels, "sloth_window": window},
        }
        for window in WINDOWS
    ]
    sli.append(
        {
            "record": f"slo:sli_error:ratio_rate{PERIOD}",
            "expr": Literal(
                f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{PERIOD}])\n"
                f"/ ignoring (sloth_window)\n"
                f"count_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{PERIOD}])\n"
            ),
            "labels": {**labels, "sloth_window": PERIOD},
        }
    )
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({slo['objective'] / 100})", "labels": labels},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{slo['objective'] / 100})", "labels": labels},
        {"record": "slo:time_period:days", "expr": f"vector({PERIOD[:-1]})", "labels": labels},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": Literal(
                f"slo:sli_error:ratio_rate5m{{{sel}}}\n"
                f"/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                f"slo:error_budget:ratio{{{sel}}}\n"
            ),
            "labels": labels,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": Literal(
                f"slo:sli_error:ratio_rate{PERIOD}{{{sel}}}\n"
                f"/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                f"slo:error_budget:ratio{{{sel}}}\n"
            ),
            "labels": labels,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{{{sel}}}",
            "labels": labels,
        },
    ]
    alerting = slo["alerting"]
    alerts = []
    for severity, pairs in ALERT_WINDOWS.items():
        clauses = [
            f"(\n  max(slo:sli_error:ratio_rate{short}{{{sel}}} > ({factor} * {budget})) without (sloth_window)\n"
            f"  and\n"
            f"  max(slo:sli_error:ratio_rate{long}{{{sel}}} > ({factor} * {budget})) without (sloth_window)\n)"
            for short, long, factor in pairs
        ]
        own = alerting[f"{severity}Alert"]
        alerts.append(
            {
                "alert": alerting["name"],
                "expr": Literal("\nor\n".join(clauses) + "\n"),
                "labels": {**alerting.get("labels", {}), **own.get("labels", {}), "sloth_severity": severity},
                "annotations": {
                    "title": f"(ticket) {service} {slo['name']} SLO error budget burn rate is too fast."
                    if severity == "ticket"
                    else f"(page) {service} {slo['name']} SLO error budget burn rate is too fast.",
                    **alerting.get("annotations", {}),
                },
            }
        )
    return [
        {"name": f"sloth-slo-sli-recordings-{slo_id}", "rules": sli},
        {"name": f"sloth-slo-meta-recordings-{slo_id}", "rules": meta},
        {"name": f"sloth-slo-alerts-{slo_id}", "rules": alerts},
    ]


def generate(spec_path: Path = SPEC) -> str:
    spec = yaml.safe_load(spec_path.read_text())
    assert spec["version"] == "prometheus/v1", spec["version"]
    groups = [group for slo in spec["slos"] for group in slo_groups(spec["service"], spec.get("labels", {}), slo)]
    header = "# Generated by monitoring/prometheus/sloth.py from slos.yml: do not edit by hand.\n"
    return header + yaml.safe_dump({"groups": groups}, sort_keys=False, width=200)


if __name__ == "__main__":
    text = generate()
    if "--write" in sys.argv:
        OUTPUT.write_text(text)
    else:
        sys.stdout.write(text)
