"""Application workflow (审核确认程序) for dibao, 特困 and temporary assistance as pure transitions.

An `Application` is an immutable value whose `history` is the ordered tuple of recorded `Step`s;
its status is derived by replaying them. `apply_step` validates one step against the statutory
procedure and returns a new value, or raises `WorkflowError` with a code the service layer maps.
Dates are the days things actually happened: steps done on paper may be entered later, but never
dated in the future and never before the step recorded before them.

Periods follow the Civil Code (art. 201): the day a period starts from is not counted. So a notice
posted on day P runs for days P+1 … P+7 and the district may decide from P+8; "n working days
from X" ends on the n-th working day after X (`shared.workdays.add_working_days`).
"""

from .case_life import (
    benefit_start_month,
    next_review_due,
    suspension_effective_month,
    termination_effective_month,
)
from .deadlines import Deadline, DeadlineKind, deadlines, is_overdue, overdue
from .model import (
    Application,
    HelpFirst,
    Program,
    Status,
    Step,
    StepDetails,
    StepKind,
    WorkflowError,
    WorkflowErrorCode,
    WorkflowRules,
    WorkingDays,
)
from .transitions import apply_step, entered_or_investigated_by, replay

__all__ = [
    "Application",
    "Deadline",
    "DeadlineKind",
    "HelpFirst",
    "Program",
    "Status",
    "Step",
    "StepDetails",
    "StepKind",
    "WorkflowError",
    "WorkflowErrorCode",
    "WorkflowRules",
    "WorkingDays",
    "apply_step",
    "benefit_start_month",
    "deadlines",
    "entered_or_investigated_by",
    "is_overdue",
    "next_review_due",
    "overdue",
    "replay",
    "suspension_effective_month",
    "termination_effective_month",
]
