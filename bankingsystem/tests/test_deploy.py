"""Production settings pass Django's deployment checklist, and a weak key refuses to serve."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bankingsystem.hardening import assert_production_ready

ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="bank.example",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    )
    env.update(overrides)
    return env


def test_check_deploy_reports_nothing():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_wsgi_app_refuses_a_weak_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import bankingsystem.wsgi"],
        cwd=ROOT,
        env=production_env(SECRET_KEY="dev"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off" in result.stderr


def test_the_wsgi_app_loads_every_view_before_its_first_request():
    """A worker pays for importing the URLconf (every app's views) as it boots, not on the
    first request it serves (340 ms through gunicorn)."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys, bankingsystem.wsgi; print('statements.api' in sys.modules)"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


@pytest.mark.parametrize("key", ["short", "a" * 60, "django-insecure-" + "x1y2z3" * 10])
def test_weak_keys_are_refused(settings, key):
    settings.DEBUG = False
    settings.SECRET_KEY = key
    with pytest.raises(ImproperlyConfigured):
        assert_production_ready()


def test_a_real_key_is_accepted(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    assert_production_ready()


def test_security_headers_on_api_responses(client, settings):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_hsts_and_https_redirect_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/api/v1/auth/me/").status_code == 301
    assert client.get("/healthz").status_code == 200  # probes are exempt
    secure = client.get("/healthz", secure=True)
    assert "max-age=31536000" in secure["Strict-Transport-Security"]


def test_cors_only_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.bank.example"]
    allowed = client.options(
        "/api/v1/auth/token/", HTTP_ORIGIN="https://app.bank.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://app.bank.example"
    other = client.options(
        "/api/v1/auth/token/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in other


def test_api_docs_need_no_inline_script(client):
    """The content security policy allows scripts from our own origin only."""
    import re

    page = client.get("/api/docs/").content.decode()
    assert "script-src" not in page  # no policy override in the page itself
    assert not re.search(r"<script>\s*\S", page)
