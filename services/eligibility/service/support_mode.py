"""Use cases of the 特困 support mode: a beneficiary chooses or changes it; the case shows each one's."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import cast
from uuid import UUID

from services.eligibility.domain.support_mode import Choice, check_choice
from services.eligibility.models import Case, SupportModeChoice
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import support_mode as support_queries
from services.eligibility.schemas.support_mode import (
    BeneficiarySupportOut,
    CarerOut,
    CaseSupportModesOut,
    SupportModeChoiceOut,
    SupportModeIn,
)
from services.eligibility.service.reviews import active_case
from shared import audit
from shared.auth import Principal
from shared.contracts.eligibility import SupportModeChosen
from shared.contracts.types import CareLevel, SupportMode
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, NotFound
from shared.pii import PersonalData, mask_name, mask_phone

CARER_NAME = "support_mode_choices.carer_name"
CARER_PHONE = "support_mode_choices.carer_phone"
SUPPORT_MODE_CHOSEN = "support_mode.chosen"


async def choose_support_mode(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, case_id: UUID, body: SupportModeIn, *, today: date
) -> CaseSupportModesOut:
    """Record a beneficiary's choice with the care level they have now, audit it and announce it."""
    async with uow:
        case = await active_case(uow, caller, case_id)
        _require_tekun(case)
        care_level = await _care_level(uow, case_id, body.person_id)
        history = await support_queries.choices_of(uow.session, case_id, body.person_id)
        latest = history[-1] if history else None
        check_choice(
            Choice(
                support_mode=body.support_mode, chosen_on=body.chosen_on, names_carer=body.carer is not None
            ),
            latest=None if latest is None else _choice(latest),
            decided_on=case.approved_on,
            today=today,
        )
        carer = body.carer
        await support_queries.add_choice(
            uow.session,
            SupportModeChoice(
                case_id=case_id,
                person_id=body.person_id,
                seq=1 if latest is None else latest.seq + 1,
                support_mode=body.support_mode,
                chosen_on=body.chosen_on,
                care_level=care_level,
                carer_name_cipher=None
                if carer is None
                else pii.cipher.encrypt(carer.name, context=CARER_NAME),
                carer_phone_cipher=None
                if carer is None
                else pii.cipher.encrypt(carer.phone, context=CARER_PHONE),
                recorded_by=caller.subject,
            ),
        )
        await audit.record(
            uow.session,
            actor=caller.subject,
            action=SUPPORT_MODE_CHOSEN,
            subject_type="case",
            subject_id=case_id,
            district_code=case.district_code,
            details={
                "person_id": str(body.person_id),
                "support_mode": body.support_mode,
                "previous_support_mode": None if latest is None else latest.support_mode,
                "chosen_on": body.chosen_on.isoformat(),
                "care_level": care_level,
                "carer": None
                if carer is None
                else {"name_masked": mask_name(carer.name), "phone_masked": mask_phone(carer.phone)},
            },
        )
        uow.emit(
            SupportModeChosen(
                case_id=case_id,
                person_id=body.person_id,
                district_code=case.district_code,
                support_mode=body.support_mode,
                care_level=care_level,
                chosen_on=body.chosen_on,
            )
        )
        answer = await _support_modes(uow, pii, case)
        await uow.commit()
    return answer


async def read_support_modes(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, case_id: UUID
) -> CaseSupportModesOut:
    """Each beneficiary's current support mode and every choice, oldest first, the carer masked."""
    async with uow:
        case = await cases_queries.case(uow.session, case_id, caller.district_scope)
        if case is None:
            raise NotFound(f"no case {case_id} in your districts")
        _require_tekun(case)
        return await _support_modes(uow, pii, case)


async def _support_modes(uow: UnitOfWork, pii: PersonalData, case: Case) -> CaseSupportModesOut:
    beneficiaries = await cases_queries.beneficiaries_of(uow.session, case.id)
    choices = await support_queries.choices_of(uow.session, case.id)
    history = {
        person_id: [_choice_out(pii, row) for row in rows]
        for person_id, rows in groupby(choices, key=lambda row: row.person_id)
    }
    return CaseSupportModesOut(
        case_id=case.id,
        district_code=case.district_code,
        beneficiaries=[
            BeneficiarySupportOut(
                person_id=b.person_id,
                active=b.active,
                current=history[b.person_id][-1] if b.person_id in history else None,
                history=history.get(b.person_id, []),
            )
            for b in beneficiaries
        ],
    )


async def _care_level(uow: UnitOfWork, case_id: UUID, person_id: UUID) -> CareLevel:
    """The care level an active beneficiary has on the case now, as their latest care assessment set it."""
    beneficiary = next(
        (
            b
            for b in await cases_queries.beneficiaries_of(uow.session, case_id)
            if b.person_id == person_id and b.active
        ),
        None,
    )
    if beneficiary is None:
        message = f"person {person_id} is not an active beneficiary of case {case_id}"
        raise NotFound(message, errors=[FieldIssue("person_id", "NOT_A_BENEFICIARY", message)])
    if beneficiary.care_level is None:
        # The choice is announced with the care level (facilities admit the disabled first): assess first.
        message = "the person's self-care is not assessed: record a care assessment first"
        raise Conflict(message, errors=[FieldIssue("person_id", "CARE_LEVEL_NOT_ASSESSED", message)])
    return cast(CareLevel, beneficiary.care_level)


def _require_tekun(case: Case) -> None:
    if case.program != "tekun":
        message = f"case {case.id} is a {case.program} case: the support mode is chosen in tekun cases only"
        raise Conflict(message, errors=[FieldIssue("case_id", "TEKUN_ONLY", message)])


def _choice(row: SupportModeChoice) -> Choice:
    return Choice(
        support_mode=cast(SupportMode, row.support_mode),
        chosen_on=row.chosen_on,
        names_carer=row.carer_name_cipher is not None,
    )


def _choice_out(pii: PersonalData, row: SupportModeChoice) -> SupportModeChoiceOut:
    carer = None
    if row.carer_name_cipher is not None and row.carer_phone_cipher is not None:
        carer = CarerOut(
            name_masked=mask_name(pii.cipher.decrypt(row.carer_name_cipher, context=CARER_NAME)),
            phone_masked=mask_phone(pii.cipher.decrypt(row.carer_phone_cipher, context=CARER_PHONE)),
        )
    return SupportModeChoiceOut(
        support_mode=cast(SupportMode, row.support_mode),
        chosen_on=row.chosen_on,
        care_level=cast(CareLevel, row.care_level),
        carer=carer,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )
