"""The application workflow: every transition, dates, separation of duties, relatives, deadlines, help first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest

from services.eligibility.domain.workflow import (
    Application,
    DeadlineKind,
    HelpFirst,
    Program,
    Status,
    Step,
    StepDetails,
    StepKind,
    WorkflowError,
    WorkflowErrorCode,
    WorkflowRules,
    apply_step,
    benefit_start_month,
    deadlines,
    entered_or_investigated_by,
    is_overdue,
    next_review_due,
    overdue,
    replay,
    suspension_effective_month,
    termination_effective_month,
)
from shared.errors import InvalidInput
from shared.workdays import CalendarYear, WorkingDayCalendar, package_years

K = StepKind
E = WorkflowErrorCode
TODAY = date(2025, 12, 31)
workdays = WorkingDayCalendar()
"""The package's years only: no year loaded."""
RULES = WorkflowRules(uses_democratic_appraisal=False)
APPRAISAL_RULES = WorkflowRules(uses_democratic_appraisal=True)
HELP_FIRST = HelpFirst(limit_fen=300_000, paperwork_working_days=5)

# Accepted the day before the 2025 National Day holiday (Oct 1–8; Sat Oct 11 is a working day).
APPLIED_ON = date(2025, 9, 29)
ACCEPTED_ON = date(2025, 9, 30)
REVIEWED_ON = date(2025, 10, 13)
POSTED_ON = date(2025, 10, 14)
NOTICE_ENDS = date(2025, 10, 21)


def step(kind: StepKind, on: date, actor: str = "clerk", **details: Any) -> Step:
    return Step(kind, actor, on, StepDetails(**details))


def new(
    program: Program = "dibao",
    rules: WorkflowRules = RULES,
    *,
    relative_flagged: bool = False,
    emergency: bool = False,
) -> Application:
    return Application(program=program, rules=rules, relative_flagged=relative_flagged, emergency=emergency)


def run(app: Application, *steps: Step, today: date = TODAY) -> Application:
    return replay(app, steps, today=today, calendar=workdays)


def refused(app: Application, attempt: Step, today: date = TODAY) -> WorkflowErrorCode:
    with pytest.raises(WorkflowError) as raised:
        apply_step(app, attempt, today=today, calendar=workdays)
    return raised.value.code


def entered() -> tuple[Step, ...]:
    return (step(K.APPLIED, APPLIED_ON, "clerk"), step(K.ACCEPTED, ACCEPTED_ON, "clerk"))


def investigation() -> tuple[Step, ...]:
    return (
        step(K.DATA_CROSS_CHECKED, date(2025, 10, 9), "inv1", findings=("tax: no income", "vehicles: none")),
        step(K.HOME_VISITED, date(2025, 10, 10), "inv1", investigators=("inv1", "inv2")),
        step(K.NEIGHBOURS_VISITED, date(2025, 10, 10), "inv2"),
    )


def on_notice(app: Application | None = None) -> Application:
    return run(
        app or new(),
        *entered(),
        *investigation(),
        step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"),
        step(K.NOTICE_POSTED, POSTED_ON, "township"),
    )


def approve(on: date = NOTICE_ENDS + timedelta(days=1), actor: str = "district") -> Step:
    return step(K.APPROVED, on, actor)


def reject(on: date = NOTICE_ENDS + timedelta(days=1), actor: str = "district") -> Step:
    return step(K.REJECTED, on, actor, reasons=("income above the standard",))


# The happy path and the shape of the machine.


def test_an_application_goes_through_every_statutory_step_to_approval() -> None:
    app = new()
    statuses = []
    for s in (
        *entered(),
        *investigation(),
        step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"),
        step(K.NOTICE_POSTED, POSTED_ON, "township"),
        approve(),
    ):
        app = apply_step(app, s, today=TODAY, calendar=workdays)
        statuses.append(app.status)
    assert statuses == [
        Status.APPLIED,
        Status.ACCEPTED,
        Status.INVESTIGATING,
        Status.INVESTIGATING,
        Status.INVESTIGATING,
        Status.TOWNSHIP_REVIEWED,
        Status.PUBLIC_NOTICE,
        Status.APPROVED,
    ]
    assert benefit_start_month(app.history[-1].on) == date(2025, 11, 1)


def test_steps_return_a_new_value_and_leave_the_old_one_alone() -> None:
    app = new()
    applied = apply_step(app, step(K.APPLIED, APPLIED_ON), today=TODAY, calendar=workdays)
    assert app.history == () and app.status is Status.NEW
    assert [s.kind for s in applied.history] == [K.APPLIED]


def test_replay_rebuilds_the_same_value_and_revalidates_stored_rows() -> None:
    app = on_notice()
    assert replay(new(), app.history, today=TODAY, calendar=workdays) == app
    without_home_visit = (*app.history[:3], step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"))
    with pytest.raises(WorkflowError) as raised:
        replay(new(), without_home_visit, today=TODAY, calendar=workdays)
    assert raised.value.code is E.INVESTIGATION_INCOMPLETE


def _in_status(status: Status) -> Application:
    """An application (temporary, emergency, flagged relative, appraisal district) in `status`."""
    base = new(
        "temporary", replace(APPRAISAL_RULES, help_first=HELP_FIRST), emergency=True, relative_flagged=True
    )
    on = date(2025, 10, 10)
    paths: dict[Status, tuple[Step, ...]] = {
        Status.NEW: (),
        Status.APPLIED: entered()[:1],
        Status.ACCEPTED: entered(),
        Status.REFUSED: (entered()[0], step(K.REFUSED, ACCEPTED_ON, reasons=("not resident",))),
        Status.INVESTIGATING: (*entered(), *investigation()),
        Status.APPRAISED: (*entered(), *investigation(), step(K.DEMOCRATIC_APPRAISED, on)),
        Status.HELP_FIRST_PAID: (entered()[0], step(K.HELP_FIRST_PAID, on, "payer", amount_fen=100_000)),
    }
    paths[Status.TOWNSHIP_REVIEWED] = (*paths[Status.APPRAISED], step(K.TOWNSHIP_REVIEWED, on, "township"))
    paths[Status.PUBLIC_NOTICE] = (*paths[Status.TOWNSHIP_REVIEWED], step(K.NOTICE_POSTED, on, "township"))
    decided = (*paths[Status.PUBLIC_NOTICE], step(K.RELATIVE_FILED, on), _district_visit(on))
    paths[Status.APPROVED] = (*decided, approve(date(2025, 10, 20)))
    paths[Status.REJECTED] = (*decided, reject(date(2025, 10, 20)))
    paths[Status.PAPERWORK_COMPLETED] = (
        *paths[Status.HELP_FIRST_PAID],
        step(K.PAPERWORK_COMPLETED, on, "head"),
    )
    app = run(base, *paths[status])
    assert app.status is status
    return app


def _district_visit(on: date, actor: str = "dist1") -> Step:
    return step(K.HOME_VISITED, on, actor, investigators=("dist1", "dist2"), district_level=True)


_PRE_DECISION_EXTRAS = {K.DEADLINE_EXTENDED, K.RELATIVE_FILED}
ALLOWED: dict[Status, set[StepKind]] = {
    Status.NEW: {K.APPLIED},
    Status.APPLIED: {K.ACCEPTED, K.REFUSED, K.RELATIVE_FILED, K.HELP_FIRST_PAID},
    Status.ACCEPTED: {K.DATA_CROSS_CHECKED, K.HOME_VISITED, K.NEIGHBOURS_VISITED} | _PRE_DECISION_EXTRAS,
    Status.INVESTIGATING: {
        K.DATA_CROSS_CHECKED,
        K.HOME_VISITED,
        K.NEIGHBOURS_VISITED,
        K.DEMOCRATIC_APPRAISED,
        K.TOWNSHIP_REVIEWED,
    }
    | _PRE_DECISION_EXTRAS,
    Status.APPRAISED: {K.TOWNSHIP_REVIEWED} | _PRE_DECISION_EXTRAS,
    Status.TOWNSHIP_REVIEWED: {K.NOTICE_POSTED} | _PRE_DECISION_EXTRAS,
    Status.PUBLIC_NOTICE: {K.OBJECTION_RAISED, K.APPROVED, K.REJECTED} | _PRE_DECISION_EXTRAS,
    Status.APPROVED: set(),
    Status.REJECTED: {K.REFUSAL_NOTIFIED},
    Status.REFUSED: {K.REFUSAL_NOTIFIED},
    Status.HELP_FIRST_PAID: {K.PAPERWORK_COMPLETED},
    Status.PAPERWORK_COMPLETED: set(),
}
# Complete details for every kind, so only the order decides; later rules may still refuse.
ATTEMPT_DETAILS: dict[StepKind, dict[str, Any]] = {
    K.REFUSED: {"reasons": ("r",)},
    K.REJECTED: {"reasons": ("r",)},
    K.OBJECTION_RAISED: {"reasons": ("r",)},
    K.DEADLINE_EXTENDED: {"reasons": ("r",)},
    K.DATA_CROSS_CHECKED: {"findings": ("f",)},
    K.HOME_VISITED: {"investigators": ("a", "b")},
    K.HELP_FIRST_PAID: {"amount_fen": 1},
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("kind", list(StepKind))
def test_every_step_is_allowed_only_after_the_steps_it_follows(status: Status, kind: StepKind) -> None:
    app = _in_status(status)
    attempt = step(kind, date(2025, 12, 1), "someone-new", **ATTEMPT_DETAILS.get(kind, {}))
    try:
        after = apply_step(app, attempt, today=TODAY, calendar=workdays)
    except WorkflowError as error:
        assert (error.code is E.OUT_OF_ORDER) == (kind not in ALLOWED[status]), error
    else:
        assert kind in ALLOWED[status]
        assert after.history[-1] == attempt


@pytest.mark.parametrize("status", [Status.APPRAISED, Status.TOWNSHIP_REVIEWED, Status.PUBLIC_NOTICE])
def test_only_a_district_home_visit_comes_after_the_investigation(status: Status) -> None:
    app = _in_status(status)
    township_visit = step(K.HOME_VISITED, date(2025, 10, 10), investigators=("a", "b"))
    assert refused(app, township_visit) is E.OUT_OF_ORDER
    visited = apply_step(app, _district_visit(date(2025, 10, 10)), today=TODAY, calendar=workdays)
    assert visited.status is status


# Dates.


def test_a_step_dated_in_the_future_is_refused() -> None:
    app = run(new(), entered()[0])
    assert refused(app, step(K.ACCEPTED, date(2025, 10, 2)), today=date(2025, 10, 1)) is E.FUTURE_DATE
    today = apply_step(app, step(K.ACCEPTED, date(2025, 10, 1)), today=date(2025, 10, 1), calendar=workdays)
    assert today.status is Status.ACCEPTED


def test_a_step_dated_before_the_previous_one_is_refused_but_the_same_day_is_fine() -> None:
    app = run(new(), *entered())
    early = step(K.DATA_CROSS_CHECKED, ACCEPTED_ON - timedelta(days=1), findings=("f",))
    assert refused(app, early) is E.BEFORE_PREVIOUS_STEP
    same_day = step(K.DATA_CROSS_CHECKED, ACCEPTED_ON, findings=("f",))
    assert apply_step(app, same_day, today=TODAY, calendar=workdays).status is Status.INVESTIGATING


def test_paper_steps_may_be_entered_long_after_they_happened() -> None:
    app = on_notice()
    assert run(app, approve(), today=date(2026, 6, 1)).status is Status.APPROVED


def test_every_step_names_its_actor() -> None:
    assert refused(new(), step(K.APPLIED, APPLIED_ON, actor="  ")) is E.MISSING_ACTOR


# Acceptance and refusal.


def test_a_refusal_needs_reasons_and_then_a_written_notice_within_three_working_days() -> None:
    app = run(new(), entered()[0])
    assert refused(app, step(K.REFUSED, ACCEPTED_ON)) is E.REASONS_REQUIRED
    assert refused(app, step(K.REFUSED, ACCEPTED_ON, reasons=(" ",))) is E.REASONS_REQUIRED
    app = run(app, step(K.REFUSED, ACCEPTED_ON, reasons=("not registered in this township",)))
    [notice] = deadlines(app, workdays)
    assert (notice.kind, notice.due_on) == (
        DeadlineKind.REFUSAL_NOTICE,
        date(2025, 10, 11),
    )  # a working Saturday
    assert not is_overdue(app, date(2025, 10, 11), workdays)
    assert is_overdue(app, date(2025, 10, 12), workdays)
    notified = run(app, step(K.REFUSAL_NOTIFIED, date(2025, 10, 10)))
    assert not is_overdue(notified, TODAY, workdays)
    assert refused(notified, step(K.REFUSAL_NOTIFIED, date(2025, 10, 10))) is E.ALREADY_RECORDED


def test_a_district_rejection_needs_reasons_and_a_written_notice() -> None:
    app = on_notice()
    assert refused(app, step(K.REJECTED, NOTICE_ENDS + timedelta(days=1), "district")) is E.REASONS_REQUIRED
    app = run(app, reject())
    assert app.status is Status.REJECTED
    notice = next(d for d in deadlines(app, workdays) if d.kind is DeadlineKind.REFUSAL_NOTICE)
    assert notice.due_on == date(2025, 10, 27)
    assert notice.met_on is None


# Investigation.


@pytest.mark.parametrize(
    "investigators", [(), ("inv1",), ("inv1", "inv1"), ("inv1", " "), ("inv1", " inv1 ")]
)
def test_a_home_visit_needs_two_distinct_investigators(investigators: tuple[str, ...]) -> None:
    app = run(new(), *entered())
    visit = step(K.HOME_VISITED, date(2025, 10, 9), investigators=investigators)
    assert refused(app, visit) is E.TOO_FEW_INVESTIGATORS


def test_a_data_cross_check_records_its_results() -> None:
    app = run(new(), *entered())
    assert refused(app, step(K.DATA_CROSS_CHECKED, date(2025, 10, 9))) is E.FINDINGS_REQUIRED


@pytest.mark.parametrize("skipped", [K.DATA_CROSS_CHECKED, K.HOME_VISITED])
def test_the_township_reviews_only_after_a_cross_check_and_a_home_visit(skipped: StepKind) -> None:
    app = run(new(), *entered(), *(s for s in investigation() if s.kind is not skipped))
    assert refused(app, step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township")) is E.INVESTIGATION_INCOMPLETE


def test_neighbour_visits_are_optional() -> None:
    app = run(new(), *entered(), *investigation()[:2], step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"))
    assert app.status is Status.TOWNSHIP_REVIEWED


def test_democratic_appraisal_only_and_always_where_the_district_uses_it() -> None:
    appraisal = step(K.DEMOCRATIC_APPRAISED, date(2025, 10, 11), "committee")
    review = step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township")
    without = run(new(), *entered(), *investigation())
    assert refused(without, appraisal) is E.APPRAISAL_NOT_USED
    using = run(new(rules=APPRAISAL_RULES), *entered(), *investigation())
    assert refused(using, review) is E.APPRAISAL_REQUIRED
    incomplete = run(new(rules=APPRAISAL_RULES), *entered(), investigation()[0])
    assert refused(incomplete, appraisal) is E.INVESTIGATION_INCOMPLETE
    assert run(using, appraisal, review).status is Status.TOWNSHIP_REVIEWED


# Public notice and objections.


def test_the_decision_waits_until_the_seven_day_notice_has_ended() -> None:
    app = on_notice()
    assert app.notice_ends_on == NOTICE_ENDS == POSTED_ON + timedelta(days=7)
    assert refused(app, approve(on=NOTICE_ENDS)) is E.NOTICE_NOT_ENDED
    assert refused(app, reject(on=NOTICE_ENDS)) is E.NOTICE_NOT_ENDED
    assert run(app, approve(on=NOTICE_ENDS + timedelta(days=1))).status is Status.APPROVED


def test_an_objection_during_the_notice_reopens_the_investigation() -> None:
    app = on_notice()
    objection = step(K.OBJECTION_RAISED, NOTICE_ENDS, "township", reasons=("neighbour reports a car",))
    assert refused(app, replace(objection, details=StepDetails())) is E.REASONS_REQUIRED
    assert refused(app, replace(objection, on=NOTICE_ENDS + timedelta(days=1))) is E.NOTICE_ENDED
    reopened = run(app, objection)
    assert reopened.status is Status.INVESTIGATING
    assert refused(reopened, approve(date(2025, 11, 3))) is E.OUT_OF_ORDER
    # The earlier cross-check and visit stand, but the objection itself must be looked into.
    review = step(K.TOWNSHIP_REVIEWED, date(2025, 10, 24), "township")
    assert refused(reopened, review) is E.INVESTIGATION_INCOMPLETE
    recheck = step(K.DATA_CROSS_CHECKED, date(2025, 10, 23), "inv3", findings=("vehicles: none",))
    renoticed = run(reopened, recheck, review, step(K.NOTICE_POSTED, date(2025, 10, 24), "township"))
    assert refused(renoticed, approve(date(2025, 10, 31))) is E.NOTICE_NOT_ENDED
    assert run(renoticed, approve(date(2025, 11, 1))).status is Status.APPROVED


def test_an_objection_is_reinvestigated_within_fifteen_working_days() -> None:
    reopened = run(on_notice(), step(K.OBJECTION_RAISED, date(2025, 10, 20), "township", reasons=("car",)))
    kinds = {d.kind: d for d in deadlines(reopened, workdays)}
    assert DeadlineKind.DISTRICT_DECISION not in kinds  # the file was recalled
    reinvestigation = kinds[DeadlineKind.REINVESTIGATION]
    assert reinvestigation.due_on == date(2025, 11, 10)
    assert len(chinese_calendar.get_workdays(date(2025, 10, 21), reinvestigation.due_on)) == 15
    assert not is_overdue(reopened, date(2025, 11, 10), workdays)
    assert [d.kind for d in overdue(reopened, date(2025, 11, 11), workdays)] == [DeadlineKind.REINVESTIGATION]
    reviewed = run(
        reopened,
        step(K.NEIGHBOURS_VISITED, date(2025, 11, 3), "inv3"),
        step(K.TOWNSHIP_REVIEWED, date(2025, 11, 4), "township"),
    )
    kinds = {d.kind: d for d in deadlines(reviewed, workdays)}
    assert kinds[DeadlineKind.REINVESTIGATION].met_on == date(2025, 11, 4)
    assert kinds[DeadlineKind.DISTRICT_DECISION].due_on == date(2025, 11, 18)  # restarted on re-review


# Separation of duties.


@pytest.mark.parametrize(
    "decider",
    [
        "clerk",  # entered and accepted it
        "inv1",  # cross-checked and led the home visit
        "inv2",  # on the home visit and visited neighbours
    ],
)
@pytest.mark.parametrize("decision", [approve, reject])
def test_whoever_entered_or_investigated_cannot_decide(decider: str, decision: Any) -> None:
    assert refused(on_notice(), decision(actor=decider)) is E.SELF_APPROVAL


def test_an_investigator_named_on_a_visit_but_not_recording_it_cannot_decide() -> None:
    app = run(new(), *entered(), investigation()[0])
    app = run(
        app,
        step(K.HOME_VISITED, date(2025, 10, 10), "inv1", investigators=("inv1", "auditor")),
        step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"),
        step(K.NOTICE_POSTED, POSTED_ON, "township"),
    )
    assert entered_or_investigated_by(app) == {"clerk", "inv1", "auditor"}
    assert refused(app, approve(actor="auditor")) is E.SELF_APPROVAL


def test_separate_acceptor_is_also_barred() -> None:
    app = run(
        new(),
        step(K.APPLIED, APPLIED_ON, "online-desk"),
        step(K.ACCEPTED, ACCEPTED_ON, "acceptor"),
        *investigation(),
        step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"),
        step(K.NOTICE_POSTED, POSTED_ON, "township"),
    )
    assert refused(app, approve(actor="online-desk")) is E.SELF_APPROVAL
    assert refused(app, approve(actor="acceptor")) is E.SELF_APPROVAL


# Relatives of staff and cadres.


def test_a_relatives_application_must_be_filed_before_the_decision() -> None:
    app = on_notice(new(relative_flagged=True))
    app = run(app, _district_visit(date(2025, 10, 15)))
    assert refused(app, approve()) is E.RELATIVE_NOT_FILED
    assert refused(app, reject()) is E.RELATIVE_NOT_FILED
    filed = run(app, step(K.RELATIVE_FILED, date(2025, 10, 16), "district-office"))
    assert run(filed, approve()).status is Status.APPROVED


def test_a_relatives_household_needs_a_district_home_visit_before_the_decision() -> None:
    app = run(
        new(relative_flagged=True),
        *entered(),
        step(K.RELATIVE_FILED, ACCEPTED_ON, "district-office"),
        *investigation(),  # township visits only
        step(K.TOWNSHIP_REVIEWED, REVIEWED_ON, "township"),
        step(K.NOTICE_POSTED, POSTED_ON, "township"),
    )
    assert refused(app, approve()) is E.RELATIVE_NEEDS_DISTRICT_VISIT
    visited = run(app, _district_visit(date(2025, 10, 20)))
    assert visited.status is Status.PUBLIC_NOTICE
    assert refused(visited, approve(actor="dist2")) is E.SELF_APPROVAL  # the visitors investigated it
    assert run(visited, approve()).status is Status.APPROVED


def test_filing_is_for_flagged_relatives_and_happens_once() -> None:
    app = run(new(), *entered())
    assert refused(app, step(K.RELATIVE_FILED, ACCEPTED_ON)) is E.NOT_FLAGGED_RELATIVE
    flagged = run(new(relative_flagged=True), *entered(), step(K.RELATIVE_FILED, ACCEPTED_ON))
    assert refused(flagged, step(K.RELATIVE_FILED, ACCEPTED_ON)) is E.ALREADY_RECORDED


# Deadlines on the real holiday calendar.


def test_the_decision_is_due_on_the_25th_working_day_after_acceptance() -> None:
    [decision] = deadlines(run(new(), *entered()), workdays)
    assert decision.kind is DeadlineKind.DECISION
    assert decision.due_on == date(2025, 11, 11)
    # Counted independently with the package: 25 working days after Sep 30, the last one the due day.
    assert len(chinese_calendar.get_workdays(ACCEPTED_ON + timedelta(days=1), decision.due_on)) == 25
    assert chinese_calendar.is_workday(decision.due_on)


def test_the_district_decides_within_ten_working_days_of_the_township_review() -> None:
    app = on_notice()
    district = next(d for d in deadlines(app, workdays) if d.kind is DeadlineKind.DISTRICT_DECISION)
    assert district.due_on == date(2025, 10, 27)
    assert len(chinese_calendar.get_workdays(REVIEWED_ON + timedelta(days=1), district.due_on)) == 10
    decided = run(app, approve(date(2025, 10, 28)))
    district = next(d for d in deadlines(decided, workdays) if d.kind is DeadlineKind.DISTRICT_DECISION)
    assert district.met_on == date(2025, 10, 28)
    assert district.met_late
    assert not is_overdue(decided, TODAY, workdays)


def test_the_decision_deadline_extends_once_to_forty_working_days_with_reasons() -> None:
    app = run(new(), *entered())
    extension = step(
        K.DEADLINE_EXTENDED, date(2025, 11, 11), "township-head", reasons=("bank replies pending",)
    )
    assert refused(app, replace(extension, details=StepDetails())) is E.REASONS_REQUIRED
    assert refused(app, replace(extension, on=date(2025, 11, 12))) is E.EXTENSION_TOO_LATE
    extended = run(app, extension)
    [decision] = deadlines(extended, workdays)
    assert decision.due_on == date(2025, 12, 2)
    assert len(chinese_calendar.get_workdays(ACCEPTED_ON + timedelta(days=1), decision.due_on)) == 40
    assert refused(extended, replace(extension, on=date(2025, 11, 20))) is E.EXTENSION_ALREADY_USED


def test_an_open_deadline_is_overdue_only_after_its_last_day() -> None:
    app = run(new(), *entered(), *investigation())
    assert not is_overdue(app, date(2025, 11, 11), workdays)
    assert [d.kind for d in overdue(app, date(2025, 11, 12), workdays)] == [DeadlineKind.DECISION]
    decided_late = run(
        app,
        step(K.TOWNSHIP_REVIEWED, date(2025, 11, 3), "township"),
        step(K.NOTICE_POSTED, date(2025, 11, 4), "township"),
        approve(date(2025, 11, 12)),
    )
    assert not is_overdue(decided_late, TODAY, workdays)
    late = {d.kind: d.met_late for d in deadlines(decided_late, workdays)}
    assert late == {DeadlineKind.DECISION: True, DeadlineKind.DISTRICT_DECISION: False}


def test_a_deadline_into_an_unknown_year_is_counted_monday_to_friday_and_provisional() -> None:
    last_known = date(max(package_years()), 12, 31)
    accepted_on = last_known - timedelta(days=5)
    app = run(new(), step(K.APPLIED, accepted_on), step(K.ACCEPTED, accepted_on), today=accepted_on)
    [decision] = deadlines(app, workdays)
    assert decision.provisional
    assert decision.due_on > last_known
    # Mon–Fri beyond the known data: exactly 25 weekdays after the known working days up to the year end.
    known_part = workdays.working_days_between(accepted_on, last_known)
    weekdays_after = sum(
        (last_known + timedelta(days=i)).weekday() < 5
        for i in range(1, (decision.due_on - last_known).days + 1)
    )
    assert known_part + weekdays_after == RULES.decision_working_days
    assert decision.due_on.weekday() < 5


def test_loading_the_year_makes_the_same_deadline_real() -> None:
    last_known = date(max(package_years()), 12, 31)
    next_year = last_known.year + 1
    accepted_on = last_known - timedelta(days=5)
    app = run(new(), step(K.APPLIED, accepted_on), step(K.ACCEPTED, accepted_on), today=accepted_on)
    [guess] = deadlines(app, workdays)
    # A notice that gives the first working week of January off moves the deadline by those days.
    week_off = frozenset(date(next_year, 1, d) for d in range(1, 8))
    loaded = WorkingDayCalendar([CalendarYear(next_year, week_off, frozenset(), source="loaded")])
    [real] = deadlines(app, loaded)
    assert not real.provisional
    assert real.due_on > guess.due_on
    assert loaded.working_days_between(accepted_on, real.due_on) == RULES.decision_working_days


def test_a_deadline_within_known_years_is_not_provisional() -> None:
    [decision] = deadlines(run(new(), *entered()), workdays)
    assert not decision.provisional


# Temporary assistance: help first.


def _emergency(**overrides: Any) -> Application:
    fields: dict[str, Any] = {
        "program": "temporary",
        "rules": replace(RULES, help_first=HELP_FIRST),
        "emergency": True,
    }
    fields.update(overrides)
    return run(Application(**fields), step(K.APPLIED, ACCEPTED_ON, "clerk"))


def test_a_township_pays_an_emergency_at_once_within_its_limit() -> None:
    paid = run(_emergency(), step(K.HELP_FIRST_PAID, ACCEPTED_ON, "payer", amount_fen=300_000))
    assert paid.status is Status.HELP_FIRST_PAID


@pytest.mark.parametrize(
    ("overrides", "amount_fen", "code"),
    [
        ({}, 300_001, E.OVER_HELP_FIRST_LIMIT),
        ({}, 0, E.INVALID_AMOUNT),
        ({}, None, E.INVALID_AMOUNT),
        ({"program": "dibao"}, 1_000, E.HELP_FIRST_NOT_ALLOWED),
        ({"emergency": False}, 1_000, E.HELP_FIRST_NOT_ALLOWED),
        ({"rules": RULES}, 1_000, E.HELP_FIRST_NOT_ALLOWED),
    ],
)
def test_help_first_is_refused_outside_its_conditions(
    overrides: dict[str, Any], amount_fen: int | None, code: WorkflowErrorCode
) -> None:
    attempt = step(K.HELP_FIRST_PAID, ACCEPTED_ON, "payer", amount_fen=amount_fen)
    assert refused(_emergency(**overrides), attempt) is code


def test_help_first_comes_straight_after_the_application_only() -> None:
    accepted = run(_emergency(), step(K.ACCEPTED, ACCEPTED_ON))
    assert refused(accepted, step(K.HELP_FIRST_PAID, ACCEPTED_ON, amount_fen=1_000)) is E.OUT_OF_ORDER


def test_help_first_paperwork_is_due_within_five_working_days() -> None:
    paid = run(_emergency(), step(K.HELP_FIRST_PAID, ACCEPTED_ON, "payer", amount_fen=200_000))
    [paperwork] = deadlines(paid, workdays)
    assert (paperwork.kind, paperwork.due_on) == (DeadlineKind.HELP_FIRST_PAPERWORK, date(2025, 10, 14))
    assert not is_overdue(paid, date(2025, 10, 14), workdays)
    assert is_overdue(paid, date(2025, 10, 15), workdays)
    completion = step(K.PAPERWORK_COMPLETED, date(2025, 10, 13), "payer")
    assert refused(paid, completion) is E.SELF_APPROVAL
    assert refused(paid, replace(completion, actor="clerk")) is E.SELF_APPROVAL
    completed = run(paid, replace(completion, actor="head"))
    assert completed.status is Status.PAPERWORK_COMPLETED
    assert not is_overdue(completed, TODAY, workdays)


# Rules.


def test_rules_refuse_impossible_periods() -> None:
    with pytest.raises(InvalidInput):
        WorkflowRules(uses_democratic_appraisal=False, extended_decision_working_days=20)
    with pytest.raises(InvalidInput):
        WorkflowRules(uses_democratic_appraisal=False, notice_days=0)
    with pytest.raises(InvalidInput):
        WorkflowRules(
            uses_democratic_appraisal=False, help_first=HelpFirst(limit_fen=0, paperwork_working_days=5)
        )


# Life of a case.


@pytest.mark.parametrize(
    ("approved_on", "first_month"),
    [
        (date(2025, 12, 15), date(2026, 1, 1)),
        (date(2025, 12, 1), date(2026, 1, 1)),
        (date(2025, 1, 31), date(2025, 2, 1)),
    ],
)
def test_benefits_start_the_month_after_approval(approved_on: date, first_month: date) -> None:
    assert benefit_start_month(approved_on) == first_month


def test_termination_and_suspension_take_effect_from_the_next_month() -> None:
    assert termination_effective_month(date(2025, 12, 31)) == date(2026, 1, 1)
    assert termination_effective_month(date(2025, 3, 1)) == date(2025, 4, 1)
    assert suspension_effective_month(date(2025, 12, 5)) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("last_review", "irregular", "due"),
    [
        (date(2024, 2, 29), False, date(2025, 2, 28)),  # no Feb 29 in 2025: the month's last day
        (date(2024, 2, 29), True, date(2024, 8, 29)),
        (date(2024, 8, 31), True, date(2025, 2, 28)),
        (date(2023, 8, 31), True, date(2024, 2, 29)),
        (date(2025, 7, 15), True, date(2026, 1, 15)),
        (date(2025, 3, 15), False, date(2026, 3, 15)),
    ],
)
def test_reviews_are_due_yearly_or_half_yearly(last_review: date, irregular: bool, due: date) -> None:
    assert next_review_due(last_review, irregular) == due


def test_review_periods_are_parameters() -> None:
    assert next_review_due(date(2025, 1, 31), True, irregular_months=3) == date(2025, 4, 30)
    assert next_review_due(date(2025, 1, 31), True, irregular_months=1) == date(2025, 2, 28)
