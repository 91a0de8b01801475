"""Temporary assistance (临时救助): classes A–D, standard × persons × months, the cap, help first, repeats.

Every amount here is a product of whole-fen parameters and counts (or the lesser of two such), so it is
exact with no rounding at all; the class income tests compare in integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from services.eligibility.domain.means import Reason, RigidExpenses, format_yuan, is_eligible
from services.eligibility.domain.people import anniversary
from services.eligibility.domain.standards import HouseholdClass, Standards
from shared.errors import InvalidInput

TemporaryKind = Literal["emergency", "expenditure"]
"""emergency (急难型: fire, accident, sudden serious illness) or expenditure (支出型)."""


@dataclass(frozen=True)
class PriorGrant:
    """A temporary grant already made: to whom (an opaque key, never an ID number), for what, when."""

    person_key: str
    cause: str
    granted_on: date


@dataclass(frozen=True, kw_only=True)
class TemporaryRequest:
    """A temporary-assistance request. `months` None means the class minimum.

    `monthly_income_fen` and `household_size` describe the whole household (for the class C/D
    income checks); `persons` is how many people the grant covers. `beneficiary_keys` and `cause`
    feed the one-grant-per-person-per-cause guard; leave them empty to skip it.
    """

    kind: TemporaryKind
    household_class: HouseholdClass
    persons: int
    household_size: int
    monthly_income_fen: int
    rigid_expenses_12m: RigidExpenses = field(default_factory=RigidExpenses)
    months: int | None = None
    cause: str = ""
    beneficiary_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.persons < 1 or self.household_size < 1:
            raise InvalidInput("persons and household_size are at least 1")
        if self.monthly_income_fen < 0:
            raise InvalidInput("monthly_income_fen must not be negative")
        if self.beneficiary_keys and len(self.beneficiary_keys) != self.persons:
            raise InvalidInput(f"{len(self.beneficiary_keys)} beneficiary keys for {self.persons} persons")


@dataclass(frozen=True)
class TemporaryAssessment:
    """A one-off amount: `amount_fen = standard_fen × persons × months`, 0 when not eligible.

    Above the cap the full amount stands, but only a case-by-case decision (一事一议) can grant it.
    `help_first_amount_fen` is what a township may pay at once in an emergency (先行救助).
    """

    eligible: bool
    reasons: tuple[Reason, ...]
    amount_fen: int
    standard_fen: int
    persons: int
    months: int
    requires_case_by_case_approval: bool
    help_first_amount_fen: int


def repeat_grants(
    person_keys: Iterable[str],
    cause: str,
    prior_grants: Iterable[PriorGrant],
    *,
    standards: Standards,
    as_of: date,
) -> tuple[PriorGrant, ...]:
    """Prior grants that use up a person's allowance for this cause: those in the year before `as_of`
    (a grant on 2025-03-10 counts until 2026-03-09), when a person already has the allowed number."""
    keys = set(person_keys)
    in_window = [
        grant
        for grant in prior_grants
        if grant.person_key in keys
        and grant.cause == cause
        and grant.granted_on <= as_of < anniversary(grant.granted_on, 1)
    ]
    blocking: list[PriorGrant] = []
    for key in sorted({grant.person_key for grant in in_window}):
        mine = [grant for grant in in_window if grant.person_key == key]
        if len(mine) >= standards.grants_per_person_per_cause_per_year:
            blocking += sorted(mine, key=lambda grant: grant.granted_on)
    return tuple(blocking)


def _class_reasons(request: TemporaryRequest, standard_fen: int, standards: Standards) -> list[Reason]:
    reasons: list[Reason] = []
    income, size = request.monthly_income_fen, request.household_size
    multiple = {"C": standards.class_c_income_multiple, "D": standards.class_d_income_multiple}.get(
        request.household_class
    )
    # Classes A (特困, orphans) and B (dibao) come from the case registry, not from income.
    # Per-capita income < multiple × standard, compared exactly in integers (no division).
    if multiple is not None and income >= multiple * standard_fen * size:
        per_capita_display_fen = income // size  # floored, for the message only
        reasons.append(
            Reason(
                "CLASS_INCOME_ABOVE_LIMIT",
                f"class {request.household_class} needs per-capita income below {multiple} × "
                f"{format_yuan(standard_fen)}; it is {format_yuan(per_capita_display_fen)}",
            )
        )
    if request.household_class == "D" and request.rigid_expenses_12m.total_fen == 0:
        reasons.append(Reason("NO_RIGID_EXPENSES", "class D (expenditure-type poor) needs rigid expenses"))
    return reasons


def assess_temporary(
    request: TemporaryRequest,
    *,
    standards: Standards,
    as_of: date,
    prior_grants: Sequence[PriorGrant] = (),
) -> TemporaryAssessment:
    """Temporary-assistance test and amount on `as_of` at `standards`."""
    standard = standards.dibao_fen(standards.temporary_standard_area)
    allowed = standards.temporary_months.for_class(request.household_class)
    months = allowed.min_months if request.months is None else request.months
    reasons = _class_reasons(request, standard, standards)
    if months not in allowed:
        reasons.append(
            Reason(
                "CLASS_MONTHS_OUT_OF_RANGE",
                f"class {request.household_class} is granted {allowed.min_months}–{allowed.max_months} "
                f"months, not {months}",
            )
        )
    for grant in repeat_grants(
        request.beneficiary_keys, request.cause, prior_grants, standards=standards, as_of=as_of
    ):
        reasons.append(
            Reason(
                "REPEAT_GRANT_SAME_CAUSE",
                f"person {grant.person_key} had a grant for {grant.cause!r} on {grant.granted_on.isoformat()}; "
                f"next possible on {anniversary(grant.granted_on, 1).isoformat()}",
            )
        )
    amount = standard * request.persons * months
    above_cap = amount > standards.temporary_cap_fen
    if above_cap:
        reasons.append(
            Reason(
                "ABOVE_CAP_NEEDS_CASE_BY_CASE",
                f"{format_yuan(amount)} is above the cap of {format_yuan(standards.temporary_cap_fen)}: "
                "needs case-by-case approval (一事一议)",
                blocking=False,
            )
        )
    if not is_eligible(reasons):
        return TemporaryAssessment(False, tuple(reasons), 0, standard, request.persons, months, False, 0)
    help_first = min(amount, standards.help_first_limit_fen) if request.kind == "emergency" else 0
    return TemporaryAssessment(
        True, tuple(reasons), amount, standard, request.persons, months, above_cap, help_first
    )
