"""The district-fund ledger: budget allocations in, payments out to the bank, returns and recoveries back.

| posting | debit | credit |
|---|---|---|
| allocation | fund_cash | budget_allocated |
| bank file sent | bank_clearing | fund_cash |
| bank return: paid | benefits_paid | bank_clearing |
| bank return: failed | fund_cash | bank_clearing |
| overpayment raised | recoveries_receivable | benefits_paid |
| recovered | fund_cash | recoveries_receivable |
| waived | benefits_paid | recoveries_receivable |

Every posting balances (checked by the database at commit), postings are never changed, and every
balance is a sum of entries.
"""

from __future__ import annotations

from datetime import datetime

from services.payments.models import LEDGER_ACCOUNTS
from services.payments.repository import ledger as repository
from services.payments.schemas.ledger import AllocationIn, BalancesOut, EntryOut, TransactionOut
from shared.audit import record
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue


async def allocate(
    uow: UnitOfWork, caller: Principal, district_code: str, body: AllocationIn
) -> TransactionOut:
    """A budget allocation (资金拨付) into the district fund, once per budget document reference."""
    caller.require_district(district_code)
    async with uow:
        await repository.lock_fund(uow.session, district_code)
        posted = await repository.post(
            uow.session,
            district_code=district_code,
            kind="allocation",
            reference=body.reference,
            memo=body.memo,
            posted_by=caller.subject,
            lines=[("fund_cash", body.amount_fen), ("budget_allocated", -body.amount_fen)],
        )
        if posted is None:
            raise Conflict(
                f"allocation {body.reference} is already posted",
                errors=[FieldIssue("reference", "unique", "one posting per budget document")],
            )
        await record(
            uow.session,
            actor=caller.subject,
            action="ledger.allocation",
            subject_type="district_fund",
            subject_id=district_code,
            district_code=district_code,
            details={"reference": body.reference, "amount_fen": body.amount_fen},
        )
        await uow.commit()
    return (
        await statement(
            uow, caller, district_code, since=None, until=None, kind="allocation", reference=body.reference
        )
    )[0]


async def balances(uow: UnitOfWork, caller: Principal, district_code: str) -> BalancesOut:
    caller.require_district(district_code)
    async with uow:
        sums = await repository.balances(uow.session, district_code)
    return BalancesOut(
        district_code=district_code,
        balances={account: sums.get(account, 0) for account in LEDGER_ACCOUNTS},
        balanced=sum(sums.values()) == 0,
    )


async def statement(
    uow: UnitOfWork,
    caller: Principal,
    district_code: str,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int = 1000,
    kind: str | None = None,
    reference: str | None = None,
) -> list[TransactionOut]:
    caller.require_district(district_code)
    async with uow:
        rows = await repository.statement(
            uow.session, district_code, since=since, until=until, limit=limit, kind=kind, reference=reference
        )
    return [
        TransactionOut(
            id=transaction.id,
            kind=transaction.kind,
            reference=transaction.reference,
            memo=transaction.memo,
            posted_by=transaction.posted_by,
            posted_at=transaction.posted_at,
            entries=[EntryOut(account=e.account, amount_fen=e.amount_fen) for e in entries],
        )
        for transaction, entries in rows
    ]
