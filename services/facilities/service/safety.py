"""Safety and fire-safety rectification items: opened with a responsible person and a deadline, closed with
evidence by a second person; an open critical fire item stops the facility's admissions."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from services.facilities.domain.safety import is_overdue, may_close
from services.facilities.models import SafetyItem
from services.facilities.repository import facilities as facility_queries
from services.facilities.repository import safety as safety_queries
from services.facilities.schemas.safety import ClosureIn, SafetyItemIn, SafetyItemOut
from services.facilities.service.common import scope
from shared import audit
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound


def _out(item: SafetyItem, today: date) -> SafetyItemOut:
    return SafetyItemOut(
        **{n: getattr(item, n) for n in SafetyItemOut.model_fields if n != "overdue"},
        overdue=is_overdue(item.status, item.deadline, today),
    )


async def open_item(
    uow: UnitOfWork, caller: Principal, facility_id: UUID, body: SafetyItemIn, *, today: date
) -> SafetyItemOut:
    if body.found_on > today:
        raise InvalidInput(
            "an item cannot be found in the future",
            errors=[FieldIssue("found_on", "FUTURE_DATE", f"after today ({today})")],
        )
    async with uow:
        # Locked like a status change, so an admission checking the items waits for this one.
        facility = await facility_queries.facility(uow.session, facility_id, scope(caller), lock="update")
        if facility is None:
            raise NotFound(f"no facility {facility_id} in your districts")
        item = SafetyItem(
            id=uuid4(),
            facility_id=facility.id,
            district_code=facility.district_code,
            status="open",
            opened_by=caller.subject,
            **body.model_dump(),
        )
        uow.session.add(item)
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="safety_item.opened",
            subject_type="safety_item",
            subject_id=item.id,
            district_code=item.district_code,
            details={"facility_id": facility.id, "kind": body.kind, "severity": body.severity},
        )
        await uow.commit()
        return _out(item, today)


async def close_item(
    uow: UnitOfWork, caller: Principal, item_id: UUID, body: ClosureIn, *, today: date
) -> SafetyItemOut:
    async with uow:
        item = await safety_queries.item(uow.session, item_id, scope(caller))
        if item is None:
            raise NotFound(f"no safety item {item_id} in your districts")
        if item.status != "open":
            raise Conflict(
                "the item is already closed", errors=[FieldIssue("status", "ALREADY_CLOSED", "closed once")]
            )
        if not may_close(item.opened_by, caller.subject):
            raise Forbidden(
                "the person who opened an item cannot close it",
                errors=[FieldIssue("closed_by", "SECOND_PERSON", "a second person checks the evidence")],
            )
        item.status, item.closed_by, item.closed_on, item.evidence = (
            "closed",
            caller.subject,
            today,
            body.evidence,
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="safety_item.closed",
            subject_type="safety_item",
            subject_id=item.id,
            district_code=item.district_code,
            details={"facility_id": item.facility_id},
        )
        await uow.commit()
        return _out(item, today)


async def list_items(
    uow: UnitOfWork,
    caller: Principal,
    *,
    facility_id: UUID | None,
    district_code: str | None,
    status: str | None,
    overdue: bool,
    limit: int,
    offset: int,
    today: date,
) -> list[SafetyItemOut]:
    async with uow:
        items = await safety_queries.items(
            uow.session,
            scope(caller, district_code),
            facility_id=facility_id,
            district_code=district_code,
            status=status,
            overdue_on=today if overdue else None,
            limit=limit,
            offset=offset,
        )
    return [_out(item, today) for item in items]
