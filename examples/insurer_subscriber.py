#!/usr/bin/env python3
"""An insurer's subscriber to the SafetyNet insurance feed: a self-contained, runnable example.

What it does
    Subscribes to `insurance.enrollment.v1` (InsuredEnrolled, InsuredRemoved; keyed by person id) and
    `insurance.claim.v1` (ClaimReported, ClaimAssessed, ClaimSettled, ClaimRejected; keyed by claim id),
    prints one line per event, and, when given `--identity-url` and a token, asks SafetyNet's
    eligibility API for the identity of each newly enrolled person.

How to run (Python 3.11+, `pip install aiokafka`; nothing else)
    python insurer_subscriber.py --bootstrap kafka.example:9093 --group acme-insurance \\
        --from-beginning --state seen.sqlite3
    SAFETYNET_TOKEN=... python insurer_subscriber.py ... --identity-url https://host/eligibility

The rules any subscriber must follow, and how this one does
    * At least once: a record may arrive more than once (a producer retry, a rebalance, a restart).
      Each event's CloudEvents id (`ce_id` header) is recorded in a small SQLite file in the same
      transaction as handling it; an id already there is skipped. In your system, write your own
      effects (a roster row, a claim row) in that very transaction.
    * Offsets are committed by hand, after handling (auto-commit off): a crash re-reads, never skips.
    * `isolation_level=read_committed`: records of aborted producer transactions are never seen.
    * Order holds per key only (one person's roster changes, one claim's steps), not across keys or
      topics. Don't wait for a ClaimReported before a ClaimSettled of another claim, say.
    * Ignore event types you do not know: new types may be added to a topic at any time.
    * Events carry ids and business facts, never names or ID numbers. The identity comes from the
      REST API, which checks your roster and writes an audit record for every read; this example
      prints only whether it got one. Never print or log the identity itself.

See docs/insurer_integration.md and docs/asyncapi.yaml (the full event catalogue).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer

TOPICS = ("insurance.enrollment.v1", "insurance.claim.v1")
SPEC_VERSION = "1.0"

# What each known event prints: ids, dates, amounts (fen) and codes. Never free text.
FIELDS: dict[str, tuple[str, ...]] = {
    "InsuredEnrolled": (
        "person_id",
        "roster_entry_id",
        "insurer_id",
        "policy_year",
        "district_code",
        "cover_from",
        "categories",
        "premium_fen",
    ),
    "InsuredRemoved": (
        "person_id",
        "roster_entry_id",
        "insurer_id",
        "policy_year",
        "district_code",
        "cover_until",
        "reason",
    ),
    "ClaimReported": (
        "claim_id",
        "person_id",
        "roster_entry_id",
        "insurer_id",
        "policy_year",
        "cover_type",
        "incident_date",
        "reported_on",
        "channel",
        "claimed_fen",
    ),
    "ClaimAssessed": ("claim_id", "assessed_fen", "assessed_on"),
    "ClaimSettled": ("claim_id", "paid_fen", "settled_on"),
    "ClaimRejected": ("claim_id", "reason_code", "rejected_on"),
}


class Malformed(ValueError):
    """A record that is not a CloudEvent in Kafka binary mode."""


@dataclass(frozen=True)
class CloudEvent:
    id: str
    type: str
    source: str
    time: str
    subject: str | None
    key: str
    data: dict[str, Any]


def read_cloud_event(record: Any) -> CloudEvent:
    """The envelope from the `ce_*` headers and the JSON body; raises Malformed when either is unusable."""
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
    if headers.get("ce_specversion") != SPEC_VERSION:
        raise Malformed(f"ce_specversion is not {SPEC_VERSION!r}")
    missing = [name for name in ("ce_id", "ce_type", "ce_source", "ce_time") if not headers.get(name)]
    if missing:
        raise Malformed(f"missing headers {missing}")
    try:
        UUID(headers["ce_id"])
        data = json.loads(record.value or b"")
    except ValueError as bad:
        raise Malformed(str(bad)) from None
    if not isinstance(data, dict):
        raise Malformed("the body is not a JSON object")
    return CloudEvent(
        id=headers["ce_id"],
        type=headers["ce_type"],
        source=headers["ce_source"],
        time=headers["ce_time"],
        subject=headers.get("ce_subject"),
        key=(record.key or b"").decode("utf-8", "replace"),
        data=data,
    )


def describe(event: CloudEvent) -> str:
    """One line: type, key, event id and time, then the event's ids, dates and amounts."""
    parts = [event.type, f"key={event.key}", f"ce_id={event.id}", f"time={event.time}"]
    for name in FIELDS[event.type]:
        value = event.data.get(name)
        parts.append(f"{name}={','.join(map(str, value)) if isinstance(value, list) else value}")
    return " ".join(parts)


class SeenEvents:
    """The ids of handled events in SQLite: the subscriber's inbox.

    `handle_once` runs the handler and records the id in one transaction; an id already recorded is
    skipped. One row per event (~100 bytes): prune old rows only if your effects are idempotent on a
    business key too, since replaying a topic from the start would otherwise handle old events again.
    """

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS seen_events ("
            " ce_id TEXT PRIMARY KEY, type TEXT NOT NULL, handled_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        self._db.commit()

    def is_new(self, event: CloudEvent) -> bool:
        """Begin the event's transaction: False (and nothing to do) if it was handled before."""
        inserted = self._db.execute(
            "INSERT OR IGNORE INTO seen_events (ce_id, type) VALUES (?, ?)", (event.id, event.type)
        )
        return inserted.rowcount == 1

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()


class IdentityClient:
    """Asks SafetyNet's eligibility API for an insured person's identity (audited on SafetyNet's side)."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout_s = timeout_s

    def fetch(self, person_id: str) -> tuple[int, dict[str, Any] | None]:
        """(HTTP status, identity or None); status 0 when SafetyNet could not be reached. Blocking."""
        url = f"{self._base_url}/v1/insured/{UUID(person_id)}/identity"
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in parse_args
            url, headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refused:
            return refused.code, None
        except (urllib.error.URLError, TimeoutError):
            return 0, None


async def handle(event: CloudEvent, identity: IdentityClient | None) -> str:
    """Your business logic goes here. This example prints, and fetches the identity of new enrolments."""
    line = describe(event)
    if identity is not None and event.type == "InsuredEnrolled":
        status, person = await asyncio.to_thread(identity.fetch, str(event.data["person_id"]))
        # Hand `person` (name, full resident ID) to your claims system here; never print or log it.
        # This example moves on without it; a real integration would queue the lookup for a retry.
        line += " identity=" + ("ok" if person is not None else f"unavailable:{status}")
    return line


def consumer_options(args: argparse.Namespace) -> dict[str, Any]:
    """The safe settings (aiokafka's defaults are auto-commit on and read_uncommitted), and TLS/SASL."""
    options: dict[str, Any] = {
        "bootstrap_servers": args.bootstrap,
        "group_id": args.group,
        "client_id": f"{args.group}-subscriber",
        "enable_auto_commit": False,
        "isolation_level": "read_committed",
        # Only for a group without committed offsets: where to start reading.
        "auto_offset_reset": "earliest" if args.from_beginning else "latest",
        "max_poll_records": 100,
    }
    if args.cafile or args.certfile:
        context = ssl.create_default_context(cafile=args.cafile)
        if args.certfile:
            context.load_cert_chain(args.certfile, args.keyfile)
        options |= {"security_protocol": "SSL", "ssl_context": context}
    if args.sasl_username:
        options |= {
            "security_protocol": "SASL_SSL" if "ssl_context" in options else "SASL_PLAINTEXT",
            "sasl_mechanism": args.sasl_mechanism,
            "sasl_plain_username": args.sasl_username,
            "sasl_plain_password": os.environ.get("KAFKA_SASL_PASSWORD", ""),
        }
    return options


async def run(args: argparse.Namespace) -> int:
    seen = SeenEvents(args.state)
    identity = IdentityClient(args.identity_url, args.token) if args.identity_url and args.token else None
    consumer = AIOKafkaConsumer(*TOPICS, **consumer_options(args))
    await consumer.start()
    received, idle_since = 0, time.monotonic()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            if not batches:
                if not consumer.assignment():
                    idle_since = time.monotonic()  # still joining the group: not idle yet
                elif args.idle_seconds is not None and time.monotonic() - idle_since >= args.idle_seconds:
                    return 0
                continue
            for partition, records in batches.items():
                handled = await handle_records(
                    records, seen, identity, limit=_left(args.max_events, received)
                )
                received += handled
                if handled:
                    # After the events are recorded as handled: a crash before this re-reads them.
                    await consumer.commit({partition: records[handled - 1].offset + 1})
                if args.max_events is not None and received >= args.max_events:
                    return 0
            idle_since = time.monotonic()
    finally:
        await consumer.stop()
        seen.close()


def _left(maximum: int | None, received: int) -> int | None:
    return None if maximum is None else maximum - received


async def handle_records(
    records: Sequence[Any], seen: SeenEvents, identity: IdentityClient | None, *, limit: int | None
) -> int:
    """Handle one partition's records in order (at most `limit`); returns how many were handled."""
    handled = 0
    for record in records[:limit]:
        where = f"{record.topic}/{record.partition}@{record.offset}"
        try:
            event = read_cloud_event(record)
        except Malformed as bad:
            print(f"skipped malformed record {where}: {bad}", file=sys.stderr)
            handled += 1
            continue
        try:
            if event.type not in FIELDS:
                pass  # a type newer than this subscriber: ignore it
            elif seen.is_new(event):
                print(await handle(event, identity), flush=True)
            else:
                print(f"skipped duplicate {event.type} ce_id={event.id} at {where}", file=sys.stderr)
            seen.commit()
        except BaseException:
            seen.rollback()  # not recorded: the event is handled again after a restart
            raise
        handled += 1
    return handled


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers, host:port[,host:port]")
    parser.add_argument("--group", default="insurer-subscriber", help="consumer group id (your own)")
    parser.add_argument(
        "--from-beginning",
        action="store_true",
        help="a group without committed offsets starts at the oldest event (default: only new ones)",
    )
    parser.add_argument("--state", default="insurer-subscriber.sqlite3", help="SQLite file of handled ce_ids")
    parser.add_argument("--max-events", type=int, help="exit after this many records (duplicates included)")
    parser.add_argument(
        "--idle-seconds",
        type=float,
        help="exit after this long without a record (counted once partitions are assigned)",
    )
    parser.add_argument(
        "--identity-url", help="base URL of the eligibility API, e.g. https://host/eligibility"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("SAFETYNET_TOKEN"),
        help="bearer token for the identity API (default: $SAFETYNET_TOKEN, which keeps it out of `ps`)",
    )
    parser.add_argument("--cafile", help="CA bundle of the broker's TLS certificate (enables TLS)")
    parser.add_argument("--certfile", help="client certificate for mutual TLS")
    parser.add_argument("--keyfile", help="client key for mutual TLS")
    parser.add_argument("--sasl-username", help="SASL user; the password is read from $KAFKA_SASL_PASSWORD")
    parser.add_argument("--sasl-mechanism", default="SCRAM-SHA-512", help="SASL mechanism")
    args = parser.parse_args(argv)
    if args.max_events is not None and args.max_events < 1:
        parser.error("--max-events must be at least 1")
    if args.idle_seconds is not None and args.idle_seconds <= 0:
        parser.error("--idle-seconds must be positive")
    if args.identity_url and not args.identity_url.startswith(("https://", "http://")):
        parser.error("--identity-url must be an http(s) URL")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
