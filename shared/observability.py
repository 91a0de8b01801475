"""Structured JSON logs with a correlation id that follows a request into events and back."""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any
from uuid import uuid4

import structlog

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# An 18-character resident ID or a bank account number never reaches a log line whole.
_SENSITIVE_DIGITS = re.compile(r"(?<![0-9])([0-9]{3})[0-9]{8,}([0-9Xx]{2})(?![0-9])")


def new_correlation_id(incoming: str | None = None) -> str:
    """Keep a caller's id if it is well-formed, otherwise start a new one."""
    if incoming and _CORRELATION_ID.match(incoming):
        return incoming
    return uuid4().hex


def mask_digits(text: str) -> str:
    return _SENSITIVE_DIGITS.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


def _add_correlation_id(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    current = correlation_id.get()
    if current is not None:
        event_dict.setdefault("correlation_id", current)
    return event_dict


def _mask_personal_data(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: mask_digits(value) if isinstance(value, str) else value for key, value in event_dict.items()}


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stdout; the standard library's loggers (uvicorn, aiokafka) go the same way."""
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_correlation_id,
        structlog.processors.format_exc_info,
        _mask_personal_data,
    ]
    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=shared_processors,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
