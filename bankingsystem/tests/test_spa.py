"""The web app's fallback route: client-side paths get index.html, API paths keep problem JSON."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "index.html").write_text('<!doctype html><div id="root"></div>')
    settings.FRONTEND_DIST_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/login", "/accounts/1010001000000011", "/transfer/", "/history?kind=transfer"])
def test_client_side_routes_get_the_app(dist, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert b'<div id="root">' in response.content
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nope", "/assets/missing-abcdef12.js", "/static/x.css"])
def test_api_and_asset_paths_are_not_swallowed(dist, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_admin_without_slash_still_redirects(dist):
    response = Client().get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"


def test_unbuilt_app_says_how_to_build_it(tmp_path, settings):
    settings.FRONTEND_DIST_DIR = tmp_path
    response = Client().get("/dashboard")
    assert response.status_code == 503
    assert b"make run" in response.content


def test_app_pages_are_read_only(dist):
    assert Client().post("/login").status_code == 405


@pytest.mark.parametrize(
    ("url", "immutable"),
    [
        ("/assets/index-B3kX9a_Q.js", True),
        ("/static/admin/css/base.5af66c1b1797.css", True),
        ("/index.html", False),
        ("/favicon.svg", False),
        ("/static/admin/css/base.css", False),
    ],
)
def test_only_content_hashed_files_are_cached_forever(url, immutable):
    assert bool(re.search(django_settings.WHITENOISE_IMMUTABLE_FILE_TEST, url)) is immutable
