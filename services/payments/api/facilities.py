"""Care facilities' accounts, paid their 特困 residents' amounts: set (a new version, audited) and read (masked)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.payments.api.roles import Finance, FinanceOfficer
from services.payments.schemas.payees import FacilityAccountIn, PayeeAccountsOut
from services.payments.service import payees
from shared.service import PersonalDataDep, UnitOfWorkDep

router = APIRouter(prefix="/facility-accounts", tags=["facility accounts"])

KNOWN_FROM_ADMISSIONS = (
    "A facility is known here once an admission to it has reached payments (`ResidentAdmitted`), in the "
    "facility's district; before that, or outside the caller's districts, 404."
)


@router.put(
    "/{facility_id}",
    summary="Set a care facility's account: its 特困 residents are paid into it",
    description="From the month after a resident's admission until the month of their discharge, the "
    "resident's 特困 amounts are paid into this account. Holder and number are encrypted at rest and masked "
    "in the answer; the previous account is kept as history and the change is written to the audit log with "
    "masked numbers. A month due to a facility without an account is held (`held_without_account`) and goes "
    "in a later bank file. " + KNOWN_FROM_ADMISSIONS,
)
async def put_facility_account(
    facility_id: UUID,
    body: FacilityAccountIn,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: FinanceOfficer,
) -> PayeeAccountsOut:
    return await payees.set_account(uow, pii, caller, "facility", facility_id, body.as_payee())


@router.get(
    "/{facility_id}",
    summary="A care facility's current account and its history, masked",
    description="`owners_sharing_the_account` counts other payees paid into the same number. "
    + KNOWN_FROM_ADMISSIONS,
)
async def get_facility_account(
    facility_id: UUID, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: Finance
) -> PayeeAccountsOut:
    return await payees.read_accounts(uow, pii, caller, "facility", facility_id)
