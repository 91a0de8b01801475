"""Payee accounts: set (a new version, audited) and read (masked)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter

from services.payments.api.roles import PayeeKeeper, PayeeReader
from services.payments.schemas.payees import PayeeAccountIn, PayeeAccountsOut
from services.payments.service import payees
from shared.service import PersonalDataDep, UnitOfWorkDep

router = APIRouter(prefix="/payee-accounts", tags=["payee accounts"])

OwnerKind = Literal["person", "household"]


@router.put(
    "/{owner_kind}/{owner_id}",
    summary="Set a beneficiary's (person) or household's payee account",
    description="The previous account is kept as history; the change is written to the audit log with "
    "masked numbers. `household` accounts receive temporary-assistance grants.",
)
async def put_payee_account(
    owner_kind: OwnerKind,
    owner_id: UUID,
    body: PayeeAccountIn,
    uow: UnitOfWorkDep,
    pii: PersonalDataDep,
    caller: PayeeKeeper,
) -> PayeeAccountsOut:
    return await payees.set_account(uow, pii, caller, owner_kind, owner_id, body)


@router.get("/{owner_kind}/{owner_id}", summary="A payee's current account and its history, masked")
async def get_payee_account(
    owner_kind: OwnerKind, owner_id: UUID, uow: UnitOfWorkDep, pii: PersonalDataDep, caller: PayeeReader
) -> PayeeAccountsOut:
    return await payees.read_accounts(uow, pii, caller, owner_kind, owner_id)
