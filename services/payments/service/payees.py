"""Payee accounts: where a beneficiary's (a household's, a care facility's) money goes. Encrypted at rest, masked when
shown, and changed only as a new version with an audit record."""

from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid4

from services.payments.models import PayeeAccount
from services.payments.repository import payees as repository
from services.payments.schemas.payees import PayeeAccountIn, PayeeAccountOut, PayeeAccountsOut
from shared.audit import record
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.pii import PersonalData, mask_bank_account, mask_name

ACCOUNT_NUMBER = "payee_accounts.account_number"
HOLDER_NAME = "payee_accounts.holder_name"

OwnerKind = Literal["person", "household", "facility"]


async def set_account(
    uow: UnitOfWork,
    pii: PersonalData,
    caller: Principal,
    owner_kind: OwnerKind,
    owner_id: UUID,
    body: PayeeAccountIn,
) -> PayeeAccountsOut:
    """In the caller's unit of work, committed: the owner's account from now on, the old one kept as history."""
    async with uow:
        account = await change_account(uow, pii, caller, owner_kind, owner_id, body)
        await uow.session.flush()
        # `created_at` is the database's: expired by the flush, loaded before the answer reads it.
        await uow.session.refresh(account, ["created_at"])
        answer = await _accounts(uow, pii, caller, owner_kind, owner_id)
        await uow.commit()
    return answer


async def change_account(
    uow: UnitOfWork,
    pii: PersonalData,
    caller: Principal,
    owner_kind: OwnerKind,
    owner_id: UUID,
    body: PayeeAccountIn,
) -> PayeeAccount:
    """Within an open unit of work (a reissue changes the account in its own transaction)."""
    district_code = await repository.owner_district(uow.session, owner_kind, owner_id, caller.district_scope)
    if district_code is None:
        raise NotFound(f"no {owner_kind} {owner_id} is paid in your districts")
    previous = await repository.current(uow.session, owner_kind, owner_id, for_update=True)
    account = PayeeAccount(
        id=uuid4(),
        owner_kind=owner_kind,
        owner_id=owner_id,
        district_code=district_code,
        holder_name=pii.cipher.encrypt(body.holder_name, context=HOLDER_NAME),
        account_number=pii.cipher.encrypt(body.account_number, context=ACCOUNT_NUMBER),
        account_index=pii.index.digest(body.account_number, context=ACCOUNT_NUMBER),
        bank_code=body.bank_code,
        appointed=body.appointed,
        relationship=body.relationship,
        reason=body.reason,
        created_by=caller.subject,
    )
    await repository.replace(uow.session, account)
    await record(
        uow.session,
        actor=caller.subject,
        action="payee_account.changed",
        subject_type=owner_kind,
        subject_id=owner_id,
        district_code=district_code,
        details={
            "account_id": str(account.id),
            "previous_account_id": str(previous.id) if previous else None,
            "previous_account": _masked_number(pii, previous) if previous else None,
            "account": mask_bank_account(body.account_number),
            "bank_code": body.bank_code,
            "appointed": body.appointed,
            "reason": body.reason,
        },
    )
    return account


async def read_accounts(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, owner_kind: OwnerKind, owner_id: UUID
) -> PayeeAccountsOut:
    async with uow:
        return await _accounts(uow, pii, caller, owner_kind, owner_id)


async def _accounts(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, owner_kind: OwnerKind, owner_id: UUID
) -> PayeeAccountsOut:
    """The owner's accounts as the caller's open unit of work sees them."""
    district_code = await repository.owner_district(uow.session, owner_kind, owner_id, caller.district_scope)
    if district_code is None:
        raise NotFound(f"no {owner_kind} {owner_id} is paid in your districts")
    versions = await repository.history(uow.session, owner_kind, owner_id)
    current = next((v for v in versions if v.superseded_at is None), None)
    shared = await repository.owners_sharing(uow.session, current.account_index, owner_id) if current else 0
    return PayeeAccountsOut(
        owner_kind=owner_kind,
        owner_id=owner_id,
        current=_shown(pii, current) if current else None,
        owners_sharing_the_account=shared,
        history=[_shown(pii, v) for v in versions if v.superseded_at is not None],
    )


def _masked_number(pii: PersonalData, account: PayeeAccount) -> str:
    return mask_bank_account(pii.cipher.decrypt(account.account_number, context=ACCOUNT_NUMBER))


def _shown(pii: PersonalData, account: PayeeAccount) -> PayeeAccountOut:
    return PayeeAccountOut(
        id=account.id,
        holder_name=mask_name(pii.cipher.decrypt(account.holder_name, context=HOLDER_NAME)),
        account_number=_masked_number(pii, account),
        bank_code=account.bank_code,
        appointed=account.appointed,
        relationship=account.relationship,
        reason=account.reason,
        created_by=account.created_by,
        created_at=account.created_at,
        superseded_at=account.superseded_at,
    )
