"""Rules of the problem lists (问题清单) and their rectification (整改): when a problem is overdue, and who may
close it. The database enforces the closing rules too (revision 0007), so a direct update cannot skip them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.errors import Conflict, FieldIssue, Forbidden

ProblemSource = Literal["self_inspection", "supervision", "complaint", "finding"]
ProblemStatus = Literal["open", "rectifying", "closed"]


def is_overdue(*, status: str, deadline: date | None, today: date) -> bool:
    """Past its deadline and not closed: due on the deadline itself, overdue from the next day (so a deadline
    of 31 December is overdue on 1 January)."""
    return status != "closed" and deadline is not None and deadline < today


def days_overdue(deadline: date, today: date) -> int:
    return (today - deadline).days


@dataclass(frozen=True)
class Opened:
    """Who opened a problem and who set its rectification: the two people who may not sign its closure off."""

    status: str
    opened_by: str
    rectification_by: str | None
    evidence_items: int


def check_closable(problem: Opened, *, closer: str) -> None:
    """Raise unless `closer` may close the problem now: a rectification set, evidence given, a second person."""
    if problem.status == "closed":
        raise Conflict("the problem is closed already", errors=[FieldIssue("status", "closed", "final")])
    if problem.status != "rectifying":
        raise Conflict(
            "set a rectification (responsible person, measures, deadline) before closing",
            errors=[FieldIssue("status", "no_rectification", "a problem closes from 'rectifying'")],
        )
    if problem.evidence_items == 0:
        raise Conflict(
            "a rectification closes only with evidence of what was done",
            errors=[FieldIssue("evidence", "evidence_required", "add at least one piece of evidence first")],
        )
    if closer in (problem.opened_by, problem.rectification_by):
        raise Forbidden(
            "closing needs a second person's sign-off: who opened the problem or set its rectification "
            "cannot close it",
            errors=[FieldIssue("closed_by", "second_person", "someone else must sign the closure off")],
        )


def check_open(status: str) -> None:
    """A closed problem is final: nothing is added to it or changed."""
    if status == "closed":
        raise Conflict("the problem is closed: it is final", errors=[FieldIssue("status", "closed", "final")])
