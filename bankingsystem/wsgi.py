import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankingsystem.settings")

application = get_wsgi_application()

from bankingsystem.hardening import assert_production_ready  # noqa: E402  (needs settings loaded)

assert_production_ready()

# Each worker loads the URLconf, and with it every app's views (reportlab, sqlglot, redis...),
# as it boots rather than on its first request: that request took 340 ms through gunicorn
# (0.5-0.7 s in process) against 10 ms for the next, once per worker and again after every
# recycling (max_requests), which made the bench's statement page p99 100-390 ms.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018  (the property imports the URLconf)
