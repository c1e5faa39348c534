"""The customer web app (frontend/, built by Vite) served by Django itself, so `make run`
brings up API, admin and app on one origin with no CORS and no second server.

WhiteNoise serves the built files (WHITENOISE_ROOT = the Vite `dist` folder, hashed assets
under /assets/ cached forever); this view answers every other non-API path with the app's
index.html, so a deep link such as /accounts/1010001000000011 or a reload opens the app on
that page (client-side routing). index.html itself is never cached: it names the current
assets.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bankingsystem</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The web app is not built yet</h1>
<p>Install Node.js 20 and run <code>make run</code> again (it builds <code>frontend/</code>),
or run <code>npm run dev</code> in <code>frontend/</code> for development.</p>
<p>The API is at <a href="/api/v1/">/api/v1/</a>, its documentation at <a href="/api/docs/">/api/docs/</a>
and the staff admin at <a href="/admin/">/admin/</a>.</p></body></html>"""


@never_cache
@require_safe
def spa_index(request: HttpRequest) -> HttpResponse:
    index = settings.FRONTEND_DIST_DIR / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    return HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
