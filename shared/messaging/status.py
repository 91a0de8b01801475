"""What an operator needs to see of a service's messaging: outbox backlog and dead-lettered events."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.inbox import DEAD_LETTERED, PROCESSED
from shared.messaging.tables import inbox, outbox


class DeadLetteredEvent(BaseModel):
    event_id: UUID
    type: str
    topic: str
    partition: int | None
    offset: int | None
    error: str | None
    processed_at: datetime


class MessagingStatus(BaseModel):
    """Outbox backlog and inbox counts of one service's database."""

    outbox_pending: int = Field(description="events committed but not yet acknowledged by the bus")
    oldest_pending_at: datetime | None = Field(description="commit time of the oldest unpublished event")
    inbox_processed: int = Field(description="events this service's consumers have handled")
    inbox_dead_lettered: int = Field(description="events refused after validation or bounded retries")
    recent_dead_letters: list[DeadLetteredEvent] = Field(description="the 20 most recent, newest first")


async def messaging_status(session: AsyncSession) -> MessagingStatus:
    pending = (
        await session.execute(
            select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
        )
    ).one()
    counts: dict[str, int] = {
        row.status: row.n
        for row in await session.execute(
            select(inbox.c.status, func.count().label("n")).group_by(inbox.c.status)
        )
    }
    dead = (
        await session.execute(
            select(inbox)
            .where(inbox.c.status == DEAD_LETTERED)
            .order_by(inbox.c.processed_at.desc())
            .limit(20)
        )
    ).mappings()
    return MessagingStatus(
        outbox_pending=pending[0],
        oldest_pending_at=pending[1],
        inbox_processed=counts.get(PROCESSED, 0),
        inbox_dead_lettered=counts.get(DEAD_LETTERED, 0),
        recent_dead_letters=[DeadLetteredEvent.model_validate(dict(row)) for row in dead],
    )
