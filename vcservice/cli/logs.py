"""Log formats for ``vcservice serve``: one JSON object per line, or plain text.

Every record names its time (UTC, RFC 3339), level, logger and message; the request it
was written for (``request_id``, the ``X-Request-Id`` of ``vcservice.api.request_id``)
when there is one; and the access log's ``method``, ``path``, ``status`` and
``duration_ms`` (``vcservice.access``, written by ``vcservice.api.metrics``). Nothing else
of a request is logged: no headers, so never an ``Authorization`` token.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

from vcservice.audit.context import current_request

__all__ = ["LOG_FORMATS", "JsonFormatter", "LogFormat", "TextFormatter", "logging_config"]

LogFormat = Literal["json", "text"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "text")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


def _request_id(record: logging.LogRecord) -> str | None:
    """The id the record was written for: given with it (access log), or the current one."""
    given = getattr(record, "request_id", None)
    if isinstance(given, str):
        return given
    current = current_request()
    return current.request_id if current is not None else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``{"time", "level", "logger", "message", …}``."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id(record)
        if request_id is not None:
            entry["request_id"] = request_id
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message [request id]``, for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The line, with the request id in brackets when there is one."""
        line = super().format(record)
        request_id = _request_id(record)
        return f"{line} [{request_id}]" if request_id is not None else line


def logging_config(log_format: LogFormat, *, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn: its own access log off (the service
    writes a richer one), everything else through one formatter on stderr."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = ["default"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": handler, "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "vcservice": {"handlers": handler, "level": level, "propagate": False},
        },
    }
