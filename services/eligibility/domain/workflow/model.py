"""The application value: its steps, statuses, rules and errors, and which step may follow which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal, Protocol

from shared.errors import InvalidInput

Program = Literal["dibao", "tekun", "temporary"]
"""What is applied for: dibao (最低生活保障), 特困 support or temporary assistance (临时救助)."""


class WorkingDays(Protocol):
    """The working-day calendar the deadlines need; `shared.workdays.WorkingDayCalendar` is one."""

    def add_working_days(self, start: date, n: int) -> date: ...

    def is_provisional(self, start: date, end: date) -> bool:
        """Whether a count from `start` to `end` assumed Mon–Fri for a year nobody has entered."""
        ...


class StepKind(StrEnum):
    APPLIED = "applied"  # actor: who entered the application
    ACCEPTED = "accepted"  # 受理
    REFUSED = "refused"  # not accepted (不予受理), with reasons
    DATA_CROSS_CHECKED = "data_cross_checked"  # 信息核对 with other departments, with findings
    HOME_VISITED = "home_visited"  # 入户调查 by >= 2 investigators; district_level for relatives
    NEIGHBOURS_VISITED = "neighbours_visited"  # 邻里访问
    DEMOCRATIC_APPRAISED = "democratic_appraised"  # 民主评议, only where the district uses it
    TOWNSHIP_REVIEWED = "township_reviewed"  # 乡镇审核; the file goes to the district
    NOTICE_POSTED = "notice_posted"  # 公示, dated the day it was posted
    OBJECTION_RAISED = "objection_raised"  # 公示异议, reopens the investigation
    APPROVED = "approved"  # district decision (确认)
    REJECTED = "rejected"  # district decision (不予确认), with reasons
    REFUSAL_NOTIFIED = "refusal_notified"  # written notice of a refusal or rejection
    DEADLINE_EXTENDED = "deadline_extended"  # 25 -> 40 working days, once, with reasons
    RELATIVE_FILED = "relative_filed"  # 近亲属备案
    HELP_FIRST_PAID = "help_first_paid"  # 先行救助 (temporary-assistance emergencies)
    PAPERWORK_COMPLETED = "paperwork_completed"  # 补办手续 after a help-first payment


class Status(StrEnum):
    NEW = "new"
    APPLIED = "applied"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    INVESTIGATING = "investigating"
    APPRAISED = "appraised"
    TOWNSHIP_REVIEWED = "township_reviewed"
    PUBLIC_NOTICE = "public_notice"
    APPROVED = "approved"  # an active case from `benefit_start_month`
    REJECTED = "rejected"
    HELP_FIRST_PAID = "help_first_paid"
    PAPERWORK_COMPLETED = "paperwork_completed"


class WorkflowErrorCode(StrEnum):
    MISSING_ACTOR = "MISSING_ACTOR"
    FUTURE_DATE = "FUTURE_DATE"
    BEFORE_PREVIOUS_STEP = "BEFORE_PREVIOUS_STEP"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    REASONS_REQUIRED = "REASONS_REQUIRED"
    FINDINGS_REQUIRED = "FINDINGS_REQUIRED"
    TOO_FEW_INVESTIGATORS = "TOO_FEW_INVESTIGATORS"
    INVESTIGATION_INCOMPLETE = "INVESTIGATION_INCOMPLETE"
    APPRAISAL_NOT_USED = "APPRAISAL_NOT_USED"
    APPRAISAL_REQUIRED = "APPRAISAL_REQUIRED"
    NOTICE_ENDED = "NOTICE_ENDED"
    NOTICE_NOT_ENDED = "NOTICE_NOT_ENDED"
    SELF_APPROVAL = "SELF_APPROVAL"
    RELATIVE_NEEDS_DISTRICT_VISIT = "RELATIVE_NEEDS_DISTRICT_VISIT"
    RELATIVE_NOT_FILED = "RELATIVE_NOT_FILED"
    NOT_FLAGGED_RELATIVE = "NOT_FLAGGED_RELATIVE"
    ALREADY_RECORDED = "ALREADY_RECORDED"
    EXTENSION_ALREADY_USED = "EXTENSION_ALREADY_USED"
    EXTENSION_TOO_LATE = "EXTENSION_TOO_LATE"
    HELP_FIRST_NOT_ALLOWED = "HELP_FIRST_NOT_ALLOWED"
    OVER_HELP_FIRST_LIMIT = "OVER_HELP_FIRST_LIMIT"
    INVALID_AMOUNT = "INVALID_AMOUNT"


class WorkflowError(Exception):
    """A step the procedure does not allow; `code` says which rule refused it."""

    def __init__(self, code: WorkflowErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class HelpFirst:
    """A township's delegated help-first (先行救助) limit and its working days to complete the paperwork."""

    limit_fen: int
    paperwork_working_days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowRules:
    """The procedure's parameters in force for one application's township and district.

    Defaults are the statutory values of DOMAIN.md's procedure; the service passes the ones in force.
    `help_first=None`: the township has no delegated help-first limit.
    """

    uses_democratic_appraisal: bool
    help_first: HelpFirst | None = None
    notice_days: int = 7
    decision_working_days: int = 25
    extended_decision_working_days: int = 40
    district_decision_working_days: int = 10
    refusal_notice_working_days: int = 3
    reinvestigation_working_days: int = 15

    def __post_init__(self) -> None:
        periods = (
            self.notice_days,
            self.decision_working_days,
            self.district_decision_working_days,
            self.refusal_notice_working_days,
            self.reinvestigation_working_days,
        )
        if min(periods) <= 0:
            raise InvalidInput("workflow periods must be positive")
        if self.extended_decision_working_days < self.decision_working_days:
            raise InvalidInput("the extended decision period cannot be shorter than the normal one")
        if self.help_first and min(self.help_first.limit_fen, self.help_first.paperwork_working_days) <= 0:
            raise InvalidInput("a help-first limit and paperwork period must be positive")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepDetails:
    """What a step records beyond who and when; each kind requires only the fields it names."""

    reasons: tuple[str, ...] = ()  # refused, rejected, objection_raised, deadline_extended
    findings: tuple[str, ...] = ()  # data_cross_checked (results), neighbours_visited (optional)
    investigators: tuple[str, ...] = ()  # home_visited: staff ids, >= 2 distinct
    district_level: bool = False  # home_visited by district staff (required for relatives)
    amount_fen: int | None = None  # help_first_paid


@dataclass(frozen=True, slots=True)
class Step:
    """One recorded step: what happened, the staff member who did it and the day it happened."""

    kind: StepKind
    actor: str
    on: date
    details: StepDetails = StepDetails()


@dataclass(frozen=True, slots=True, kw_only=True)
class Application:
    """An application for `program` and the steps recorded on it so far, oldest first.

    `relative_flagged`: the household includes a registered relative of assistance staff or village
    cadres (近亲属). `emergency`: a temporary-assistance emergency (急难型), eligible for help first.
    """

    program: Program
    rules: WorkflowRules
    relative_flagged: bool = False
    emergency: bool = False
    history: tuple[Step, ...] = ()

    @property
    def status(self) -> Status:
        status = Status.NEW
        for step in self.history:
            status = next_status(status, step)
        return status

    def last(self, *kinds: StepKind) -> Step | None:
        """The latest recorded step of one of `kinds`."""
        return next((s for s in reversed(self.history) if s.kind in kinds), None)

    @property
    def notice_ends_on(self) -> date | None:
        """Last day of the latest public notice: posting day + `notice_days` calendar days."""
        posted = self.last(StepKind.NOTICE_POSTED)
        return posted.on + timedelta(days=self.rules.notice_days) if posted else None


_S = Status
_K = StepKind
INVESTIGATION_STEPS = frozenset({_K.DATA_CROSS_CHECKED, _K.HOME_VISITED, _K.NEIGHBOURS_VISITED})
DECISION_STEPS = frozenset({_K.APPROVED, _K.REJECTED})
_INVESTIGATING_FROM = frozenset({_S.ACCEPTED, _S.INVESTIGATING})
_PRE_DECISION = frozenset(
    {_S.ACCEPTED, _S.INVESTIGATING, _S.APPRAISED, _S.TOWNSHIP_REVIEWED, _S.PUBLIC_NOTICE}
)

# Which statuses each step may follow, and the status it leads to (None: unchanged).
_MOVES: dict[StepKind, tuple[frozenset[Status], Status | None]] = {
    _K.APPLIED: (frozenset({_S.NEW}), _S.APPLIED),
    _K.ACCEPTED: (frozenset({_S.APPLIED}), _S.ACCEPTED),
    _K.REFUSED: (frozenset({_S.APPLIED}), _S.REFUSED),
    _K.DATA_CROSS_CHECKED: (_INVESTIGATING_FROM, _S.INVESTIGATING),
    _K.HOME_VISITED: (_INVESTIGATING_FROM, _S.INVESTIGATING),
    _K.NEIGHBOURS_VISITED: (_INVESTIGATING_FROM, _S.INVESTIGATING),
    _K.DEMOCRATIC_APPRAISED: (frozenset({_S.INVESTIGATING}), _S.APPRAISED),
    _K.TOWNSHIP_REVIEWED: (frozenset({_S.INVESTIGATING, _S.APPRAISED}), _S.TOWNSHIP_REVIEWED),
    _K.NOTICE_POSTED: (frozenset({_S.TOWNSHIP_REVIEWED}), _S.PUBLIC_NOTICE),
    _K.OBJECTION_RAISED: (frozenset({_S.PUBLIC_NOTICE}), _S.INVESTIGATING),
    _K.APPROVED: (frozenset({_S.PUBLIC_NOTICE}), _S.APPROVED),
    _K.REJECTED: (frozenset({_S.PUBLIC_NOTICE}), _S.REJECTED),
    _K.REFUSAL_NOTIFIED: (frozenset({_S.REFUSED, _S.REJECTED}), None),
    _K.DEADLINE_EXTENDED: (_PRE_DECISION, None),
    _K.RELATIVE_FILED: (_PRE_DECISION | {_S.APPLIED}, None),
    _K.HELP_FIRST_PAID: (frozenset({_S.APPLIED}), _S.HELP_FIRST_PAID),
    _K.PAPERWORK_COMPLETED: (frozenset({_S.HELP_FIRST_PAID}), _S.PAPERWORK_COMPLETED),
}


def allowed_from(step: Step) -> frozenset[Status]:
    """The statuses `step` may be recorded in."""
    if step.kind is _K.HOME_VISITED and step.details.district_level:
        # The district visits a relative's household whenever it learns of it, up to the decision.
        return _PRE_DECISION
    return _MOVES[step.kind][0]


def next_status(status: Status, step: Step) -> Status:
    """The status after `step` (a district visit after the investigation leaves the status alone)."""
    if step.kind in INVESTIGATION_STEPS and status not in _INVESTIGATING_FROM:
        return status
    return _MOVES[step.kind][1] or status
