"""Overpayments (追回): raised where money went out for a month that was not due, then recovered or waived."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from services.payments.repository import ledger
from services.payments.repository import recoveries as repository
from services.payments.schemas.recoveries import OverpaymentOut, SettleOverpaymentIn
from shared.audit import record
from shared.auth import Principal
from shared.contracts.payments import OverpaymentRaised
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound


async def raise_overpayments(
    uow: UnitOfWork,
    *,
    raised_on: date,
    posted_by: str,
    case_id: UUID | None = None,
    bank_file_id: UUID | None = None,
) -> None:
    """In the caller's transaction: each paid payment for a month no longer due becomes an overpayment,
    announced, and moved in the ledger from benefits paid to recoveries receivable."""
    raised = await repository.raise_overpayments(
        uow.session, {"case_id": case_id, "bank_file_id": bank_file_id, "raised_on": raised_on}
    )
    for row in raised:
        await ledger.post(
            uow.session,
            district_code=row.district_code,
            kind="overpayment",
            reference=str(row.id),
            memo=f"overpayment ({row.reason}) of payment {row.payment_id} for {row.month:%Y-%m}",
            posted_by=posted_by,
            lines=[("recoveries_receivable", row.amount_fen), ("benefits_paid", -row.amount_fen)],
        )
        uow.emit(
            OverpaymentRaised(
                overpayment_id=row.id,
                payment_id=row.payment_id,
                case_id=row.case_id,
                person_id=row.person_id,
                month=YearMonth.of(row.month).label,
                amount_fen=row.amount_fen,
                reason=row.reason,
                raised_on=raised_on,
            )
        )


async def settle(
    uow: UnitOfWork,
    caller: Principal,
    overpayment_id: UUID,
    body: SettleOverpaymentIn,
) -> OverpaymentOut:
    """Recovered into the fund, or waived (written back to benefits paid): once, with an audit record."""
    outcome: Literal["recovered", "waived"] = body.outcome
    async with uow:
        found = await repository.overpayment(
            uow.session, overpayment_id, caller.district_scope, for_update=True
        )
        if found is None:
            raise NotFound(f"no overpayment {overpayment_id} in your districts")
        overpayment, district_code = found
        if overpayment.status != "to_recover":
            raise Conflict(f"overpayment {overpayment_id} is already {overpayment.status}")
        overpayment.status, overpayment.settled_on, overpayment.settled_by = (
            outcome,
            body.settled_on,
            caller.subject,
        )
        await ledger.lock_fund(uow.session, district_code)
        await ledger.post(
            uow.session,
            district_code=district_code,
            kind="recovery" if outcome == "recovered" else "waiver",
            reference=str(overpayment_id),
            memo=body.note,
            posted_by=caller.subject,
            lines=[
                ("fund_cash" if outcome == "recovered" else "benefits_paid", overpayment.amount_fen),
                ("recoveries_receivable", -overpayment.amount_fen),
            ],
        )
        await record(
            uow.session,
            actor=caller.subject,
            action=f"overpayment.{outcome}",
            subject_type="overpayment",
            subject_id=overpayment_id,
            district_code=district_code,
            details={"amount_fen": overpayment.amount_fen, "note": body.note},
        )
        await uow.commit()
        return OverpaymentOut.of(overpayment, district_code)


async def list_overpayments(
    uow: UnitOfWork, caller: Principal, *, case_id: UUID | None, status: str | None
) -> list[OverpaymentOut]:
    async with uow:
        rows = await repository.overpayments(
            uow.session, caller.district_scope, case_id=case_id, status=status, limit=1000
        )
    return [OverpaymentOut.of(overpayment, district) for overpayment, district in rows]
