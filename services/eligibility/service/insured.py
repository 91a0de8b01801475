"""Use cases of the insured roster: keep it from insurance's events, and give a rostered insurer the identity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from services.eligibility.domain.insured import may_read_identity, sex_of
from services.eligibility.repository import insured as insured_queries
from services.eligibility.schemas.insured import InsuredIdentityOut, PolicyYearOut
from services.eligibility.service.households import ID_NUMBER, NAME
from shared import audit
from shared.auth import Principal
from shared.contracts.insurance import InsuredEnrolled, InsuredRemoved
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.observability import get_logger
from shared.pii import PersonalData, mask_resident_id

log = get_logger(__name__)

IDENTITY_READ = "identity.read"


# What both roster events say about the entry, in the read model's column names.
ENTRY = {"roster_entry_id", "person_id", "insurer_id", "policy_year", "district_code"}


async def record_enrolments(uow: UnitOfWork, events: Sequence[InsuredEnrolled]) -> None:
    """A run of enrolments, in one statement (a batch handler): each entry inserted or brought up to date."""
    async with uow:
        await insured_queries.record_enrolments(
            uow.session,
            [
                {
                    **event.model_dump(include=ENTRY),
                    "cover_from": event.cover_from,
                    "enrolled_event_id": event.event_id,
                }
                for event in events
            ],
        )
        await uow.commit()


async def record_removals(uow: UnitOfWork, events: Sequence[InsuredRemoved]) -> None:
    """A run of removals, in one statement (a batch handler): each entry's end of cover set."""
    async with uow:
        await insured_queries.record_removals(
            uow.session,
            [
                {
                    **event.model_dump(include=ENTRY),
                    "cover_until": event.cover_until,
                    "removal_reason": event.reason,
                    "removed_event_id": event.event_id,
                }
                for event in events
            ],
        )
        await uow.commit()


async def read_identity(
    uow: UnitOfWork,
    pii: PersonalData,
    caller: Principal,
    person_id: UUID,
    *,
    claim_id: UUID | None,
    today: date,
) -> InsuredIdentityOut:
    """The full identity of a person on the caller's roster, audited in the same transaction.

    Unknown person, another insurer's person, or a claim window long closed: one and the same 404,
    so the answer never tells whether the person exists. The audit record commits before anything
    is returned; if it cannot be written, the caller gets an error and no identity.
    """
    insurer_id = caller.insurer
    assert insurer_id is not None  # the route admits insurer clients only
    async with uow:
        not_found = NotFound(f"no insured person {person_id} on your roster")
        entries = await insured_queries.entries_with_insurer(uow.session, person_id, insurer_id)
        if not may_read_identity((e.policy_year for e in entries), today):
            raise not_found
        found = await insured_queries.person_and_district(uow.session, person_id)
        if found is None:
            # Insurance rostered someone this registry does not know: worth a look, still a 404.
            log.warning("rostered person is not in the registry", person_id=str(person_id))
            raise not_found
        person, district_code = found
        id_number = pii.cipher.decrypt(person.id_number_cipher, context=ID_NUMBER)
        name = pii.cipher.decrypt(person.name_cipher, context=NAME)
        await audit.record(
            uow.session,
            actor=caller.subject,
            action=IDENTITY_READ,
            subject_type="person",
            subject_id=person_id,
            district_code=district_code,
            details={
                "insurer_id": str(insurer_id),
                "id_number_masked": mask_resident_id(id_number),
                "claim_id": str(claim_id) if claim_id is not None else None,
                "policy_years": sorted({e.policy_year for e in entries}),
            },
        )
        await uow.commit()
    return InsuredIdentityOut(
        person_id=person.id,
        name=name,
        id_number=id_number,
        birth_date=person.birth_date,
        sex=sex_of(id_number),
        household_district_code=district_code,
        policy_years=[PolicyYearOut.model_validate(entry, from_attributes=True) for entry in entries],
    )
