"""`apply_step`: one step validated against the statutory procedure, appended to a new value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from .model import (
    INVESTIGATION_STEPS,
    Application,
    Status,
    Step,
    StepKind,
    WorkflowError,
    WorkflowErrorCode,
    WorkingDays,
    allowed_from,
)

_K = StepKind
_E = WorkflowErrorCode
_NEEDS_REASONS = frozenset({_K.REFUSED, _K.REJECTED, _K.OBJECTION_RAISED, _K.DEADLINE_EXTENDED})


def apply_step(app: Application, step: Step, *, today: date, calendar: WorkingDays) -> Application:
    """`app` with `step` appended, or `WorkflowError` if the procedure does not allow it."""
    if not step.actor.strip():
        raise WorkflowError(_E.MISSING_ACTOR, "every step records the staff member who did it")
    if step.on > today:
        raise WorkflowError(_E.FUTURE_DATE, f"{step.kind} on {step.on} is after today ({today})")
    if app.history and step.on < (previous := app.history[-1]).on:
        raise WorkflowError(
            _E.BEFORE_PREVIOUS_STEP,
            f"{step.kind} on {step.on} is before the previous step ({previous.kind} on {previous.on})",
        )
    if app.status not in allowed_from(step):
        raise WorkflowError(
            _E.OUT_OF_ORDER, f"{step.kind} is not allowed when the application is {app.status}"
        )
    _check_details(step)
    _check_rules(app, step, calendar)
    return replace(app, history=(*app.history, step))


def replay(app: Application, steps: Iterable[Step], *, today: date, calendar: WorkingDays) -> Application:
    """`app` with `steps` applied in order, each validated: rebuilds the value from stored history rows."""
    for step in steps:
        app = apply_step(app, step, today=today, calendar=calendar)
    return app


def entered_or_investigated_by(app: Application) -> frozenset[str]:
    """Staff who may not decide `app`: whoever applied, accepted or investigated, and every investigator."""
    people: set[str] = set()
    for step in app.history:
        if step.kind in {_K.APPLIED, _K.ACCEPTED} or step.kind in INVESTIGATION_STEPS:
            people.add(step.actor)
        people.update(step.details.investigators)
    return frozenset(people)


def _check_details(step: Step) -> None:
    kind, details = step.kind, step.details
    if kind in _NEEDS_REASONS and not _filled(details.reasons):
        raise WorkflowError(_E.REASONS_REQUIRED, f"{kind} must state its reasons")
    if kind is _K.DATA_CROSS_CHECKED and not _filled(details.findings):
        raise WorkflowError(_E.FINDINGS_REQUIRED, "a data cross-check must record its results")
    if kind is _K.HOME_VISITED and len({i.strip() for i in details.investigators if i.strip()}) < 2:
        raise WorkflowError(
            _E.TOO_FEW_INVESTIGATORS, "a home visit needs at least two distinct investigators"
        )


def _filled(texts: tuple[str, ...]) -> bool:
    return bool(texts) and all(text.strip() for text in texts)


def _check_rules(app: Application, step: Step, calendar: WorkingDays) -> None:
    match step.kind:
        case _K.DEMOCRATIC_APPRAISED | _K.TOWNSHIP_REVIEWED:
            _check_ready_for_review(app, step.kind)
        case _K.OBJECTION_RAISED if step.on > _notice_end(app):
            raise WorkflowError(_E.NOTICE_ENDED, f"the public notice ended on {_notice_end(app)}")
        case _K.APPROVED | _K.REJECTED:
            _check_decision(app, step)
        case _K.REFUSAL_NOTIFIED | _K.RELATIVE_FILED if app.last(step.kind):
            raise WorkflowError(_E.ALREADY_RECORDED, f"{step.kind} is already recorded")
        case _K.RELATIVE_FILED if not app.relative_flagged:
            raise WorkflowError(_E.NOT_FLAGGED_RELATIVE, "only a flagged relative's application is filed")
        case _K.DEADLINE_EXTENDED:
            _check_extension(app, step, calendar)
        case _K.HELP_FIRST_PAID:
            _check_help_first(app, step)
        case _K.PAPERWORK_COMPLETED if step.actor in _actors(app, _K.APPLIED, _K.HELP_FIRST_PAID):
            raise WorkflowError(
                _E.SELF_APPROVAL, "whoever entered or paid a help-first grant cannot complete it"
            )


def _check_ready_for_review(app: Application, kind: StepKind) -> None:
    appraisal = app.rules.uses_democratic_appraisal
    if kind is _K.DEMOCRATIC_APPRAISED and not appraisal:
        raise WorkflowError(_E.APPRAISAL_NOT_USED, "this district does not use democratic appraisal")
    if kind is _K.TOWNSHIP_REVIEWED and appraisal and app.status is not Status.APPRAISED:
        raise WorkflowError(
            _E.APPRAISAL_REQUIRED, "this district requires a democratic appraisal before review"
        )
    kinds = {s.kind for s in app.history}
    missing = []
    if _K.DATA_CROSS_CHECKED not in kinds:
        missing.append("a data cross-check")
    if _K.HOME_VISITED not in kinds:
        missing.append("a home visit")
    if not _reinvestigated(app):
        missing.append("a re-investigation of the objection")
    if missing:
        raise WorkflowError(_E.INVESTIGATION_INCOMPLETE, f"the investigation lacks {' and '.join(missing)}")


def _reinvestigated(app: Application) -> bool:
    """Whether an investigation step follows the latest objection (vacuously, if there is none)."""
    for step in reversed(app.history):
        if step.kind in INVESTIGATION_STEPS:
            return True
        if step.kind is _K.OBJECTION_RAISED:
            return False
    return True


def _check_decision(app: Application, step: Step) -> None:
    notice_end = _notice_end(app)
    if step.on <= notice_end:
        raise WorkflowError(
            _E.NOTICE_NOT_ENDED,
            f"the public notice runs until {notice_end}; decide from {notice_end + timedelta(days=1)}",
        )
    if step.actor in entered_or_investigated_by(app):
        raise WorkflowError(
            _E.SELF_APPROVAL, "whoever entered or investigated an application cannot decide it"
        )
    if app.relative_flagged and not app.last(_K.RELATIVE_FILED):
        raise WorkflowError(_E.RELATIVE_NOT_FILED, "a relative's application must be filed (备案) first")
    if app.relative_flagged and not any(
        s.kind is _K.HOME_VISITED and s.details.district_level for s in app.history
    ):
        raise WorkflowError(
            _E.RELATIVE_NEEDS_DISTRICT_VISIT, "a relative's household needs a district home visit"
        )


def _check_extension(app: Application, step: Step, calendar: WorkingDays) -> None:
    if app.last(_K.DEADLINE_EXTENDED):
        raise WorkflowError(_E.EXTENSION_ALREADY_USED, "the decision deadline can be extended only once")
    accepted = app.last(_K.ACCEPTED)
    assert accepted is not None  # every status an extension may follow comes after acceptance
    due = calendar.add_working_days(accepted.on, app.rules.decision_working_days)
    if step.on > due:
        raise WorkflowError(_E.EXTENSION_TOO_LATE, f"the deadline ({due}) passed before it was extended")


def _check_help_first(app: Application, step: Step) -> None:
    help_first = app.rules.help_first
    if app.program != "temporary" or not app.emergency or help_first is None:
        raise WorkflowError(
            _E.HELP_FIRST_NOT_ALLOWED,
            "help first is only for temporary-assistance emergencies in a township with a delegated limit",
        )
    amount = step.details.amount_fen
    if amount is None or amount <= 0:
        raise WorkflowError(_E.INVALID_AMOUNT, "a help-first payment needs a positive amount_fen")
    if amount > help_first.limit_fen:
        raise WorkflowError(
            _E.OVER_HELP_FIRST_LIMIT,
            f"{amount} fen is above the township's help-first limit of {help_first.limit_fen} fen",
        )


def _actors(app: Application, *kinds: StepKind) -> frozenset[str]:
    return frozenset(s.actor for s in app.history if s.kind in kinds)


def _notice_end(app: Application) -> date:
    ends = app.notice_ends_on
    assert ends is not None  # only called in statuses that follow a posted notice
    return ends
