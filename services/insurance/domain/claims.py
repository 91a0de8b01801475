"""Claims: which roster entry covers an incident, which claims a cover admits, and the claim lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, TypeVar

from services.insurance.domain.terms import term_bounds
from shared.errors import FieldIssue, InvalidInput

Channel = Literal["caseworker", "hospital", "insurer"]
ClaimStatus = Literal["reported", "documents_complete", "assessed", "settled", "rejected"]

MEDICAL_COVERS: frozenset[str] = frozenset({"accident", "serious_illness", "student_critical_illness"})
"""Covers that pay hospital expenses: a claim under them states the expenses."""

ONCE_PER_PERSON: frozenset[str] = frozenset({"death_from_illness", "school_entry_grant"})
"""Covers a person can claim once at most (one death; one university entry)."""


class Covered(Protocol):
    @property
    def policy_year(self) -> int: ...
    @property
    def cover_from(self) -> date: ...
    @property
    def cover_until(self) -> date | None: ...


C = TypeVar("C", bound=Covered)


def covers(entry: Covered, day: date) -> bool:
    """Was the entry's cover active on `day`? Cover ends at `cover_until`, or the term's end."""
    until = entry.cover_until if entry.cover_until is not None else term_bounds(entry.policy_year)[1]
    return entry.cover_from <= day <= until


def covering_entry(incident_date: date, entries: Sequence[C]) -> C:
    """The roster entry whose cover was active on the incident date; InvalidInput naming the rule if none."""
    if not entries:
        raise InvalidInput(
            "the person is not on any roster you can see",
            errors=[FieldIssue("person_id", "NOT_INSURED", "no roster entry for this person in your scope")],
        )
    for entry in entries:
        if covers(entry, incident_date):
            return entry
    first = min(e.cover_from for e in entries)
    if incident_date < first:
        rule, message = "COVER_NOT_STARTED", f"cover started on {first}, after the incident"
    elif all(e.cover_until is not None and e.cover_until < incident_date for e in entries):
        last = max(e.cover_until for e in entries if e.cover_until is not None)
        rule, message = "COVER_ENDED", f"cover ended on {last}, before the incident"
    else:
        rule, message = "NOT_COVERED_ON_DATE", "the person was not covered on the incident date"
    raise InvalidInput(
        f"cover was not active on the incident date: {message}",
        errors=[FieldIssue("incident_date", rule, message)],
    )


def refuse_in_gap(incident_date: date, gaps: Sequence[tuple[date, date]]) -> None:
    """An entry's span does not cover the stretch between a removal and a re-enrolment in the term."""
    for first, last in gaps:
        if first <= incident_date <= last:
            message = f"removed from the roster from {first} to {last}, enrolled again after"
            raise InvalidInput(
                f"cover was not active on the incident date: {message}",
                errors=[FieldIssue("incident_date", "IN_REMOVAL_GAP", message)],
            )


@dataclass(frozen=True, slots=True)
class Expenses:
    """Hospitalisation expenses (fen): the total, what basic medical insurance and medical assistance
    paid, and the part outside the medical-insurance list (目录外)."""

    total_fen: int
    basic_insurance_fen: int
    medical_assistance_fen: int
    out_of_list_fen: int

    @property
    def out_of_pocket_fen(self) -> int:
        return self.total_fen - self.basic_insurance_fen - self.medical_assistance_fen


def claim_issues(
    cover_type: str, claimed_fen: int, limit_fen: int, expenses: Expenses | None
) -> list[FieldIssue]:
    """Every rule a reported claim breaks, by field; empty when it may be recorded."""
    issues: list[FieldIssue] = []
    if claimed_fen > limit_fen:
        issues.append(
            FieldIssue(
                "claimed_fen", "ABOVE_COVER_LIMIT", f"the {cover_type} cover pays at most {limit_fen} fen"
            )
        )
    if cover_type in MEDICAL_COVERS and expenses is None:
        issues.append(
            FieldIssue("expenses", "REQUIRED", f"a {cover_type} claim states the hospital expenses")
        )
    if expenses is None:
        return issues
    if expenses.basic_insurance_fen + expenses.medical_assistance_fen > expenses.total_fen:
        issues.append(
            FieldIssue(
                "expenses.total_fen",
                "PAID_EXCEEDS_TOTAL",
                "basic insurance and medical assistance together cannot exceed the total",
            )
        )
    elif expenses.out_of_list_fen > expenses.out_of_pocket_fen:
        issues.append(
            FieldIssue(
                "expenses.out_of_list_fen",
                "EXCEEDS_OUT_OF_POCKET",
                "the out-of-list part is paid by the patient, so within total − insurance − assistance",
            )
        )
    elif cover_type in MEDICAL_COVERS and claimed_fen > expenses.out_of_pocket_fen:
        issues.append(
            FieldIssue(
                "claimed_fen",
                "ABOVE_OUT_OF_POCKET",
                f"the claim may not exceed what remains after insurance and assistance ({expenses.out_of_pocket_fen} fen)",
            )
        )
    return issues


NEXT_STATUS: dict[str, frozenset[str]] = {
    "reported": frozenset({"documents_complete", "rejected"}),
    "documents_complete": frozenset({"assessed", "rejected"}),
    "assessed": frozenset({"settled", "rejected"}),
    "settled": frozenset(),
    "rejected": frozenset(),
}
"""The claim lifecycle: reported → documents complete → assessed → settled, or rejected before settling."""


def can_move(current: str, to: str) -> bool:
    return to in NEXT_STATUS.get(current, frozenset())
