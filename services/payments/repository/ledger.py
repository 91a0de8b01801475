"""Queries of the district-fund ledger: balanced, append-only postings and balances derived from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import LedgerEntry, LedgerTransaction


async def lock_fund(session: AsyncSession, district_code: str) -> None:
    """One writer per district fund until the transaction ends, so a balance checked stays true."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('safetynet.ledger:' || :district))"),
        {"district": district_code},
    )


async def post(
    session: AsyncSession,
    *,
    district_code: str,
    kind: str,
    reference: str,
    memo: str,
    posted_by: str,
    lines: Sequence[tuple[str, int]],
) -> UUID | None:
    """Post once per (kind, reference); lines of zero are dropped. Returns None if already posted or empty.
    The database checks at commit that the lines balance."""
    entries = [(account, amount) for account, amount in lines if amount != 0]
    if not entries:
        return None
    posted: UUID | None = await session.scalar(
        insert(LedgerTransaction)
        .values(
            id=uuid4(),
            district_code=district_code,
            kind=kind,
            reference=reference,
            memo=memo,
            posted_by=posted_by,
        )
        .on_conflict_do_nothing()
        .returning(LedgerTransaction.id)
    )
    if posted is None:
        return None
    await session.execute(
        insert(LedgerEntry),
        [
            {"transaction_id": posted, "line": line, "account": account, "amount_fen": amount}
            for line, (account, amount) in enumerate(entries, start=1)
        ],
    )
    return posted


async def balances(session: AsyncSession, district_code: str) -> dict[str, int]:
    rows = await session.execute(
        select(LedgerEntry.account, func.sum(LedgerEntry.amount_fen))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.district_code == district_code)
        .group_by(LedgerEntry.account)
    )
    return {account: int(total) for account, total in rows}


async def statement(
    session: AsyncSession,
    district_code: str,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    kind: str | None = None,
    reference: str | None = None,
) -> list[tuple[LedgerTransaction, list[LedgerEntry]]]:
    query = (
        select(LedgerTransaction)
        .where(LedgerTransaction.district_code == district_code)
        .order_by(LedgerTransaction.posted_at, LedgerTransaction.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(LedgerTransaction.posted_at >= since)
    if until is not None:
        query = query.where(LedgerTransaction.posted_at < until)
    if kind is not None:
        query = query.where(LedgerTransaction.kind == kind)
    if reference is not None:
        query = query.where(LedgerTransaction.reference == reference)
    transactions = list(await session.scalars(query))
    lines: dict[UUID, list[LedgerEntry]] = {t.id: [] for t in transactions}
    for entry in await session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.transaction_id.in_(list(lines)))
        .order_by(LedgerEntry.transaction_id, LedgerEntry.line)
    ):
        lines[entry.transaction_id].append(entry)
    return [(t, lines[t.id]) for t in transactions]
