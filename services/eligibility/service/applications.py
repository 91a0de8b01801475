"""Use cases of the application procedure: receive, record each statutory step, decide, open the case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from services.eligibility.domain import workflow
from services.eligibility.domain.workflow import Application as Procedure
from services.eligibility.domain.workflow import Step, StepDetails, StepKind, WorkflowError, WorkflowErrorCode
from services.eligibility.models import Application, ApplicationStep, Standard
from services.eligibility.repository import applications as applications_queries
from services.eligibility.repository import calendar as calendar_queries
from services.eligibility.repository import cases as cases_queries
from services.eligibility.repository import households as households_queries
from services.eligibility.repository import standards as standards_queries
from services.eligibility.schemas.applications import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    ApplicationSummary,
    DeadlineOut,
    OverdueOut,
    StepIn,
    StepOut,
)
from services.eligibility.service.approvals import open_case
from services.eligibility.service.cases import temporary_grant
from services.eligibility.service.procedure import DECISIONS, keep_decision_due, step_row, summarise
from services.eligibility.service.standards import in_force
from shared.auth import Principal, Role
from shared.clock import business_date
from shared.db import UnitOfWork
from shared.errors import Conflict, FieldIssue, Forbidden, InvalidInput, NotFound, SafetyNetError
from shared.pii import PersonalData
from shared.workdays import WorkingDayCalendar

_INPUT_ERRORS = frozenset(
    {
        WorkflowErrorCode.MISSING_ACTOR,
        WorkflowErrorCode.FUTURE_DATE,
        WorkflowErrorCode.BEFORE_PREVIOUS_STEP,
        WorkflowErrorCode.REASONS_REQUIRED,
        WorkflowErrorCode.FINDINGS_REQUIRED,
        WorkflowErrorCode.TOO_FEW_INVESTIGATORS,
        WorkflowErrorCode.INVALID_AMOUNT,
        WorkflowErrorCode.OVER_HELP_FIRST_LIMIT,
    }
)


_FIELD_OF = {
    WorkflowErrorCode.FUTURE_DATE: "on",
    WorkflowErrorCode.BEFORE_PREVIOUS_STEP: "on",
    WorkflowErrorCode.MISSING_ACTOR: "actor",
}


def _refusal(error: WorkflowError) -> SafetyNetError:
    """The procedure's refusal as the HTTP edge should see it: the rule's code names the problem."""
    if error.code is WorkflowErrorCode.SELF_APPROVAL:
        return Forbidden(error.message, errors=[FieldIssue("kind", error.code.value, error.message)])
    if error.code in _INPUT_ERRORS:
        field = _FIELD_OF.get(error.code, "details")
        return InvalidInput(error.message, errors=[FieldIssue(field, error.code.value, error.message)])
    return Conflict(error.message, errors=[FieldIssue("kind", error.code.value, error.message)])


async def _rules(
    uow: UnitOfWork, row: Application, city: Sequence[Standard] | None = None
) -> workflow.WorkflowRules:
    _, standards = await in_force(uow.session, business_date(row.created_at), row.district_code, city=city)
    return workflow.WorkflowRules(
        uses_democratic_appraisal=row.uses_democratic_appraisal,
        help_first=workflow.HelpFirst(
            limit_fen=standards.help_first_limit_fen,
            paperwork_working_days=standards.help_first_paperwork_working_days,
        ),
    )


def _step(row: ApplicationStep) -> Step:
    details = {key: tuple(value) if isinstance(value, list) else value for key, value in row.details.items()}
    return Step(StepKind(row.kind), row.actor, row.happened_on, StepDetails(**details))  # type: ignore[arg-type]


async def _procedure(
    uow: UnitOfWork,
    row: Application,
    steps: list[ApplicationStep],
    *,
    today: date,
    calendar: WorkingDayCalendar,
    city: Sequence[Standard] | None = None,
) -> Procedure:
    blank = Procedure(
        program=row.program,  # type: ignore[arg-type]
        rules=await _rules(uow, row, city),
        relative_flagged=row.relative_flagged,
        emergency=row.emergency,
    )
    return workflow.replay(blank, [_step(step) for step in steps], today=today, calendar=calendar)


async def receive_application(
    uow: UnitOfWork, pii: PersonalData, caller: Principal, body: ApplicationIn, *, today: date
) -> ApplicationOut:
    if body.program == "temporary" and (body.temporary is None or body.temporary.cause is None):
        raise InvalidInput(
            "temporary assistance needs its details",
            errors=[
                FieldIssue("temporary", "required", "kind, household_class, persons and cause are required")
            ],
        )
    async with uow:
        household = await households_queries.household(uow.session, body.household_id, caller.district_scope)
        if household is None:
            raise NotFound(f"no household {body.household_id} in your districts")
        members = await households_queries.members_of(uow.session, household.id)
        if body.temporary is not None and body.temporary.persons > len(members):
            raise InvalidInput(
                "temporary assistance covers members of the household",
                errors=[
                    FieldIssue(
                        "temporary.persons", "at_most_members", f"the household has {len(members)} members"
                    )
                ],
            )
        indexes = [person.id_number_index for _, person in members]
        row = Application(
            id=uuid4(),
            household_id=household.id,
            program=body.program,
            district_code=household.district_code,
            township_code=body.township_code or household.township_code,
            state="new",
            entered_by=caller.subject,
            investigators=[],
            relative_flagged=await applications_queries.registered_relatives(uow.session, indexes),
            relative_filed=False,
            district_visit_done=False,
            uses_democratic_appraisal=body.uses_democratic_appraisal,
            emergency=body.emergency and body.program == "temporary",
            temporary=body.temporary.model_dump(mode="json") if body.temporary else None,
        )
        uow.session.add(row)
        await uow.session.flush()
        calendar = await calendar_queries.working_days(uow.session)
        applied = Step(StepKind.APPLIED, caller.subject, body.applied_on)
        procedure, added = await _record(uow, row, [], applied, today=today, calendar=calendar)
        received = _application_out(row, [added], procedure, calendar, None, today=today)
        await uow.commit()
    return received


async def record_step(
    uow: UnitOfWork,
    pii: PersonalData,
    caller: Principal,
    application_id: UUID,
    body: StepIn,
    *,
    today: date,
) -> ApplicationOut:
    kind = StepKind(body.kind)
    if kind in DECISIONS and not caller.has_any(Role.reviewer, Role.admin):
        raise Forbidden(f"{kind.value} is a district decision: it needs the reviewer role")
    async with uow:
        row = await applications_queries.application(
            uow.session, application_id, caller.district_scope, for_update=True
        )
        if row is None:
            raise NotFound(f"no application {application_id} in your districts")
        opens_case = kind is StepKind.APPROVED and row.program != "temporary"
        steps = await applications_queries.steps_of(uow.session, application_id)
        details = StepDetails(
            reasons=tuple(body.details.reasons),
            findings=tuple(body.details.findings),
            investigators=tuple(body.details.investigators),
            district_level=body.details.district_level,
            amount_fen=body.details.amount_fen,
        )
        calendar = await calendar_queries.working_days(uow.session)
        # Read once the city-wide standards the workflow's rules (on the day of the application) and the
        # case (on the day of the decision) are computed at.
        days = (business_date(row.created_at), *((body.on,) if opens_case else ()))
        city = await standards_queries.city_standards_in_force_between(uow.session, min(days), max(days))
        procedure, added = await _record(
            uow,
            row,
            steps,
            Step(kind, caller.subject, body.on, details),
            today=today,
            calendar=calendar,
            city=city,
        )
        case_id: UUID | None = None
        if opens_case:
            case = await open_case(uow, row, decided_on=body.on, approved_by=caller.subject, city=city)
            case_id = case.id
        elif kind in {StepKind.APPROVED, StepKind.HELP_FIRST_PAID}:
            await temporary_grant(
                uow,
                row,
                applied_on=steps[0].happened_on if steps else body.on,
                granted_on=body.on,
                help_first_fen=body.details.amount_fen if kind is StepKind.HELP_FIRST_PAID else None,
            )
        if case_id is None:
            case_id = await cases_queries.case_of_application(uow.session, application_id)
        recorded = _application_out(row, [*steps, added], procedure, calendar, case_id, today=today)
        await uow.commit()
    return recorded


async def _record(
    uow: UnitOfWork,
    row: Application,
    steps: list[ApplicationStep],
    step: Step,
    *,
    today: date,
    calendar: WorkingDayCalendar,
    city: Sequence[Standard] | None = None,
) -> tuple[Procedure, ApplicationStep]:
    """Check the step against the procedure, append it, and keep the row's summary (and its constraints)
    current; the procedure with the step applied, and the step's row."""
    procedure = await _procedure(uow, row, steps, today=today, calendar=calendar, city=city)
    try:
        procedure = workflow.apply_step(procedure, step, today=today, calendar=calendar)
    except WorkflowError as refused:
        raise _refusal(refused) from None
    added = step_row(row.id, len(steps) + 1, step)
    uow.session.add(added)
    summarise(row, procedure, step, calendar)
    await uow.session.flush()
    return procedure, added


async def recount_decision_due(
    uow: UnitOfWork, rows: list[Application], *, today: date, calendar: WorkingDayCalendar
) -> None:
    """Count the stored decision deadlines of `rows` again on `calendar` (after a calendar year was loaded)."""
    steps = await applications_queries.steps_of_many(uow.session, [row.id for row in rows])
    for row in rows:
        keep_decision_due(
            row, await _procedure(uow, row, steps[row.id], today=today, calendar=calendar), calendar
        )
    await uow.session.flush()


async def read_application(
    uow: UnitOfWork, caller: Principal, application_id: UUID, *, today: date
) -> ApplicationOut:
    async with uow:
        row = await applications_queries.application(uow.session, application_id, caller.district_scope)
        if row is None:
            raise NotFound(f"no application {application_id} in your districts")
        steps = await applications_queries.steps_of(uow.session, application_id)
        calendar = await calendar_queries.working_days(uow.session)
        procedure = await _procedure(uow, row, steps, today=today, calendar=calendar)
        case_id = await cases_queries.case_of_application(uow.session, application_id)
    return _application_out(row, steps, procedure, calendar, case_id, today=today)


def _application_out(
    row: Application,
    steps: list[ApplicationStep],
    procedure: Procedure,
    calendar: WorkingDayCalendar,
    case_id: UUID | None,
    *,
    today: date,
) -> ApplicationOut:
    """The application as the API shows it, from its row, its steps and the procedure they replay to."""
    return ApplicationOut(
        id=row.id,
        household_id=row.household_id,
        program=row.program,
        district_code=row.district_code,
        township_code=row.township_code,
        state=row.state,
        entered_by=row.entered_by,
        relative_flagged=row.relative_flagged,
        decided_by=row.decided_by,
        decision=row.decision,
        case_id=case_id,
        steps=[
            StepOut(
                seq=s.seq,
                kind=s.kind,
                actor=s.actor,
                happened_on=s.happened_on,
                details=s.details,
                recorded_at=s.recorded_at,
            )
            for s in steps
        ],
        deadlines=[_deadline(d, today) for d in workflow.deadlines(procedure, calendar)],
    )


def _deadline(deadline: workflow.Deadline, today: date) -> DeadlineOut:
    reason = None
    if deadline.provisional:
        reason = (
            f"counted Monday to Friday: no holiday calendar has been loaded for {deadline.due_on.year}; "
            "the date moves to the real answer when the year is loaded"
        )
    return DeadlineOut(
        kind=deadline.kind,
        due_on=deadline.due_on,
        met_on=deadline.met_on,
        overdue=deadline.is_overdue(today),
        provisional=deadline.provisional,
        provisional_reason=reason,
    )


async def list_applications(
    uow: UnitOfWork,
    caller: Principal,
    *,
    district_code: str | None,
    state: str | None,
    page: int,
    page_size: int,
) -> ApplicationPage:
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows, total = await applications_queries.applications_page(
            uow.session,
            caller.district_scope,
            district_code=district_code,
            state=state,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    return ApplicationPage(
        items=[ApplicationSummary.model_validate(row, from_attributes=True) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


async def overdue_applications(
    uow: UnitOfWork, caller: Principal, *, district_code: str | None, today: date
) -> list[OverdueOut]:
    """Every open application in the caller's districts with a statutory deadline passed."""
    if district_code is not None:
        caller.require_district(district_code)
    async with uow:
        rows = await applications_queries.open_applications(uow.session, caller.district_scope, district_code)
        steps = await applications_queries.steps_of_many(uow.session, [row.id for row in rows])
        calendar = await calendar_queries.working_days(uow.session)
        report = []
        for row in rows:
            procedure = await _procedure(uow, row, steps[row.id], today=today, calendar=calendar)
            late = workflow.overdue(procedure, today, calendar)
            if late:
                report.append(
                    OverdueOut(
                        application_id=row.id,
                        district_code=row.district_code,
                        state=row.state,
                        overdue=[_deadline(d, today) for d in late],
                    )
                )
    return report
