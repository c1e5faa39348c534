"""The Grafana dashboards, as code: `python monitoring/grafana/dashboards.py --write`
rewrites dashboards/*.json (provisioned into Grafana from that folder).

Panels are listed compactly below; the JSON is what Grafana's dashboard model expects
(schemaVersion 39). `make test` fails when the committed JSON differs from this output,
when a panel's PromQL does not parse (promtool), or when it names a metric that neither
the app nor the exporters we run expose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards"
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
MONEY_VIEWS = 'view=~"deposit|withdrawal|transfer|transaction-reverse"'


def panel(title: str, *exprs: str, kind: str = "timeseries", unit: str = "short", legend: str = "") -> dict:
    """One panel; each expr becomes a target (`legend` applies to all of them)."""
    return {"title": title, "type": kind, "unit": unit, "exprs": exprs, "legend": legend}


def logs(title: str, expr: str) -> dict:
    return {"title": title, "type": "logs", "exprs": (expr,), "datasource": LOKI}


DASHBOARDS: dict[str, dict[str, Any]] = {
    "sre-overview": {
        "title": "Bank: SRE overview",
        "tags": ["bank", "sre", "slo"],
        "rows": {
            "Golden signals": [
                panel(
                    "Requests per second by view",
                    "sum by (view) (rate(django_http_requests_total_by_view_transport_method_total[$__rate_interval]))",
                    unit="reqps",
                    legend="{{view}}",
                ),
                panel(
                    "Error ratio (5xx)",
                    'sum(rate(django_http_responses_total_by_status_view_method_total{status=~"5.."}[$__rate_interval]))'
                    " / sum(rate(django_http_responses_total_by_status_view_method_total[$__rate_interval]))",
                    unit="percentunit",
                ),
                panel(
                    "Money API latency p50 / p95 / p99",
                    *(
                        f"histogram_quantile({q}, sum by (le) (rate("
                        f"django_http_requests_latency_seconds_by_view_method_bucket{{{MONEY_VIEWS}}}[$__rate_interval])))"
                        for q in ("0.5", "0.95", "0.99")
                    ),
                    unit="s",
                ),
                panel(
                    "Saturation: DB connections used, Celery backlog",
                    "sum(pg_stat_activity_count) / max(pg_settings_max_connections)",
                    "sum(celery_queue_length) / 100",
                    unit="percentunit",
                ),
            ],
            "SLOs (30-day error budget)": [
                panel(
                    "Burn rate now (1 = spending the budget exactly in 30 days)",
                    'slo:current_burn_rate:ratio{sloth_service="bank-money-api"}',
                    legend="{{sloth_slo}}",
                ),
                panel(
                    "Error budget left",
                    'slo:period_error_budget_remaining:ratio{sloth_service="bank-money-api"}',
                    kind="stat",
                    unit="percentunit",
                    legend="{{sloth_slo}}",
                ),
                panel("Alerts firing", 'sum by (alertname, severity) (ALERTS{alertstate="firing"})', kind="stat"),
                panel("Targets up", "up", kind="stat", legend="{{job}} {{instance}}"),
            ],
            "Logs": [
                logs("Errors in web and worker logs", '{service=~"web|worker|beat"} | json | level=~"error|critical"')
            ],
        },
    },
    "banking": {
        "title": "Bank: money movements and ledger",
        "tags": ["bank", "business"],
        "rows": {
            "Volumes": [
                panel(
                    "Movements per minute by kind and outcome",
                    "sum by (kind, outcome) (rate(bank_money_movements_total[$__rate_interval])) * 60",
                    legend="{{kind}} {{outcome}}",
                ),
                panel(
                    "Refusals by reason",
                    'sum by (code) (increase(bank_money_movements_total{outcome="refused"}[$__range]))',
                    kind="bargauge",
                    legend="{{code}}",
                ),
                panel(
                    "Amount moved per hour by currency",
                    "sum by (currency, kind) (rate(bank_money_movement_amount_sum[$__rate_interval])) * 3600",
                    legend="{{kind}} {{currency}}",
                ),
                panel(
                    "Median and p95 transfer amount",
                    *(
                        f"histogram_quantile({q}, sum by (le) (rate("
                        'bank_money_movement_amount_bucket{kind="transfer"}[$__rate_interval])))'
                        for q in ("0.5", "0.95")
                    ),
                ),
            ],
            "Speed and failures": [
                panel(
                    "Transfer service latency p50 / p95 / p99",
                    *(
                        f"histogram_quantile({q}, sum by (le) (rate("
                        'bank_money_movement_duration_seconds_bucket{kind="transfer"}[$__rate_interval])))'
                        for q in ("0.5", "0.95", "0.99")
                    ),
                    unit="s",
                ),
                panel(
                    "Failed movements (unexpected errors)",
                    'sum by (kind) (increase(bank_money_movements_total{outcome="failed"}[$__range]))',
                    kind="stat",
                    legend="{{kind}}",
                ),
            ],
            "Ledger integrity": [
                panel("Ledger imbalance by currency (must be 0)", "bank_ledger_imbalance", kind="stat"),
                panel("Integrity findings", "bank_ledger_integrity_findings", kind="stat", legend="{{finding}}"),
                panel(
                    "Since the last integrity check",
                    "time() - max(bank_ledger_integrity_last_check_timestamp_seconds)",
                    kind="stat",
                    unit="s",
                ),
            ],
        },
    },
    "celery": {
        "title": "Bank: Celery",
        "tags": ["bank", "celery"],
        "rows": {
            "Tasks": [
                panel(
                    "Task outcomes per minute",
                    *(
                        f"sum by (name) (rate(celery_task_{outcome}_total[$__rate_interval])) * 60"
                        for outcome in ("succeeded", "failed", "retried")
                    ),
                    legend="{{name}}",
                ),
                panel(
                    "Failure ratio by task",
                    "sum by (name) (rate(celery_task_failed_total[$__rate_interval])) / (sum by (name) "
                    "(rate(celery_task_failed_total[$__rate_interval])) + sum by (name) "
                    "(rate(celery_task_succeeded_total[$__rate_interval])))",
                    unit="percentunit",
                    legend="{{name}}",
                ),
                panel(
                    "Task runtime p95",
                    "histogram_quantile(0.95, sum by (le, name) (rate(celery_task_runtime_bucket[$__rate_interval])))",
                    unit="s",
                    legend="{{name}}",
                ),
                panel(
                    "Tasks published per minute",
                    "sum by (name) (rate(celery_task_sent_total[$__rate_interval])) * 60",
                    legend="{{name}}",
                ),
            ],
            "Workers and queues": [
                panel("Queue length", "sum by (queue_name) (celery_queue_length)", legend="{{queue_name}}"),
                panel("Workers up", "sum(celery_worker_up)", kind="stat"),
            ],
        },
    },
    "postgresql": {
        "title": "Bank: PostgreSQL",
        "tags": ["bank", "postgresql"],
        "rows": {
            "Server (postgres-exporter)": [
                panel("PostgreSQL up", "pg_up", kind="stat"),
                panel(
                    "Connections by state",
                    "sum by (state) (pg_stat_activity_count)",
                    "max(pg_settings_max_connections)",
                    legend="{{state}}",
                ),
                panel(
                    "Commits and rollbacks per second",
                    "sum(rate(pg_stat_database_xact_commit[$__rate_interval]))",
                    "sum(rate(pg_stat_database_xact_rollback[$__rate_interval]))",
                ),
                panel("Deadlocks", "sum(increase(pg_stat_database_deadlocks[$__range]))", kind="stat"),
                panel("Database size", "sum by (datname) (pg_database_size_bytes)", unit="bytes", legend="{{datname}}"),
                panel("Locks by mode", "sum by (mode) (pg_locks_count)", legend="{{mode}}"),
            ],
            "From the application (django-prometheus)": [
                panel("Queries per second", "sum(rate(django_db_execute_total[$__rate_interval]))", unit="reqps"),
                panel(
                    "Database errors per second by type",
                    "sum by (type) (rate(django_db_errors_total[$__rate_interval]))",
                    legend="{{type}}",
                ),
                panel(
                    "New connections per second",
                    "sum(rate(django_db_new_connections_total[$__rate_interval]))",
                ),
            ],
        },
    },
}


def _grafana_panel(spec: dict, panel_id: int, x: int, y: int) -> dict:
    datasource = spec.get("datasource", PROMETHEUS)
    body: dict[str, Any] = {
        "id": panel_id,
        "type": spec["type"],
        "title": spec["title"],
        "datasource": datasource,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": datasource, "expr": expr, "legendFormat": spec.get("legend", "")}
            for i, expr in enumerate(spec["exprs"])
        ],
    }
    if spec["type"] != "logs":
        body["fieldConfig"] = {"defaults": {"unit": spec["unit"]}, "overrides": []}
        body["options"] = {}
    return body


def dashboard(uid: str, spec: dict[str, Any]) -> dict[str, Any]:
    panels: list[dict] = []
    y = 0
    for row_title, row_panels in spec["rows"].items():
        panels.append(
            {"id": len(panels) + 1, "type": "row", "title": row_title, "collapsed": False, "panels": []}
            | {"gridPos": {"h": 1, "w": 24, "x": 0, "y": y}}
        )
        y += 1
        for index, row_panel in enumerate(row_panels):
            panels.append(_grafana_panel(row_panel, len(panels) + 1, 12 * (index % 2), y + 8 * (index // 2)))
        y += 8 * ((len(row_panels) + 1) // 2)
    return {
        "uid": f"bank-{uid}",
        "title": spec["title"],
        "tags": spec["tags"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": panels,
    }


def render() -> dict[str, str]:
    return {f"{uid}.json": json.dumps(dashboard(uid, spec), indent=2) + "\n" for uid, spec in DASHBOARDS.items()}


if __name__ == "__main__":
    for name, text in render().items():
        if "--write" in sys.argv:
            (OUT / name).write_text(text)
        else:
            sys.stdout.write(text)
