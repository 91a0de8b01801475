"""The pure rules: who is on a term's roster and from when, which claims a cover admits, the KPI formulas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services.insurance.domain.claims import Expenses, claim_issues, covering_entry, refuse_in_gap
from services.insurance.domain.kpis import ClaimFacts, ExposureGroup, kpis, within_limit
from services.insurance.domain.roster import CoverWindow, desired_entry, premium_fen, removal_reason
from shared.errors import InvalidInput


def window(start: str, end: str | None = None, *categories: str, district: str = "500103") -> CoverWindow:
    return CoverWindow(
        date.fromisoformat(start),
        date.fromisoformat(end) if end else None,
        categories or ("dibao",),
        district,
        "case_ended" if end else None,
    )


def test_a_person_in_two_cases_is_insured_once_with_every_category_from_the_earliest_month() -> None:
    entry = desired_entry(
        [window("2026-10-01", None, "dibao", "orphan"), window("2026-03-01", "2026-12-31", "tekun")], 2026
    )
    assert entry is not None
    assert (entry.cover_from, entry.cover_until) == (date(2026, 3, 1), None)
    assert entry.categories == ("dibao", "orphan", "tekun")


def test_cover_ends_only_when_every_case_has_ended_and_runs_open_to_the_terms_end() -> None:
    both_ended = desired_entry([window("2026-02-01", "2026-05-31"), window("2026-04-01", "2026-08-31")], 2026)
    assert both_ended is not None and both_ended.cover_until == date(2026, 8, 31)
    assert both_ended.removal_reason == "case_ended"
    to_the_end = desired_entry([window("2026-02-01", "2026-12-31")], 2026)
    assert to_the_end is not None and to_the_end.cover_until is None


def test_a_later_term_starts_on_1_january_and_a_term_without_cover_has_no_entry() -> None:
    next_year = desired_entry([window("2026-10-01")], 2027)
    assert next_year is not None and next_year.cover_from == date(2027, 1, 1)
    assert desired_entry([window("2026-10-01", "2026-12-31")], 2027) is None
    assert desired_entry([window("2027-02-01")], 2026) is None
    assert desired_entry([window("2026-10-01", "2026-09-30")], 2026) is None  # empty window


def test_premium_is_a_twelfth_per_month_from_the_month_cover_starts() -> None:
    assert premium_fen(12_000, date(2026, 1, 1)) == 12_000
    assert premium_fen(12_000, date(2025, 8, 1)) == 5_000  # the contract example: August to December
    assert premium_fen(12_000, date(2026, 12, 1)) == 1_000


def test_premium_counts_only_the_months_covered_to_removal_and_outside_gaps() -> None:
    assert premium_fen(12_000, date(2026, 1, 1), date(2026, 3, 31)) == 3_000  # removed from April
    assert premium_fen(12_000, date(2026, 12, 1), date(2026, 12, 31)) == 1_000
    gap = ((date(2026, 4, 1), date(2026, 5, 31)),)  # off the roster April and May, back from June
    assert premium_fen(12_000, date(2026, 1, 1), None, gap) == 10_000
    assert premium_fen(12_000, date(2026, 1, 1), date(2026, 9, 30), gap) == 7_000
    assert premium_fen(12_000, date(2026, 3, 1), date(2026, 2, 28)) == 0  # voided: never covered


def test_a_person_removed_and_enrolled_again_in_a_term_has_a_gap_not_continuous_cover() -> None:
    again = desired_entry([window("2026-01-01", "2026-03-31"), window("2026-06-01")], 2026)
    assert again is not None and (again.cover_from, again.cover_until) == (date(2026, 1, 1), None)
    assert again.gaps == ((date(2026, 4, 1), date(2026, 5, 31)),)
    # Back-to-back or overlapping cases leave no gap; a window of last year does not make one this year.
    touching = desired_entry([window("2026-01-01", "2026-03-31"), window("2026-04-01", "2026-07-31")], 2026)
    overlapping = desired_entry(
        [window("2026-01-01", "2026-09-30"), window("2026-03-01", "2026-04-30"), window("2026-06-01")], 2026
    )
    across = desired_entry([window("2025-02-01", "2025-11-30"), window("2026-03-01")], 2026)
    assert [e.gaps for e in (touching, overlapping, across) if e is not None] == [(), (), ()]
    two = desired_entry(
        [window("2026-01-01", "2026-02-28"), window("2026-04-01", "2026-05-31"), window("2026-11-01")], 2026
    )
    assert two is not None and two.gaps == (
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 6, 1), date(2026, 10, 31)),
    )


def test_an_incident_in_a_gap_is_refused_naming_the_rule() -> None:
    gap = ((date(2026, 4, 1), date(2026, 5, 31)),)
    refuse_in_gap(date(2026, 3, 31), gap)
    refuse_in_gap(date(2026, 6, 1), gap)
    with pytest.raises(InvalidInput) as refused:
        refuse_in_gap(date(2026, 4, 1), gap)
    assert [(e.field, e.rule) for e in refused.value.errors] == [("incident_date", "IN_REMOVAL_GAP")]


def test_termination_reasons_map_to_removal_reasons() -> None:
    assert [removal_reason(r) for r in ("death", "moved", "income", "fraud")] == [
        "death",
        "moved",
        "case_ended",
        "case_ended",
    ]


@dataclass(frozen=True)
class Entry:
    policy_year: int
    cover_from: date
    cover_until: date | None


def refusal(incident: str, entries: list[Entry]) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as refused:
        covering_entry(date.fromisoformat(incident), entries)
    issue = refused.value.errors[0]
    return issue.field, issue.rule


def test_a_claim_needs_cover_active_on_the_incident_date() -> None:
    entries = [Entry(2026, date(2026, 10, 1), date(2026, 11, 30))]
    assert covering_entry(date(2026, 10, 1), entries) is entries[0]
    assert covering_entry(date(2026, 11, 30), entries) is entries[0]
    assert refusal("2026-09-30", entries) == ("incident_date", "COVER_NOT_STARTED")
    assert refusal("2026-12-01", entries) == ("incident_date", "COVER_ENDED")
    assert refusal("2026-05-01", []) == ("person_id", "NOT_INSURED")
    open_entry = [Entry(2026, date(2026, 1, 1), None)]
    assert covering_entry(date(2026, 12, 31), open_entry) is open_entry[0]
    assert refusal("2027-01-01", open_entry) == ("incident_date", "NOT_COVERED_ON_DATE")
    voided = [Entry(2027, date(2027, 1, 1), date(2026, 12, 31))]
    assert refusal("2027-01-01", voided) == ("incident_date", "COVER_ENDED")


def test_claim_amounts_keep_the_limit_and_the_expenses_add_up() -> None:
    fine = Expenses(
        total_fen=100_000, basic_insurance_fen=50_000, medical_assistance_fen=20_000, out_of_list_fen=10_000
    )
    assert claim_issues("serious_illness", 30_000, 10_000_000, fine) == []
    rules = {(i.field, i.rule) for i in claim_issues("serious_illness", 30_001, 30_000, fine)}
    assert rules == {("claimed_fen", "ABOVE_COVER_LIMIT"), ("claimed_fen", "ABOVE_OUT_OF_POCKET")}
    assert [i.rule for i in claim_issues("accident", 1, 10, None)] == ["REQUIRED"]
    assert claim_issues("school_entry_grant", 500_000, 500_000, None) == []
    too_much = Expenses(total_fen=100, basic_insurance_fen=80, medical_assistance_fen=30, out_of_list_fen=0)
    assert [i.rule for i in claim_issues("accident", 0, 10, too_much)] == ["PAID_EXCEEDS_TOTAL"]
    out_of_list = Expenses(
        total_fen=100, basic_insurance_fen=50, medical_assistance_fen=30, out_of_list_fen=21
    )
    assert [i.field for i in claim_issues("accident", 0, 10, out_of_list)] == ["expenses.out_of_list_fen"]


def test_48_hours_is_two_days_by_date() -> None:
    assert within_limit(date(2026, 3, 1), date(2026, 3, 3), 48)
    assert not within_limit(date(2026, 3, 1), date(2026, 3, 4), 48)


def test_kpis_of_a_small_term() -> None:
    groups = [
        ExposureGroup("500103", date(2026, 1, 1), None, 2, 24_000),  # 2 × 365 days
        ExposureGroup("500103", date(2026, 7, 1), date(2026, 9, 30), 1, 6_000),  # 92 days, off from October
        ExposureGroup("500103", date(2026, 1, 1), date(2025, 12, 31), 1, 12_000),  # voided: nothing
    ]
    claims = [
        ClaimFacts("accident", date(2026, 2, 1), date(2026, 2, 2), "settled", 80_000, date(2026, 2, 12)),
        ClaimFacts("accident", date(2026, 3, 1), date(2026, 3, 10), "rejected", None, None),
    ]
    result = kpis(groups, claims, year=2026, as_of=date(2026, 12, 31), report_limits={"accident": 48})
    assert result.insured_persons == 3 and result.insured_on_as_of == 2
    assert result.person_years == pytest.approx((2 * 365 + 92) / 365)
    assert result.claim_rate == pytest.approx(2 / ((2 * 365 + 92) / 365))
    assert [(m.month, m.added, m.removed) for m in result.monthly if m.added or m.removed] == [
        ("2026-01", 2, 0),
        ("2026-07", 1, 0),
        ("2026-10", 0, 1),
    ]
    (accident,) = result.timeliness
    assert (accident.within_limit, accident.share_within_limit, accident.median_days_to_report) == (
        1,
        0.5,
        5.0,
    )
    assert (result.settlement_rate, result.median_days_to_settle, result.paid_fen) == (0.5, 10.0, 80_000)
    assert result.premium_fen == 30_000
