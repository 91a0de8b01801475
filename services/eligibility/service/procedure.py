"""The rows an application's procedure keeps: each step as it happened, and the application's summary of where
the procedure stands (its state, who investigated and decided, the decision deadline), which the database's
checks and the lists read."""

from __future__ import annotations

from uuid import UUID

from services.eligibility.domain import workflow
from services.eligibility.domain.workflow import Application as Procedure
from services.eligibility.domain.workflow import Step, StepKind
from services.eligibility.models import Application, ApplicationStep
from shared.workdays import WorkingDayCalendar

DECISIONS = frozenset({StepKind.APPROVED, StepKind.REJECTED, StepKind.PAPERWORK_COMPLETED})


def step_row(application_id: UUID, seq: int, step: Step) -> ApplicationStep:
    """The stored row of an application's `seq`-th step."""
    return ApplicationStep(
        application_id=application_id,
        seq=seq,
        kind=step.kind.value,
        actor=step.actor,
        happened_on=step.on,
        details={
            "reasons": list(step.details.reasons),
            "findings": list(step.details.findings),
            "investigators": list(step.details.investigators),
            "district_level": step.details.district_level,
            "amount_fen": step.details.amount_fen,
        },
    )


def summarise(row: Application, procedure: Procedure, step: Step, calendar: WorkingDayCalendar) -> None:
    """Keep the row's summary of the procedure after `step` (and with it the database's checks) current."""
    row.state = procedure.status.value
    row.investigators = sorted(workflow.entered_or_investigated_by(procedure) - {row.entered_by})
    row.relative_filed = procedure.last(StepKind.RELATIVE_FILED) is not None
    row.district_visit_done = any(
        s.kind is StepKind.HOME_VISITED and s.details.district_level for s in procedure.history
    )
    if step.kind in DECISIONS:
        row.decided_by = step.actor
        row.decision = "rejected" if step.kind is StepKind.REJECTED else "approved"
    keep_decision_due(row, procedure, calendar)


def keep_decision_due(row: Application, procedure: Procedure, calendar: WorkingDayCalendar) -> None:
    """Copy the decision deadline onto the row, where lists and the overdue report read it."""
    decision = next((d for d in workflow.deadlines(procedure, calendar) if d.kind == "decision"), None)
    row.decision_due = decision.due_on if decision else None
    row.decision_due_provisional = decision is not None and decision.provisional
