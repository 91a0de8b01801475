"""Typed errors raised where a rule fails; each edge translates them once (HTTP problem, consumer DLQ)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldIssue:
    """One broken rule on one field: `field` is a dotted path such as `members.0.id_number`."""

    field: str
    rule: str
    message: str


class SafetyNetError(Exception):
    """Base of the errors a client can act on; `status` and `title` map to an RFC 9457 problem."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, *, errors: Sequence[FieldIssue] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class InvalidInput(SafetyNetError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class Unauthorized(SafetyNetError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(SafetyNetError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(SafetyNetError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(SafetyNetError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PayloadTooLarge(SafetyNetError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class NotYet(Exception):
    """An event arrived before one it depends on (an amount change before its case's approval).

    Not the event's fault and not a client's: the inbox parks it in the service's own database and
    tries it again later, with backoff, for a bounded time; only then is it dead-lettered, with `reason`.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
