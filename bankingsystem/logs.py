"""Structured logs: one JSON object a line on stdout, for the log shipper (Grafana Alloy)
to carry to Loki.

Our own structlog loggers and the standard library's (Django, gunicorn, Celery) go
through one `ProcessorFormatter`, so every line has the same shape: `timestamp`, `level`,
`logger`, `event`, and whatever django-structlog bound for the current request or task
(`request_id`, `user_id`, `ip`, `task_id`). Used by settings.LOGGING and by
gunicorn.conf.py, so the server's own lines match the application's.
"""

from __future__ import annotations

from typing import Any

import structlog

REDACTED = "[redacted]"
# A key naming any of these never carries its value into a log line, whoever logs it.
SECRET_WORDS = ("password", "secret", "token", "authorization", "cookie", "otp", "api_key", "signature")


def redact_secrets(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Last line of defence: callers should not log secrets, and this drops them if they do."""
    for key in event_dict:
        if any(word in key.lower() for word in SECRET_WORDS):
            event_dict[key] = REDACTED
    return event_dict


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
]


def logging_config(*, level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` that renders every record through structlog.

    `fmt="console"` gives coloured, aligned lines for a person at a terminal; anything
    else is JSON, which is what Loki and the dashboards expect.
    """
    renderer = structlog.dev.ConsoleRenderer() if fmt == "console" else structlog.processors.JSONRenderer()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.dict_tracebacks,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            }
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "structlog"}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Server and worker loggers that would otherwise print their own plain lines.
            "gunicorn.error": {"handlers": [], "propagate": True},
            "gunicorn.access": {"handlers": [], "propagate": True},
            "celery": {"handlers": [], "propagate": True},
        },
    }


def configure_structlog() -> None:
    """structlog's own loggers hand their event dicts to the stdlib handler above."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
