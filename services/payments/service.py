"""Use cases of the payments service; the only module that commits (event handlers commit with the inbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID, uuid4

from services.payments import repository
from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment, PaymentRun
from services.payments.schemas import AmountOut, EntitlementOut, OneOffOut, RunOut
from shared.auth import Principal
from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseApproved,
    CaseSuspended,
    CaseTerminated,
    MonthlyAmount,
    TemporaryAidGranted,
)
from shared.contracts.payments import OverpaymentRaised, PaymentRunReleased
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import Conflict, FieldIssue, Forbidden, NotFound


def first_day(month: str) -> date:
    return date.fromisoformat(f"{month}-01")


async def _entitle(
    uow: UnitOfWork,
    line: MonthlyAmount,
    *,
    case_id: UUID,
    household_id: UUID,
    benefit: str,
    district_code: str,
    from_month: date,
    reason: str,
    event_id: UUID,
    back_pay: list[date],
) -> None:
    """The beneficiary's entitlement (opened from `from_month` if new) is due `line` from that month."""
    entitlement = await repository.add_entitlement(
        uow.session,
        Entitlement(
            id=uuid4(),
            case_id=case_id,
            person_id=line.person_id,
            household_id=household_id,
            benefit=benefit,
            district_code=district_code,
            start_month=from_month,
        ),
    )
    await repository.set_amount(
        uow.session,
        EntitlementAmount(
            entitlement_id=entitlement.id,
            from_month=from_month,
            base_fen=line.base_fen,
            add_on_fen=line.add_on_fen,
            care_subsidy_fen=line.care_subsidy_fen,
            total_fen=line.total_fen,
            reason=reason,
            back_pay_months=back_pay,
            event_id=event_id,
        ),
    )


async def open_entitlements(uow: UnitOfWork, event: CaseApproved) -> None:
    """A case was approved: each beneficiary is due their amount from the start month."""
    for line in event.beneficiaries:
        await _entitle(
            uow,
            line,
            case_id=event.case_id,
            household_id=event.household_id,
            benefit=event.program,
            district_code=event.district_code,
            from_month=first_day(event.start_month),
            reason="approved",
            event_id=event.event_id,
            back_pay=[],
        )
    await uow.commit()


async def change_entitlements(uow: UnitOfWork, event: CaseAmountChanged) -> None:
    """New amounts from a month; people no longer covered stop then, people newly covered start then."""
    current = await repository.entitlements_of_case(uow.session, event.case_id, for_update=True)
    if not current:
        raise NotFound(f"no entitlements of case {event.case_id}: CaseApproved has not arrived")
    from_month = first_day(event.from_month)
    case = current[0]
    for line in event.beneficiaries:
        await _entitle(
            uow,
            line,
            case_id=event.case_id,
            household_id=case.household_id,
            benefit=case.benefit,
            district_code=case.district_code,
            from_month=from_month,
            reason=event.reason,
            event_id=event.event_id,
            back_pay=[first_day(month) for month in event.back_pay_months],
        )
    covered = {line.person_id for line in event.beneficiaries}
    gone = [e.person_id for e in current if e.person_id not in covered]
    if gone:
        await repository.end_entitlements(uow.session, event.case_id, gone, from_month)
    await uow.commit()


async def suspend_entitlements(uow: UnitOfWork, event: CaseSuspended) -> None:
    await repository.suspend_entitlements(uow.session, event.case_id, first_day(event.from_month))
    await uow.commit()


async def end_entitlements(uow: UnitOfWork, event: CaseTerminated) -> None:
    """Nothing is due from the effective month; anything already paid for it becomes an overpayment."""
    effective = first_day(event.effective_month)
    reason: Literal["death", "fraud", "termination"] = (
        "death" if event.reason == "death" else "fraud" if event.reason == "fraud" else "termination"
    )
    await repository.end_entitlements(uow.session, event.case_id, list(event.person_ids), effective)
    raised = await repository.raise_overpayments(
        uow.session,
        {
            "case_id": event.case_id,
            "person_ids": list(event.person_ids),
            "from_month": effective,
            "reason": reason,
            "raised_on": event.decided_on,
        },
    )
    for row in raised:
        uow.emit(
            OverpaymentRaised(
                overpayment_id=row.id,
                payment_id=row.payment_id,
                case_id=row.case_id,
                person_id=row.person_id,
                month=row.month.strftime("%Y-%m"),
                amount_fen=row.amount_fen,
                reason=reason,
                raised_on=event.decided_on,
            )
        )
    await uow.commit()


async def schedule_one_off(uow: UnitOfWork, event: TemporaryAidGranted) -> None:
    await insert_if_absent(
        uow.session,
        OneOffPayment(
            grant_id=event.grant_id,
            application_id=event.case_id,
            household_id=event.household_id,
            district_code=event.district_code,
            amount_fen=event.amount_fen,
            help_first=event.help_first,
            granted_on=event.granted_on,
            status="due",
        ),
    )
    await uow.commit()


async def list_entitlements(
    uow: UnitOfWork, caller: Principal, *, case_id: UUID | None, person_id: UUID | None
) -> list[EntitlementOut]:
    async with uow:
        rows = await repository.entitlements(
            uow.session, caller.district_scope, case_id=case_id, person_id=person_id
        )
    return [
        EntitlementOut(
            id=e.id,
            case_id=e.case_id,
            person_id=e.person_id,
            household_id=e.household_id,
            benefit=e.benefit,
            district_code=e.district_code,
            start_month=e.start_month,
            end_month=e.end_month,
            suspended_from=e.suspended_from,
            amounts=[AmountOut.model_validate(a, from_attributes=True) for a in amounts],
        )
        for e, amounts in rows
    ]


async def list_one_offs(uow: UnitOfWork, caller: Principal, *, household_id: UUID | None) -> list[OneOffOut]:
    async with uow:
        rows = await repository.one_offs(uow.session, caller.district_scope, household_id)
    return [OneOffOut.model_validate(row, from_attributes=True) for row in rows]


RUN_BATCH = 5_000


async def prepare_run(
    new_uow: Callable[[], UnitOfWork],
    caller: Principal,
    *,
    district_code: str,
    month: date,
    batch_size: int = RUN_BATCH,
    progress: Callable[[int], None] = lambda _entitlements: None,
) -> RunOut:
    """Prepare (or resume preparing) a district's run for a month: every payment due, set-based, in batches,
    then back pay for months paid at an old rate and the temporary grants not yet paid.

    Each batch is its own transaction with the cursor; a second call, or a call after a crash, adds nothing
    that is already there (one payment per beneficiary, benefit and month).
    """
    caller.require_district(district_code)
    uow = new_uow()
    async with uow:
        await insert_if_absent(
            uow.session,
            PaymentRun(
                id=uuid4(),
                district_code=district_code,
                month=month,
                status="preparing",
                prepared_by=caller.subject,
            ),
        )
        payment_run = await repository.run_for(uow.session, district_code, month)
        assert payment_run is not None
        run_id = payment_run.id
        await uow.commit()
    while True:
        uow = new_uow()
        async with uow:
            payment_run = await repository.run(uow.session, run_id, None, for_update=True)
            assert payment_run is not None
            if payment_run.status != "preparing":
                await uow.commit()
                break
            parameters: dict[str, object] = {"run_id": run_id, "district_code": district_code, "month": month}
            last_id, scanned, _ = await repository.prepare_batch(
                uow.session, {**parameters, "cursor": payment_run.cursor, "batch_size": batch_size}
            )
            if scanned == 0:
                await repository.prepare_back_pay(uow.session, parameters)
                await repository.prepare_one_offs(uow.session, parameters)
                payment_run.status = "prepared"
            else:
                payment_run.cursor = last_id
            await uow.commit()
        progress(scanned)
    return await read_run(new_uow(), caller, run_id)


async def release_run(uow: UnitOfWork, caller: Principal, run_id: UUID) -> RunOut:
    """A second finance officer releases a prepared run; only released runs go to the bank."""
    async with uow:
        payment_run = await repository.run(uow.session, run_id, caller.district_scope, for_update=True)
        if payment_run is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        if payment_run.status != "prepared":
            raise Conflict(f"run {run_id} is {payment_run.status}; only a prepared run can be released")
        if payment_run.prepared_by == caller.subject:
            raise Forbidden(
                "the person who prepared a run cannot release it",
                errors=[
                    FieldIssue(
                        "released_by", "second_person", "maker-checker: another finance officer releases"
                    )
                ],
            )
        count, total = await repository.run_totals(uow.session, run_id)
        payment_run.status, payment_run.released_by = "released", caller.subject
        payment_run.released_at = datetime.now(UTC)
        uow.emit(
            PaymentRunReleased(
                run_id=run_id,
                district_code=payment_run.district_code,
                month=payment_run.month.strftime("%Y-%m"),
                payment_count=count,
                total_fen=total,
                prepared_by=payment_run.prepared_by,
                released_by=caller.subject,
            )
        )
        await uow.commit()
    return await read_run(uow, caller, run_id)


async def read_run(uow: UnitOfWork, caller: Principal, run_id: UUID) -> RunOut:
    async with uow:
        payment_run = await repository.run(uow.session, run_id, caller.district_scope)
        if payment_run is None:
            raise NotFound(f"no payment run {run_id} in your districts")
        count, total = await repository.run_totals(uow.session, run_id)
    return RunOut(
        id=payment_run.id,
        district_code=payment_run.district_code,
        month=payment_run.month.strftime("%Y-%m"),
        status=payment_run.status,
        prepared_by=payment_run.prepared_by,
        released_by=payment_run.released_by,
        payment_count=count,
        total_fen=total,
    )
