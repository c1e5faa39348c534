"""`/metrics` for Prometheus, answered only to addresses on an allow-list.

The metrics name views, queues and volumes: nothing for the public internet. In
production the endpoint answers only to `METRICS_ALLOWED_NETWORKS` (CIDRs: the
Prometheus pods or the compose network), and never to a request that came through a
reverse proxy (one carrying `X-Forwarded-For`), because behind an ingress every public
request arrives from the ingress controller's private address. Everyone else gets the
same 404 as any unknown path.

Under gunicorn each worker is its own process; with `PROMETHEUS_MULTIPROC_DIR` set,
prometheus_client writes every process's samples to files there, and django-prometheus'
view reads them all, so any worker answers for the whole server.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django_prometheus.exports import ExportToDjangoView


def client_allowed(request: HttpRequest) -> bool:
    if request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request: HttpRequest) -> HttpResponse:
    if not client_allowed(request):
        raise Http404("Not found.")
    return ExportToDjangoView(request)
