"""Working-day deadlines of an application, the day each was met, and which are overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .model import DECISION_STEPS, Application, StepKind, WorkingDays

_K = StepKind
_ENDS_REINVESTIGATION = frozenset({_K.DEMOCRATIC_APPRAISED, _K.TOWNSHIP_REVIEWED})


class DeadlineKind(StrEnum):
    DECISION = "decision"  # 25 (extended: 40) working days from acceptance
    DISTRICT_DECISION = "district_decision"  # 10 working days from the latest township review
    REINVESTIGATION = "reinvestigation"  # 15 working days from an objection
    REFUSAL_NOTICE = "refusal_notice"  # 3 working days from a refusal or rejection
    HELP_FIRST_PAPERWORK = "help_first_paperwork"  # the township's period from a help-first payment


@dataclass(frozen=True, slots=True)
class Deadline:
    """A statutory period: its last day, and the day it was met (None while open).

    `provisional`: the period runs into a year whose holidays nobody has entered, so it was counted
    Monday to Friday; it moves to the real answer once the year is loaded.
    """

    kind: DeadlineKind
    due_on: date
    met_on: date | None
    provisional: bool = False

    def is_overdue(self, today: date) -> bool:
        """Still open after its last day. A deadline met late is no longer overdue (see `met_late`)."""
        return self.met_on is None and today > self.due_on

    @property
    def met_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due_on


def deadlines(app: Application, calendar: WorkingDays) -> tuple[Deadline, ...]:
    """Every deadline `app` has started, with the day each was met.

    A year the calendar does not know is counted Monday to Friday and its deadlines are provisional.
    """
    rules, history = app.rules, app.history
    decided = app.last(*DECISION_STEPS)
    decided_on = decided.on if decided else None
    found: list[Deadline] = []

    def period(kind: DeadlineKind, start: date, working_days: int, met_on: date | None) -> None:
        due = calendar.add_working_days(start, working_days)
        found.append(Deadline(kind, due, met_on, calendar.is_provisional(start, due)))

    if accepted := app.last(_K.ACCEPTED):
        extended = app.last(_K.DEADLINE_EXTENDED) is not None
        days = rules.extended_decision_working_days if extended else rules.decision_working_days
        period(DeadlineKind.DECISION, accepted.on, days, decided_on)
    reviewed = app.last(_K.TOWNSHIP_REVIEWED, _K.OBJECTION_RAISED)
    # An objection after the latest review recalls the file; the district's period restarts on re-review.
    if reviewed and reviewed.kind is _K.TOWNSHIP_REVIEWED:
        period(DeadlineKind.DISTRICT_DECISION, reviewed.on, rules.district_decision_working_days, decided_on)
    for i, step in enumerate(history):
        if step.kind is _K.OBJECTION_RAISED:
            done = next((s.on for s in history[i:] if s.kind in _ENDS_REINVESTIGATION), None)
            period(DeadlineKind.REINVESTIGATION, step.on, rules.reinvestigation_working_days, done)
    if refused := app.last(_K.REFUSED, _K.REJECTED):
        notified = app.last(_K.REFUSAL_NOTIFIED)
        met = notified.on if notified else None
        period(DeadlineKind.REFUSAL_NOTICE, refused.on, rules.refusal_notice_working_days, met)
    if (paid := app.last(_K.HELP_FIRST_PAID)) and rules.help_first:
        completed = app.last(_K.PAPERWORK_COMPLETED)
        met = completed.on if completed else None
        period(DeadlineKind.HELP_FIRST_PAPERWORK, paid.on, rules.help_first.paperwork_working_days, met)
    return tuple(found)


def overdue(app: Application, today: date, calendar: WorkingDays) -> tuple[Deadline, ...]:
    """The deadlines of `app` still open after their last day: its lines in the overdue lists."""
    return tuple(d for d in deadlines(app, calendar) if d.is_overdue(today))


def is_overdue(app: Application, today: date, calendar: WorkingDays) -> bool:
    return bool(overdue(app, today, calendar))
