"""Use cases of the problem lists: a finding or a hand-entered problem goes on its district's list, gets a
rectification, evidence, and a second person's sign-off; overdue problems are escalated to the municipal level.
Every step is audited."""

from __future__ import annotations

from datetime import date
from typing import cast
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from services.oversight.domain import problems as rules
from services.oversight.domain.checks import RULES
from services.oversight.models import Problem, ProblemEvidence
from services.oversight.repository import findings as finding_queries
from services.oversight.repository import problems as problem_queries
from services.oversight.repository import purchased_services as service_queries
from services.oversight.repository import supervision as supervision_queries
from services.oversight.schemas.problems import (
    ClosureIn,
    EscalationOut,
    EvidenceIn,
    EvidenceOut,
    ProblemDetail,
    ProblemIn,
    ProblemOut,
    ProblemPage,
    RectificationIn,
)
from shared import audit
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.oversight import Rule
from shared.db import Scope, UnitOfWork
from shared.errors import Conflict, FieldIssue, InvalidInput, NotFound

MAX_EVIDENCE = 50
"""Pieces of evidence one problem may hold: far past a real rectification, and its page stays small."""


async def put_on_list(session: AsyncSession, problem: Problem) -> None:
    """Add a new problem (open) and audit it, in the caller's transaction."""
    session.add(problem)
    await session.flush()
    await audit.record(
        session,
        actor=problem.opened_by,
        action="problem.opened",
        subject_type="problem",
        subject_id=problem.id,
        district_code=problem.district_code,
        details={"source": problem.source, "finding_id": problem.finding_id, "case_id": problem.case_id},
    )


async def open_problem(uow: UnitOfWork, caller: Principal, body: ProblemIn, *, clock: Clock) -> ProblemOut:
    caller.require_district(body.district_code)
    async with uow:
        issues: list[FieldIssue] = []
        if body.case_id is not None and not await supervision_queries.case_in_district(
            uow.session, body.case_id, body.district_code
        ):
            issues.append(FieldIssue("case_id", "unknown_case", "no such case in the district"))
        if body.contract_id is not None:
            contract = await service_queries.get_contract(
                uow.session, caller.district_scope, body.contract_id
            )
            if contract is None or contract.district_code != body.district_code:
                issues.append(
                    FieldIssue("contract_id", "unknown_contract", "no such contract in the district")
                )
        if issues:
            raise InvalidInput("the problem names what the district does not have", errors=issues)
        problem = Problem(
            id=uuid4(),
            district_code=body.district_code,
            source=body.source,
            title=body.title,
            description=body.description,
            case_id=body.case_id,
            contract_id=body.contract_id,
            status="open",
            opened_by=caller.subject,
            opened_at=clock.now(),
        )
        await put_on_list(uow.session, problem)
        answer = _out(problem, clock.today())
        await uow.commit()
    return answer


async def list_finding(uow: UnitOfWork, caller: Principal, finding_id: UUID, *, clock: Clock) -> ProblemOut:
    """One step: the finding goes onto its district's list (once: a second time is a conflict naming it)."""
    async with uow:
        finding = await finding_queries.get(uow.session, caller.district_scope, finding_id)
        if finding is None:
            raise NotFound(f"no finding {finding_id} in your districts")
        if (listed := await problem_queries.of_finding(uow.session, finding_id)) is not None:
            raise Conflict(
                f"the finding is on the list already as problem {listed.id}",
                errors=[FieldIssue("finding_id", "listed", str(listed.id))],
            )
        problem = Problem(
            id=uuid4(),
            district_code=finding.district_code,
            source="finding",
            title=f"{finding.rule}: {RULES[cast(Rule, finding.rule)].title}",
            description=f"found by check run {finding.last_run_id} on {finding.last_found_on.isoformat()}",
            finding_id=finding.id,
            case_id=finding.case_id,
            status="open",
            opened_by=caller.subject,
            opened_at=clock.now(),
        )
        await put_on_list(uow.session, problem)
        answer = _out(problem, clock.today())
        await uow.commit()
    return answer


async def _locked(uow: UnitOfWork, caller: Principal, problem_id: UUID) -> Problem:
    problem = await problem_queries.get(uow.session, caller.district_scope, problem_id, lock=True)
    if problem is None:
        raise NotFound(f"no problem {problem_id} in your districts")
    return problem


async def set_rectification(
    uow: UnitOfWork, caller: Principal, problem_id: UUID, body: RectificationIn, *, clock: Clock
) -> ProblemOut:
    today = clock.today()
    if body.deadline < today:
        raise InvalidInput(
            "a deadline is today or later", errors=[FieldIssue("deadline", "not_past", "today or later")]
        )
    async with uow:
        problem = await _locked(uow, caller, problem_id)
        rules.check_open(problem.status)
        if problem.status != "open":
            raise Conflict(
                "the problem has its rectification already",
                errors=[FieldIssue("status", "rectifying", "a rectification is set once")],
            )
        problem.status = "rectifying"
        problem.responsible_person = body.responsible_person
        problem.measures = body.measures
        problem.deadline = body.deadline
        problem.rectification_by = caller.subject
        problem.rectification_at = clock.now()
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="problem.rectification_set",
            subject_type="problem",
            subject_id=problem.id,
            district_code=problem.district_code,
            details={"responsible_person": body.responsible_person, "deadline": body.deadline},
        )
        answer = _out(problem, today)
        await uow.commit()
    return answer


async def add_evidence(
    uow: UnitOfWork, caller: Principal, problem_id: UUID, body: EvidenceIn, *, clock: Clock
) -> EvidenceOut:
    async with uow:
        problem = await _locked(uow, caller, problem_id)
        rules.check_open(problem.status)
        if await problem_queries.evidence_count(uow.session, problem.id) >= MAX_EVIDENCE:
            raise Conflict(
                f"a problem holds at most {MAX_EVIDENCE} pieces of evidence",
                errors=[FieldIssue("evidence", "evidence_limit", f"at most {MAX_EVIDENCE}")],
            )
        item = ProblemEvidence(
            id=uuid4(),
            problem_id=problem.id,
            description=body.description,
            document_ref=body.document_ref,
            added_by=caller.subject,
            added_at=clock.now(),
        )
        uow.session.add(item)
        await uow.session.flush()
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="problem.evidence_added",
            subject_type="problem",
            subject_id=problem.id,
            district_code=problem.district_code,
            details={"evidence_id": item.id, "document_ref": body.document_ref},
        )
        answer = EvidenceOut.model_validate(item, from_attributes=True)
        await uow.commit()
    return answer


async def close(
    uow: UnitOfWork, caller: Principal, problem_id: UUID, body: ClosureIn, *, clock: Clock
) -> ProblemOut:
    """The sign-off: with evidence, by someone other than who opened the problem or set its rectification."""
    async with uow:
        problem = await _locked(uow, caller, problem_id)
        evidence = await problem_queries.evidence_count(uow.session, problem.id)
        rules.check_closable(
            rules.Opened(problem.status, problem.opened_by, problem.rectification_by, evidence),
            closer=caller.subject,
        )
        problem.status = "closed"
        problem.closed_by = caller.subject
        problem.closed_at = clock.now()
        problem.closing_note = body.note
        await uow.session.flush()
        await audit.record(
            uow.session,
            actor=caller.subject,
            action="problem.closed",
            subject_type="problem",
            subject_id=problem.id,
            district_code=problem.district_code,
            details={"evidence_items": evidence, "deadline": problem.deadline},
        )
        answer = _out(problem, clock.today())
        await uow.commit()
    return answer


async def escalate(uow: UnitOfWork, caller: Principal, *, today: date) -> EscalationOut:
    """Report every problem overdue today to the municipal level, once each (a second call adds none)."""
    async with uow:
        escalated = await escalate_overdue(uow.session, caller.district_scope, today, actor=caller.subject)
        await uow.commit()
    return EscalationOut(as_of=today, escalated=escalated)


async def escalate_overdue(session: AsyncSession, scope: Scope, today: date, *, actor: str) -> list[UUID]:
    """In the caller's open transaction: mark every problem of `scope` overdue on `today` as escalated, each
    audited once; the day's scheduled run does it city-wide too (`checks.run_scheduled_checks`)."""
    marked = await problem_queries.escalate_overdue(session, scope, today)
    for problem_id, district_code, deadline in marked:
        await audit.record(
            session,
            actor=actor,
            action="problem.escalated",
            subject_type="problem",
            subject_id=problem_id,
            district_code=district_code,
            details={"deadline": deadline, "days_overdue": rules.days_overdue(deadline, today)},
        )
    return [problem_id for problem_id, _, _ in marked]


async def list_problems(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    status: str | None,
    source: str | None,
    overdue: bool,
    today: date,
    offset: int,
    limit: int,
) -> ProblemPage:
    """A district's list (or every district's the caller may see); `overdue`: the municipal list, oldest
    deadline first."""
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows, total = await problem_queries.page(
            uow.session,
            caller.district_scope,
            district_code=district_code,
            status=status,
            source=source,
            overdue_on=today if overdue else None,
            limit=limit,
            offset=offset,
        )
    return ProblemPage(items=[_out(row, today) for row in rows], total=total)


async def read_problem(uow: UnitOfWork, caller: Principal, problem_id: UUID, *, today: date) -> ProblemDetail:
    """Another district's problem reads as missing (404)."""
    async with uow:
        problem = await problem_queries.get(uow.session, caller.district_scope, problem_id)
        if problem is None:
            raise NotFound(f"no problem {problem_id} in your districts")
        evidence = await problem_queries.evidence(uow.session, problem.id)
    return ProblemDetail(
        **_out(problem, today).model_dump(),
        evidence=[EvidenceOut.model_validate(e, from_attributes=True) for e in evidence],
    )


def _out(problem: Problem, today: date) -> ProblemOut:
    overdue = rules.is_overdue(status=problem.status, deadline=problem.deadline, today=today)
    return ProblemOut.model_validate(
        {
            **{c: getattr(problem, c) for c in ProblemOut.model_fields if hasattr(problem, c)},
            "overdue": overdue,
            "days_overdue": rules.days_overdue(problem.deadline, today)
            if overdue and problem.deadline
            else None,
        }
    )
