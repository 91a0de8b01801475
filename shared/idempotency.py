"""Idempotency keys for requests that move money: a repeated key replays the first answer (errors too);
the same key with a different request is refused. Business keys still make duplicates impossible."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, Integer, LargeBinary, Table, Text, delete, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.errors import Conflict, FieldIssue, InvalidInput, SafetyNetError
from shared.openapi import PROBLEM_JSON
from shared.schema import new_metadata
from shared.web import problem_body

metadata = new_metadata()

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("subject", Text, primary_key=True, comment="the caller: keys are scoped to who sent them"),
    Column("key", Text, primary_key=True),
    Column("request_hash", LargeBinary, nullable=False),
    Column("status_code", Integer, comment="NULL while the first request is running"),
    Column("response", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="the first answer to each idempotency key, replayed for repeats",
)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9_.:-]{8,128}$",
        description="a unique key per intended operation (e.g. a UUID); repeats replay the first answer",
    ),
]

# A claim left without an answer (the process died mid-request) may be retried after this long.
ABANDONED_AFTER = timedelta(minutes=5)


def fingerprint(request: Request, body: BaseModel | bytes | None) -> bytes:
    """What makes two requests the same request: method, path and body (a raw body by its digest)."""
    payload = (
        hashlib.sha256(body).hexdigest()
        if isinstance(body, bytes)
        else body.model_dump(mode="json")
        if body is not None
        else None
    )
    canonical = json.dumps([request.method, request.url.path, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


async def idempotent(
    sessions: async_sessionmaker[AsyncSession],
    *,
    subject: str,
    key: str,
    request_hash: bytes,
    instance: str,
    status_code: int,
    run: Callable[[], Awaitable[BaseModel]],
) -> JSONResponse:
    """Answer as the first request with this key did, or run it now and remember the answer."""
    async with sessions() as session, session.begin():
        claimed = await session.scalar(
            insert(idempotency_keys)
            .values(subject=subject, key=key, request_hash=request_hash)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
        if claimed is None:
            first = (
                await session.execute(
                    select(idempotency_keys).where(
                        idempotency_keys.c.subject == subject, idempotency_keys.c.key == key
                    )
                )
            ).one()
            if first.request_hash != request_hash:
                raise InvalidInput(
                    "this Idempotency-Key was used for a different request",
                    errors=[
                        FieldIssue(
                            "Idempotency-Key", "idempotency_key_reused", "use a new key for a new request"
                        )
                    ],
                )
            if first.status_code is not None:
                return _answer(first.response, first.status_code, replayed=True)
            if first.created_at > datetime.now(UTC) - ABANDONED_AFTER:
                raise Conflict(
                    "the first request with this Idempotency-Key is still being processed; retry later"
                )
    try:
        answer = await run()
        status, body = status_code, answer.model_dump(mode="json")
    except SafetyNetError as refused:
        status = refused.status
        body = problem_body(
            status, refused.title, refused.slug, refused.detail, instance=instance, errors=refused.errors
        )
    except BaseException:
        await _release(sessions, subject, key)
        raise
    async with sessions() as session, session.begin():
        await session.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.subject == subject, idempotency_keys.c.key == key)
            .values(status_code=status, response=body)
        )
    return _answer(body, status, replayed=False)


def _answer(body: object, status: int, *, replayed: bool) -> JSONResponse:
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_JSON if status >= 400 else None,
        headers={"Idempotent-Replayed": "true"} if replayed else None,
    )


async def _release(sessions: async_sessionmaker[AsyncSession], subject: str, key: str) -> None:
    """An unexpected failure is not an answer: let the client retry with the same key."""
    async with sessions() as session, session.begin():
        await session.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.subject == subject, idempotency_keys.c.key == key
            )
        )


def create_idempotency_table() -> None:
    """Migration step of the services that take idempotency keys."""
    from alembic import op

    metadata.create_all(op.get_bind(), tables=[idempotency_keys])


def drop_idempotency_table() -> None:
    from alembic import op

    metadata.drop_all(op.get_bind(), tables=[idempotency_keys])
