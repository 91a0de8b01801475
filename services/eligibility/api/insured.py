"""The insurer's route: the identity of an insured person, for the insurer whose roster they are on."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from services.eligibility.api.roles import Insurer
from services.eligibility.schemas.insured import InsuredIdentityOut
from services.eligibility.service import insured
from shared.service import PersonalDataDep, TodayDep, UnitOfWorkDep

router = APIRouter(prefix="/insured", tags=["insurers"])


@router.get(
    "/{person_id}/identity",
    summary="The name and full resident ID of a person on your roster, to settle a claim (audited)",
    description="For insurer clients only (role `insurer`, token claim `insurer_id`). Events carry person ids, "
    "never identity; this is where an insurer gets the name, full resident ID, birth date and sex of a person "
    "on one of its roster entries, with the district of their household and the person's policy years with "
    "that insurer. A removed person stays readable until 31 December of the year after the policy year, "
    "since claims for incidents within cover are settled after removal. Anyone else's person, or an unknown "
    "id, answers 404 alike. Every read is written to the audit log (`identity.read`, masked ID only) in the "
    "same transaction: no audit record, no identity. Pass `claim_id` to record which claim the read is for. "
    "Responses are `Cache-Control: no-store`.",
    responses={404: {"description": "not on your roster (or no such person)"}},
)
async def get_insured_identity(
    person_id: UUID,
    response: Response,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: Insurer,
    today: TodayDep,
    claim_id: Annotated[
        UUID | None, Query(description="the claim this read is for, kept in the audit")
    ] = None,
) -> InsuredIdentityOut:
    response.headers["Cache-Control"] = "no-store"
    return await insured.read_identity(uow, pii, caller, person_id, claim_id=claim_id, today=today)
