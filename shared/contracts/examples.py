"""One fixed, valid instance of every contract: the AsyncAPI examples and the contract tests use them.

Ids are uuid5 of a name and times are constants, so the generated document never changes by itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid5

from shared.contracts import eligibility as el
from shared.contracts import facilities as fac
from shared.contracts import insurance as ins
from shared.contracts import oversight as ovs
from shared.contracts import payments as pay
from shared.contracts.base import Event

_NAMESPACE = UUID("5a0f3b1e-2c4d-5e6f-8a9b-0c1d2e3f4a5b")
OCCURRED_AT = datetime(2025, 8, 1, 9, 30, tzinfo=UTC)
DISTRICT = "500103"


def sample_id(name: str) -> UUID:
    """A stable UUID for a sample entity, e.g. `sample_id("case")`."""
    return uuid5(_NAMESPACE, name)


def _beneficiary(person: str, base: int, add_on: int, care: int) -> dict[str, Any]:
    return {
        "person_id": sample_id(person),
        "base_fen": base,
        "add_on_fen": add_on,
        "care_subsidy_fen": care,
        "total_fen": base + add_on + care,
    }


_CASE = {"case_id": sample_id("case")}
_PAYMENT = {
    "case_id": sample_id("case"),
    "household_id": sample_id("household"),
    "person_id": sample_id("person/1"),
    "benefit": "dibao",
    "month": "2025-08",
    "amount_fen": 37_000,
}
_ENROLLMENT = {
    "roster_entry_id": sample_id("roster-entry"),
    "person_id": sample_id("person/1"),
    "policy_year": 2025,
    "insurer_id": sample_id("insurer"),
    "district_code": DISTRICT,
}

_PLACE = {"person_id": sample_id("person/3"), "case_id": sample_id("case/tekun")}

_SAMPLES: list[Event] = [
    el.CaseApproved(
        **_CASE,
        household_id=sample_id("household"),
        program="dibao",
        district_code=DISTRICT,
        township_code="500103001",
        start_month="2025-08",
        beneficiaries=[
            el.ApprovedBeneficiary(
                **_beneficiary("person/1", 31_000, 6_000, 0), insurance_categories=["dibao"]
            ),
            el.ApprovedBeneficiary(
                **_beneficiary("person/2", 31_000, 10_000, 0), insurance_categories=["dibao"]
            ),
        ],
        monthly_amount_fen=78_000,
        approved_by="reviewer-0417",
        decided_on=date(2025, 7, 21),
    ),
    el.CaseAmountChanged(
        **_CASE,
        from_month="2025-07",
        beneficiaries=[
            el.MonthlyAmount(**_beneficiary("person/1", 33_000, 6_000, 0)),
            el.MonthlyAmount(**_beneficiary("person/2", 33_000, 10_000, 0)),
        ],
        monthly_amount_fen=82_000,
        back_pay_months=["2025-07", "2025-08"],
        reason="standard_change",
        standard_id=sample_id("standard/2025-07"),
        decided_on=date(2025, 8, 20),
    ),
    el.CaseSuspended(
        **_CASE, from_month="2025-10", reason_code="review_overdue", decided_on=date(2025, 9, 15)
    ),
    el.CaseTerminated(
        **_CASE,
        effective_month="2025-11",
        reason="death",
        person_ids=[sample_id("person/2")],
        decided_on=date(2025, 10, 8),
    ),
    el.CaseReviewScheduled(
        **_CASE, occasion="approved", next_review_due=date(2026, 7, 21), scheduled_on=date(2025, 7, 21)
    ),
    el.HouseholdRecorded(
        household_id=sample_id("household"),
        version=2,
        district_code=DISTRICT,
        township_code="500103001",
        area="urban",
        members=[
            el.RecordedMember(person_id=sample_id("person/1"), relation="head", match_key="5e" * 32),
            el.RecordedMember(person_id=sample_id("person/2"), relation="grandchild", match_key="a7" * 32),
        ],
        declared=el.DeclaredFacts(
            monthly_income_fen=60_000,
            financial_assets_fen=500_000,
            vehicle_exemption_evidenced=False,
            study_abroad_self_funded=False,
            premiums_and_private_fees_fen_per_year=0,
        ),
        recorded_on=date(2025, 7, 2),
    ),
    el.StaffRelativeFiled(
        relative_id=sample_id("relative"),
        match_key="c3" * 32,
        staff_id="caseworker-0211",
        relation="sibling",
        district_code=DISTRICT,
        filed_on=date(2025, 6, 30),
    ),
    el.TemporaryAidGranted(
        case_id=sample_id("case/temporary"),
        grant_id=sample_id("grant"),
        household_id=sample_id("household"),
        kind="emergency",
        household_class="B",
        amount_fen=300_000,
        help_first=True,
        district_code=DISTRICT,
        granted_on=date(2025, 8, 3),
    ),
    el.WorkingCalendarYearLoaded(
        year=2026,
        revision=1,
        holidays=[date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)],
        shifted_working_days=[date(2026, 1, 4)],
    ),
    el.CareLevelAssessed(
        case_id=sample_id("case/tekun"),
        person_id=sample_id("person/3"),
        care_level="half_care",
        adl_failed=2,
        assessed_on=date(2025, 8, 12),
    ),
    el.SupportModeChosen(
        case_id=sample_id("case/tekun"),
        person_id=sample_id("person/3"),
        district_code=DISTRICT,
        support_mode="centralised",
        care_level="half_care",
        chosen_on=date(2025, 8, 15),
    ),
    fac.PlacementRequested(
        **_PLACE,
        request_id=sample_id("placement-request"),
        district_code=DISTRICT,
        care_level="half_care",
        requested_on=date(2025, 8, 15),
    ),
    fac.ResidentAdmitted(
        **_PLACE,
        placement_id=sample_id("placement"),
        request_id=sample_id("placement-request"),
        facility_id=sample_id("facility"),
        district_code=DISTRICT,
        admitted_on=date(2025, 9, 3),
    ),
    fac.ResidentTransferred(
        **_PLACE,
        placement_id=sample_id("placement"),
        from_facility_id=sample_id("facility"),
        to_facility_id=sample_id("facility/2"),
        district_code=DISTRICT,
        transferred_on=date(2025, 11, 20),
    ),
    fac.ResidentDischarged(
        **_PLACE,
        placement_id=sample_id("placement"),
        facility_id=sample_id("facility/2"),
        district_code=DISTRICT,
        reason="returned_home",
        discharged_on=date(2026, 3, 2),
    ),
    fac.FacilityStatusChanged(
        facility_id=sample_id("facility"),
        district_code=DISTRICT,
        status="closing",
        changed_on=date(2025, 11, 1),
    ),
    pay.PaymentRunReleased(
        run_id=sample_id("run"),
        district_code=DISTRICT,
        month="2025-08",
        payment_count=4_812,
        total_fen=186_523_400,
        prepared_by="finance-0102",
        released_by="finance-0233",
    ),
    pay.PaymentDisbursed(
        **_PAYMENT, payment_id=sample_id("payment"), run_id=sample_id("run"), paid_on=date(2025, 8, 8)
    ),
    pay.PaymentFailed(
        **_PAYMENT,
        payment_id=sample_id("payment"),
        run_id=sample_id("run"),
        reason_code="ACCOUNT_CLOSED",
        failed_on=date(2025, 8, 8),
    ),
    pay.PaymentReissued(
        **_PAYMENT,
        payment_id=sample_id("payment/reissue"),
        original_payment_id=sample_id("payment"),
        reissued_on=date(2025, 8, 14),
    ),
    pay.OverpaymentRaised(
        overpayment_id=sample_id("overpayment"),
        payment_id=sample_id("payment/2025-11"),
        case_id=sample_id("case"),
        person_id=sample_id("person/2"),
        month="2025-11",
        amount_fen=43_000,
        reason="death",
        raised_on=date(2025, 11, 20),
    ),
    ins.InsuredEnrolled(**_ENROLLMENT, categories=["dibao"], cover_from=date(2025, 8, 1), premium_fen=5_000),
    ins.InsuredRemoved(**_ENROLLMENT, cover_until=date(2025, 10, 31), reason="death"),
    ins.ClaimReported(
        claim_id=sample_id("claim"),
        roster_entry_id=sample_id("roster-entry"),
        person_id=sample_id("person/1"),
        policy_year=2025,
        insurer_id=sample_id("insurer"),
        cover_type="accident",
        incident_date=date(2025, 9, 2),
        reported_on=date(2025, 9, 3),
        channel="caseworker",
        claimed_fen=820_000,
    ),
    ins.ClaimAssessed(claim_id=sample_id("claim"), assessed_fen=650_000, assessed_on=date(2025, 9, 20)),
    ins.ClaimSettled(claim_id=sample_id("claim"), paid_fen=650_000, settled_on=date(2025, 9, 26)),
    ovs.FindingRaised(
        finding_id=sample_id("finding"),
        run_id=sample_id("check-run"),
        rule="R6",
        severity="high",
        district_code=DISTRICT,
        case_id=sample_id("case"),
        person_id=sample_id("person/2"),
        suspend_case=True,
        evidence={
            "died_on": "2025-10-03",
            "payment_ids": [str(sample_id("payment/2025-11"))],
            "paid_fen": 43_000,
            "overpayment_ids": [str(sample_id("overpayment"))],
            "import_rows": [2],
        },
        found_on=date(2025, 12, 1),
    ),
    ins.ClaimRejected(
        claim_id=sample_id("claim/late"),
        reason_code="late_report",
        reason="Reported 40 days after the accident; the policy allows 48 hours.",
        rejected_on=date(2025, 9, 30),
    ),
]

EXAMPLES: dict[str, Event] = {
    sample.event_type(): sample.model_copy(
        update={"event_id": sample_id(f"event/{sample.event_type()}"), "occurred_at": OCCURRED_AT}
    )
    for sample in _SAMPLES
}
"""One example per event type, with a fixed event id and time."""
