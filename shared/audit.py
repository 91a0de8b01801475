"""The append-only, hash-chained audit log: every decision and every read of personal data.

Each service keeps its own log in its own database. A record's hash covers its content and the
previous record's hash, so changing, removing or reordering any record breaks the chain from there
on; a trigger refuses UPDATE, DELETE and TRUNCATE. Records name people by id and hold masked values
only: the log is read by auditors, who are not entitled to the personal data itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary, Table, Text, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from shared.schema import new_metadata

metadata = new_metadata()

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False, comment="the token subject of who acted or read"),
    Column("action", Text, nullable=False, comment="e.g. payee_account.changed, identity.read"),
    Column("subject_type", Text, nullable=False),
    Column("subject_id", Text, nullable=False),
    Column("district_code", Text),
    Column("details", JSONB, nullable=False, comment="masked values and ids only, never personal data"),
    Column("prev_hash", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False, unique=True),
    comment="append-only, hash-chained record of decisions and reads of personal data",
)

GENESIS = bytes(32)
"""The `prev_hash` of the first record."""

# One writer at a time extends the chain: the lock is held until the writer's transaction ends.
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('safetynet.audit_log'))")


def _digest(prev_hash: bytes, row: Mapping[Any, Any]) -> bytes:
    content = json.dumps(
        [
            row["at"].astimezone(UTC).isoformat(),
            row["actor"],
            row["action"],
            row["subject_type"],
            row["subject_id"],
            row["district_code"],
            row["details"],
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(prev_hash + content.encode()).digest()


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    district_code: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one record in the caller's transaction: it lands if, and only if, the change does."""
    await session.execute(_CHAIN_LOCK)
    prev_hash = await session.scalar(select(audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1))
    row: dict[str, Any] = {
        "at": datetime.now(UTC),
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "district_code": district_code,
        "details": json.loads(json.dumps(dict(details or {}), default=str)),
    }
    previous = prev_hash if prev_hash is not None else GENESIS
    await session.execute(audit_log.insert().values(**row, prev_hash=previous, hash=_digest(previous, row)))


class AuditRecord(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    district_code: str | None
    details: dict[str, Any]


class ChainVerification(BaseModel):
    records: int = Field(description="records checked")
    intact: bool
    first_broken_seq: int | None = Field(description="the first record whose hash does not follow")


async def verify_chain(session: AsyncSession, *, batch: int = 10_000) -> ChainVerification:
    """Recompute every hash from the start; the first mismatch is where the log was tampered with."""
    previous, checked, after = GENESIS, 0, 0
    while True:
        rows = (
            await session.execute(
                select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
            )
        ).mappings()
        seen = 0
        for row in rows:
            seen += 1
            if row["prev_hash"] != previous or row["hash"] != _digest(previous, row):
                return ChainVerification(records=checked, intact=False, first_broken_seq=row["seq"])
            previous, checked, after = row["hash"], checked + 1, row["seq"]
        if seen < batch:
            return ChainVerification(records=checked, intact=True, first_broken_seq=None)


async def records_about(
    session: AsyncSession, *, subject_type: str | None, subject_id: str | None, limit: int
) -> list[AuditRecord]:
    query = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if subject_type is not None:
        query = query.where(audit_log.c.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(audit_log.c.subject_id == subject_id)
    return [AuditRecord.model_validate(dict(row)) for row in (await session.execute(query)).mappings()]


def create_audit_table() -> None:
    """Migration step: the table, and the trigger that keeps it append-only."""
    from alembic import op

    metadata.create_all(op.get_bind(), tables=[audit_log])
    op.execute(
        """
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$"""
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()"
    )


def drop_audit_table() -> None:
    from alembic import op

    metadata.drop_all(op.get_bind(), tables=[audit_log])
    op.execute("DROP FUNCTION audit_log_is_append_only()")
