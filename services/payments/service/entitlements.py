"""Entitlements kept from eligibility's events: opened, re-amounted, paused and ended; grants to pay once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment
from services.payments.repository import entitlements as repository
from services.payments.schemas.entitlements import AmountOut, EntitlementOut, OneOffOut
from services.payments.service.recoveries import raise_overpayments
from shared.auth import Principal
from shared.clock import business_date
from shared.contracts.eligibility import (
    CaseAmountChanged,
    CaseApproved,
    CaseSuspended,
    CaseTerminated,
    MonthlyAmount,
    TemporaryAidGranted,
)
from shared.contracts.types import YearMonth
from shared.db import UnitOfWork, insert_if_absent
from shared.errors import NotYet


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


async def open_entitlements(uow: UnitOfWork, events: Sequence[CaseApproved]) -> None:
    """A run of approvals (a batch handler): each beneficiary due their amount from the start month, every
    run's entitlements and amounts in three statements."""
    async with uow:
        await _entitle_many(
            uow,
            [
                _Line(
                    event.case_id,
                    event.household_id,
                    event.program,
                    event.district_code,
                    line,
                    YearMonth.parse(event.start_month).first_day,
                    "approved",
                    event.event_id,
                    [],
                )
                for event in events
                for line in event.beneficiaries
            ],
        )
        await uow.commit()


async def change_entitlements(uow: UnitOfWork, events: Sequence[CaseAmountChanged]) -> None:
    """A run of amount changes (a standard change recalculates every case): when every case is known and
    nobody leaves one, the new amounts go in three statements; otherwise event by event, as they came."""
    async with uow:
        current = await repository.entitlements_of_cases(
            uow.session, {e.case_id for e in events}, for_update=True
        )
        if any(_leaves_or_unknown(event, current.get(event.case_id)) for event in events):
            for event in events:
                await _change(uow, event)
        else:
            await _entitle_many(
                uow,
                [
                    _Line(
                        event.case_id,
                        case.household_id,
                        case.benefit,
                        case.district_code,
                        line,
                        YearMonth.parse(event.from_month).first_day,
                        event.reason,
                        event.event_id,
                        [YearMonth.parse(month).first_day for month in event.back_pay_months],
                    )
                    for event in events
                    for case in current[event.case_id][:1]
                    for line in event.beneficiaries
                ],
            )
        await uow.commit()


def _leaves_or_unknown(event: CaseAmountChanged, current: list[Entitlement] | None) -> bool:
    return current is None or bool(
        {e.person_id for e in current} - {line.person_id for line in event.beneficiaries}
    )


@dataclass(frozen=True, slots=True)
class _Line:
    """One beneficiary's amount from a month, and the entitlement it belongs to."""

    case_id: UUID
    household_id: UUID
    benefit: str
    district_code: str
    line: MonthlyAmount
    from_month: date
    reason: str
    event_id: UUID
    back_pay: list[date]


async def _entitle_many(uow: UnitOfWork, lines: list[_Line]) -> None:
    """`_entitle` for many lines: the entitlements opened if new, then the amounts set, in order."""
    ids = await repository.add_entitlements(
        uow.session,
        [
            {
                "id": uuid4(),
                "case_id": x.case_id,
                "person_id": x.line.person_id,
                "household_id": x.household_id,
                "benefit": x.benefit,
                "district_code": x.district_code,
                "start_month": x.from_month,
            }
            for x in lines
        ],
    )
    await repository.set_amounts(
        uow.session,
        [
            {
                "entitlement_id": ids[(x.case_id, x.line.person_id, x.benefit)],
                "from_month": x.from_month,
                "base_fen": x.line.base_fen,
                "add_on_fen": x.line.add_on_fen,
                "care_subsidy_fen": x.line.care_subsidy_fen,
                "total_fen": x.line.total_fen,
                "reason": x.reason,
                "back_pay_months": x.back_pay,
                "event_id": x.event_id,
            }
            for x in lines
        ],
    )


async def _change(uow: UnitOfWork, event: CaseAmountChanged) -> None:
    """One amount change, in an open unit of work: new amounts from a month; people no longer covered stop
    then, people newly covered start then."""
    current = await repository.entitlements_of_case(uow.session, event.case_id, for_update=True)
    if not current:
        raise NotYet(f"no entitlements of case {event.case_id}: CaseApproved has not arrived")
    from_month = YearMonth.parse(event.from_month).first_day
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
            back_pay=[YearMonth.parse(month).first_day for month in event.back_pay_months],
        )
    covered = {line.person_id for line in event.beneficiaries}
    gone = [e.person_id for e in current if e.person_id not in covered]
    if gone:
        await _end_support(
            uow,
            event.case_id,
            gone,
            from_month,
            "termination",
            raised_on=business_date(event.occurred_at),
        )


async def suspend_entitlements(uow: UnitOfWork, event: CaseSuspended) -> None:
    """Only an active (so approved) case is suspended: without its entitlements, CaseApproved is yet to come.
    (CaseTerminated is not deferred: a case may end before it was ever approved.)"""
    async with uow:
        if not await repository.entitlements_of_case(uow.session, event.case_id):
            raise NotYet(f"no entitlements of case {event.case_id}: CaseApproved has not arrived")
        await repository.suspend_entitlements(
            uow.session, event.case_id, YearMonth.parse(event.from_month).first_day
        )
        await uow.commit()


async def end_entitlements(uow: UnitOfWork, event: CaseTerminated) -> None:
    """Nothing is due from the effective month: unsent payments for it are cancelled, paid ones recovered."""
    async with uow:
        reason = event.reason if event.reason in ("death", "fraud") else "termination"
        await _end_support(
            uow,
            event.case_id,
            list(event.person_ids),
            YearMonth.parse(event.effective_month).first_day,
            reason,
            raised_on=event.decided_on,
        )
        await uow.commit()


async def _end_support(
    uow: UnitOfWork, case_id: UUID, person_ids: list[UUID], end_month: date, reason: str, *, raised_on: date
) -> None:
    await repository.end_entitlements(uow.session, case_id, person_ids, end_month, reason)
    await repository.cancel_unsent(uow.session, case_id)
    await raise_overpayments(uow, raised_on=raised_on, posted_by="eligibility", case_id=case_id)


async def schedule_one_off(uow: UnitOfWork, event: TemporaryAidGranted) -> None:
    async with uow:
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
    return [
        OneOffOut.model_validate(
            {
                **{key: getattr(grant, key) for key in OneOffOut.model_fields if key != "payment_status"},
                "payment_status": status,
            }
        )
        for grant, status in rows
    ]
