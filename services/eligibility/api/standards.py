"""Routes for the standards (标准) and the means-test calculator."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from services.eligibility.api.roles import Admin, Assessor, Overseer, Staff
from services.eligibility.domain.standards import DEFAULTED_FIELDS, DEFAULTED_SEED_DATES
from services.eligibility.models import Recalculation, Standard
from services.eligibility.schemas.assessments import AssessmentRequest, AssessmentResponse
from services.eligibility.schemas.standards import (
    DistrictStandardOut,
    RecalculationOut,
    ReviewFlagOut,
    StandardIn,
    StandardOut,
)
from services.eligibility.service import assessments
from services.eligibility.service import standards as service
from shared.contracts.types import Day
from shared.params import DistrictInPath
from shared.service import JobsDep, UnitOfWorkDep

router = APIRouter(tags=["standards and assessments"])


@router.post(
    "/assessments",
    summary="Assess a household for dibao, tekun or temporary assistance (the caseworker's calculator)",
    description="Applies the means tests at the standard in force on `as_of`. Every failed condition is "
    "returned with a stable code. Nothing is stored. Values the bureau has not confirmed are seeded defaults "
    "(see GET /v1/standards).",
)
async def post_assessment(
    body: AssessmentRequest, uow: UnitOfWorkDep, caller: Assessor
) -> AssessmentResponse:
    caller.require_district(body.district_code)
    _, standards = await service.standards_in_force(uow, body.as_of, body.district_code)
    return assessments.assess(body, standards)


UNCONFIRMED = (
    "Seeded from DOMAIN.md (渝民发〔2018〕27号 and later notices). Values not confirmed in a Chongqing source "
    "and shipped as defaults until the bureau confirms them: "
    + ", ".join(sorted(DEFAULTED_FIELDS))
    + ". The effective month of the seed rows from "
    + ", ".join(sorted(day.isoformat() for day in DEFAULTED_SEED_DATES))
    + " is also a default."
)


@router.get("/standards", summary="Every city-wide standard, oldest first", description=UNCONFIRMED)
async def get_standards(uow: UnitOfWorkDep, _caller: Staff) -> list[StandardOut]:
    return [_standard(row) for row in await service.list_standards(uow)]


@router.get("/standards/in-force", summary="The standard in force on a day")
async def get_standard_in_force(
    uow: UnitOfWorkDep, _caller: Staff, on: Annotated[Day, Query(description="the day")]
) -> StandardOut:
    row, _ = await service.standards_in_force(uow, on)
    return _standard(row)


@router.post(
    "/standards",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Publish a new standard (调标); every active case is recalculated from its effective month",
    description="Other parameters keep the values of the standard in force on `effective_from`. The "
    "recalculation runs in the background; follow it at GET /v1/standards/{id}/recalculation.",
)
async def post_standard(
    body: StandardIn, uow: UnitOfWorkDep, caller: Admin, jobs: JobsDep
) -> RecalculationOut:
    recalculation = await service.publish_changed_standard(
        uow,
        effective_from=body.effective_from,
        changes=body.changes(),
        published_by=caller.subject,
        note=body.note,
    )
    jobs.start(
        service.run_recalculation(jobs.units_of_work, recalculation.standard_id, today=jobs.clock.today()),
        name=f"recalculation-{recalculation.standard_id}",
    )
    return _recalculation(recalculation)


@router.post(
    "/standards/districts/{district_code}",
    status_code=status.HTTP_201_CREATED,
    summary="Publish a district's own temporary-assistance table (months by class, cap, help-first limit)",
)
async def post_district_standard(
    district_code: DistrictInPath,
    body: StandardIn,
    uow: UnitOfWorkDep,
    caller: Admin,
) -> DistrictStandardOut:
    caller.require_district(district_code)
    return await service.publish_district_override(
        uow,
        district_code=district_code,
        effective_from=body.effective_from,
        overrides=body.changes(),
        published_by=caller.subject,
        note=body.note,
    )


@router.get("/standards/districts/{district_code}", summary="The parameters in force in a district on a day")
async def get_district_standard(
    district_code: DistrictInPath,
    uow: UnitOfWorkDep,
    caller: Staff,
    on: Annotated[Day, Query(description="the day")],
) -> DistrictStandardOut:
    caller.require_district(district_code)
    return await service.district_standard(uow, district_code, on)


@router.get(
    "/standards/{standard_id}/recalculation", summary="Progress of the recalculation after a standard"
)
async def get_recalculation(standard_id: UUID, uow: UnitOfWorkDep, _caller: Overseer) -> RecalculationOut:
    return _recalculation(await service.recalculation_status(uow, standard_id))


def _standard(row: Standard) -> StandardOut:
    return StandardOut.model_validate(row, from_attributes=True)


def _recalculation(row: Recalculation) -> RecalculationOut:
    return RecalculationOut.model_validate(row, from_attributes=True)


@router.get(
    "/standards/{standard_id}/newly-qualifying",
    summary="Households the standard may have made eligible (near the line, no active dibao case): to review",
)
async def get_newly_qualifying(
    standard_id: UUID, uow: UnitOfWorkDep, caller: Assessor
) -> list[ReviewFlagOut]:
    return await service.newly_qualifying(uow, standard_id, caller.district_scope)
