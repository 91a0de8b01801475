"""The 特困 support mode (供养方式): centralised in a care facility, or dispersed at home with a named carer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.types import SupportMode
from shared.errors import Conflict, FieldIssue, InvalidInput


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """A person's choice of support mode (集中供养 / 分散供养), dated the day they chose."""

    support_mode: SupportMode
    chosen_on: date
    names_carer: bool


def check_choice(choice: Choice, *, latest: Choice | None, decided_on: date, today: date) -> None:
    """Refuse a choice the rules do not allow, naming every broken rule.

    Dispersed support names a carer and centralised support does not; the day is never in the future,
    never before the case's decision nor before the person's latest choice (the same day is allowed: the
    later record wins). Choosing the mode the person already has is a conflict, not a change.
    """
    issues: list[FieldIssue] = []
    if choice.support_mode == "dispersed" and not choice.names_carer:
        issues.append(FieldIssue("carer", "CARER_REQUIRED", "dispersed support (分散供养) names a carer"))
    if choice.support_mode == "centralised" and choice.names_carer:
        issues.append(
            FieldIssue(
                "carer", "CARER_NOT_ALLOWED", "centralised support (集中供养) is given by the facility"
            )
        )
    if choice.chosen_on > today:
        issues.append(FieldIssue("chosen_on", "FUTURE_DATE", f"{choice.chosen_on} is after today ({today})"))
    if choice.chosen_on < decided_on:
        issues.append(
            FieldIssue(
                "chosen_on", "BEFORE_DECISION", f"{choice.chosen_on} is before the decision ({decided_on})"
            )
        )
    if latest is not None and choice.chosen_on < latest.chosen_on:
        issues.append(
            FieldIssue(
                "chosen_on",
                "BEFORE_PREVIOUS_CHOICE",
                f"{choice.chosen_on} is before the person's latest choice ({latest.chosen_on})",
            )
        )
    if issues:
        raise InvalidInput("the support-mode choice is not valid", errors=issues)
    if latest is not None and latest.support_mode == choice.support_mode:
        message = f"the person's support mode is already {choice.support_mode} (since {latest.chosen_on})"
        raise Conflict(message, errors=[FieldIssue("support_mode", "SAME_SUPPORT_MODE", message)])
