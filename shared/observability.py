"""Structured logs (JSON, or readable lines at a terminal) with a correlation id that follows a request into
events and back, personal data masked."""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any, Literal
from uuid import uuid4

import structlog

from shared.resident_id import check_character

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# A candidate stands alone: no ASCII letter, digit, `-` or `_` touches it, so digit runs inside hex
# correlation ids, UUIDs and digests are left whole. The edge is ASCII on purpose: Chinese text written
# right up to a number must not shield it. `[0-9]`, not `\d`, which also matches other scripts' digits.
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_-])(?:[0-9]{12,19}|[0-9]{17}[Xx])(?![A-Za-z0-9_-])")


def new_correlation_id(incoming: str | None = None) -> str:
    """Keep a caller's id if it is well-formed, otherwise start a new one."""
    if incoming and _CORRELATION_ID.match(incoming):
        return incoming
    return uuid4().hex


def mask_digits(text: str) -> str:
    """Mask what is personal data, and only that: a resident ID, or a bank account number.

    A bank account is a standalone run of 12-19 ASCII digits; a resident ID ending in a digit is
    such a run too. One ending in X is masked only when its check character is right: a token that
    fails GB 11643-1999 is not a resident ID. Masking keeps the first 3 and last 2 characters around
    a fixed 8 stars, so a log line still tells which record it was without giving the number away.
    """
    return _CANDIDATE.sub(_mask_if_personal, text)


def _mask_if_personal(match: re.Match[str]) -> str:
    token = match.group()
    if token[-1] in "Xx" and check_character(token[:-1]) != "X":
        return token
    return f"{token[:3]}{'*' * 8}{token[-2:]}"


def _add_correlation_id(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    current = correlation_id.get()
    if current is not None:
        event_dict.setdefault("correlation_id", current)
    return event_dict


def _mask_personal_data(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {key: mask_digits(value) if isinstance(value, str) else value for key, value in event_dict.items()}


LogFormat = Literal["json", "console"]


def configure_logging(level: str = "INFO", log_format: LogFormat = "json") -> None:
    """Log lines on stdout, the standard library's loggers (uvicorn, aiokafka, alembic) the same way: JSON, one
    object per line, for a log collector (every deployed process); or `console`, one readable line each for a
    person at a terminal (`safetynet run`). Personal data is masked in both."""
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
                structlog.processors.JSONRenderer() if log_format == "json" else _console_renderer(),
            ],
            foreign_pre_chain=shared_processors,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))


def _console_renderer() -> structlog.dev.ConsoleRenderer:
    # Exceptions arrive already formatted, plainly, by `format_exc_info`: never the rich traceback, which
    # prints every local variable (slowly, and unmasked).
    return structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty(), sort_keys=False)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
