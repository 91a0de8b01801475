"""The placement story through the real Kafka broker, three services and events only: eligibility approves a
特困 case for a disabled elderly person, assesses full care and records the choice of a care facility;
facilities queues the person, admits them in March and discharges them home in June; payments pays March to
the person, April to June to the facility, July to the person again — every month from the approval once,
the ledger balanced, no account number in any event."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from services.payments.models import FacilityStay
from shared.clock import FixedClock
from shared.contracts.eligibility import CASE_TOPIC
from shared.contracts.facilities import PLACEMENT_TOPIC
from shared.contracts.payments import PAYMENT_TOPIC
from shared.local.kafka import KafkaBroker
from tests.eligibility.conftest import beside_eligibility
from tests.facilities.conftest import facility_body
from tests.kit import topic_records, wait_for
from tests.kit.eligibility import DISTRICT, approved_with_members, assess
from tests.kit.payments import FACILITY_ACCOUNT, Story, account
from tests.payments.conftest import Payments

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

BEFORE = ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03"]
"""The months from the approval of 29 October 2026 to the admission of 12 March 2027: the person's."""
IN_CARE = ["2027-04", "2027-05", "2027-06"]
"""From the month after the admission to the month of the discharge on 20 June 2027: the facility's."""
AFTER = ["2027-07"]
"""From the month after the discharge: the person's again."""


async def test_a_placement_chosen_in_eligibility_admitted_and_discharged_in_facilities_is_paid_by_payments(
    migrated_database: Any, kafka: KafkaBroker, keys: Path
) -> None:
    clock = FixedClock(date(2026, 11, 2))
    bus = {
        "bus": "kafka",
        "kafka": {"bootstrap_servers": kafka.bootstrap_servers, "session_timeout_ms": 6_000},
    }
    async with beside_eligibility(migrated_database, keys, ("facilities", "payments"), clock, **bus) as apps:
        eligibility, facilities = apps.eligibility, apps.others["facilities"].client
        paying = apps.others["payments"]
        story = Story(Payments(paying.client, paying.db, paying.runtime, clock, apps.private_key))
        staff = eligibility.token("reviewer", DISTRICT, subject="rv-1")

        # Eligibility: the head of the test household (born 1950, disability grade 2) alone is covered.
        case_id, members = await approved_with_members(eligibility, "tekun")
        person = members["head"]
        await assess(eligibility, case_id, person, 5, "2026-11-02")
        chosen = await eligibility.client.post(
            f"/v1/cases/{case_id}/support-mode",
            json={"person_id": person, "support_mode": "centralised", "chosen_on": "2026-11-02"},
            headers=eligibility.token("caseworker", DISTRICT, subject="cw-1"),
        )
        assert chosen.status_code == 200, chosen.text

        # Facilities, fed by Kafka alone: the person queued for a place.
        request: dict[str, Any] = {}

        async def queued() -> bool:
            nonlocal request
            listed = await facilities.get(
                "/v1/placement-requests", params={"district_code": DISTRICT}, headers=staff
            )
            request = next((r for r in listed.json() if r["person_id"] == person), {})
            return bool(request)

        await wait_for(queued, within=60)
        assert (request["case_id"], request["care_level"], request["status"]) == (
            case_id,
            "full_care",
            "queued",
        )
        created = await facilities.post(
            "/v1/facilities", json=facility_body("渝中区社会福利院", 4), headers=staff
        )
        assert created.status_code == 201, created.text
        home = created.json()["id"]

        # Payments, fed by Kafka alone: the entitlement with the care subsidy the assessment set.
        async def entitled() -> bool:
            got = await paying.client.get(
                "/v1/entitlements", params={"case_id": case_id}, headers=story.preparer
            )
            return [(e["person_id"], e["benefit"]) for e in got.json()] == [(person, "tekun")] and any(
                a["care_subsidy_fen"] > 0 for a in got.json()[0]["amounts"]
            )

        await wait_for(entitled, within=60)
        await story.funded(UUID(person))
        sent: dict[str, str] = {}
        for month in BEFORE:
            sent |= await story.paid(month)

        clock.set(date(2027, 3, 12))
        admitted = await facilities.post(
            f"/v1/placement-requests/{request['id']}/admission", json={"facility_id": home}, headers=staff
        )
        assert admitted.status_code == 201, admitted.text

        async def home_known() -> bool:  # the admission has arrived: the facility's account may be set
            return bool((await story.facility_account(home)).status_code == 200)

        await wait_for(home_known, within=60)
        for month in IN_CARE:
            sent |= await story.paid(month)

        clock.set(date(2027, 6, 20))
        discharged = await facilities.post(
            f"/v1/placements/{admitted.json()['id']}/discharge",
            json={"reason": "returned_home"},
            headers=staff,
        )
        assert discharged.status_code == 200, discharged.text

        async def stay_ended() -> bool:
            async with paying.db.connect() as connection:
                ends = await connection.scalars(
                    select(FacilityStay.end_month).where(FacilityStay.person_id == UUID(person))
                )
                return list(ends) == [date(2027, 7, 1)]

        await wait_for(stay_ended, within=60)
        for month in AFTER:
            sent |= await story.paid(month)

        paid = (
            await paying.client.get("/v1/payments", params={"person_id": person}, headers=story.preparer)
        ).json()
        assert sorted(
            (p["month"][:7], p["benefit"], p["payee_kind"], p["facility_id"], p["status"]) for p in paid
        ) == [
            *((m, "tekun", "person", None, "paid") for m in BEFORE),
            *((m, "tekun", "facility", home, "paid") for m in IN_CARE),
            *((m, "tekun", "person", None, "paid") for m in AFTER),
        ]
        own, homes = account(0)["account_number"], FACILITY_ACCOUNT["account_number"]
        assert sent == {month: homes if month in IN_CARE else own for month in BEFORE + IN_CARE + AFTER}
        balances = await story.balances()
        assert (balances["benefits_paid"], balances["bank_clearing"]) == (
            sum(p["amount_fen"] for p in paid),
            0,
        )

        # The events of this story on the real topics, which other tests write to as well: ours by key.
        disbursed = await topic_records(
            kafka.bootstrap_servers, PAYMENT_TOPIC, keys={p["id"] for p in paid}, at_least=len(paid)
        )
        assert sorted(r.type for r in disbursed) == ["PaymentDisbursed"] * len(paid)
        placed = await topic_records(kafka.bootstrap_servers, PLACEMENT_TOPIC, keys={person}, at_least=3)
        assert [r.type for r in placed] == ["PlacementRequested", "ResidentAdmitted", "ResidentDischarged"]
        decided = await topic_records(kafka.bootstrap_servers, CASE_TOPIC, keys={case_id}, at_least=3)
        everything = b"".join(r.data for r in disbursed + placed + decided)
        assert own.encode() not in everything and homes.encode() not in everything
