"""Idempotent consumption: each event's effects and its inbox record commit in one transaction; an event
that arrived too early is parked and retried (see `deferred`)."""

from shared.errors import NotYet
from shared.messaging.inbox.deferred import DeferralPolicy
from shared.messaging.inbox.letters import (
    DEAD_LETTERED,
    PROCESSED,
    BatchHandler,
    DeadLetter,
    DeadLetterSink,
    Handler,
    LoggedDeadLetters,
    Undecodable,
    in_batches,
    is_infrastructure_failure,
    reactions,
)
from shared.messaging.inbox.processor import InboxProcessor

__all__ = [
    "DEAD_LETTERED",
    "PROCESSED",
    "BatchHandler",
    "DeadLetter",
    "DeadLetterSink",
    "DeferralPolicy",
    "Handler",
    "InboxProcessor",
    "LoggedDeadLetters",
    "NotYet",
    "Undecodable",
    "in_batches",
    "is_infrastructure_failure",
    "reactions",
]
