import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankingsystem.settings")

application = get_wsgi_application()

from bankingsystem.hardening import assert_production_ready  # noqa: E402  (needs settings loaded)

assert_production_ready()
