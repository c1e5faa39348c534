"""Refuse to serve in production with a secret key that is not a real one.

Called by the WSGI/ASGI entry points (gunicorn, uvicorn), not by settings: management
commands and tests may run with a throwaway key, a serving production process may not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
PLACEHOLDERS = ("django-insecure", "changeme", "change-me", "secret", "dev", "test")


def secret_key_problem(key: str) -> str | None:
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return "SECRET_KEY has too few distinct characters"
    if key.lower().startswith(PLACEHOLDERS):
        return "SECRET_KEY looks like a placeholder"
    return None


def assert_production_ready() -> None:
    if settings.DEBUG:
        return
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(
            f"Refusing to start with DEBUG off: {problem}. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
