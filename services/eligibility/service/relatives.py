"""Use cases of the register of staff and cadre relatives (近亲属备案), whose cases always get a district visit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from services.eligibility.models import StaffRelative
from services.eligibility.repository import applications as applications_queries
from services.eligibility.schemas.applications import RelativeIn, RelativeOut
from services.eligibility.service.households import ID_NUMBER
from shared.auth import Principal
from shared.contracts.eligibility import MATCH_CONTEXT, StaffRelativeFiled
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import Conflict
from shared.pii import PersonalData
from shared.resident_id import validate_resident_id


async def file_relative(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, body: RelativeIn, *, today: date
) -> RelativeOut:
    caller.require_district(body.district_code)
    number = validate_resident_id(body.id_number, today=today)
    relative = StaffRelative(
        id=uuid4(),
        person_index=pii.index.digest(number, context=ID_NUMBER),
        staff_id=body.staff_id,
        relation=body.relation,
        district_code=body.district_code,
        filed_by=caller.subject,
        filed_at=datetime.now(UTC),
    )
    async with uow:
        if not await insert_if_absent(uow.session, relative):
            raise Conflict("this relative of this staff member is already filed")
        uow.emit(
            StaffRelativeFiled(
                relative_id=relative.id,
                match_key=pii.index.digest(number, context=MATCH_CONTEXT).hex(),
                staff_id=body.staff_id,
                relation=body.relation,
                district_code=body.district_code,
                filed_on=today,
            )
        )
        await uow.commit()
    return RelativeOut.model_validate(relative, from_attributes=True)


async def list_relatives(uow: UnitOfWork, caller: Principal) -> list[RelativeOut]:
    async with uow:
        rows = await applications_queries.relatives_page(uow.session, caller.district_scope)
    return [RelativeOut.model_validate(row, from_attributes=True) for row in rows]
