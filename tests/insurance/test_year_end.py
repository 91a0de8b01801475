"""Across a year end, on the app's clock: approvals that arrive before next year's term is entered wait in the
read model and join its January roster; a claim reported in January for a December incident is last year's;
KPIs and reconciliation read last year's term to 31 December and next year's from 1 January.

Each test runs for a fixed year end and for the one the suite runs after (`NEW_YEARS`)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from services.insurance.domain.terms import DEFAULT_COVERS
from services.insurance.models import Beneficiary, PolicyTerm
from services.insurance.service.terms import DEMO_INSURER_ID, seed_terms
from shared.clock import BUSINESS_ZONE, FixedClock, SystemClock
from shared.contracts.eligibility import CaseApproved, CaseTerminated
from shared.messaging.tables import inbox
from tests.insurance.conftest import NEW_YEARS, Served, bare_insurance, serve
from tests.kit.insurance import approved as kit_approved
from tests.kit.insurance import entries
from tests.kit.insurance import terminated as kit_terminated

DISTRICT = "500103"
_order = itertools.count()


def moment(day: date) -> datetime:
    """When eligibility recorded a decision taken on `day`: each event a little later than the one before."""
    return datetime.combine(day, time(9), BUSINESS_ZONE) + timedelta(seconds=next(_order))


def approved(people: dict[UUID, list[str]], *, decided_on: date, program: str = "dibao") -> CaseApproved:
    return kit_approved(people, decided_on=decided_on, program=program, occurred_at=moment(decided_on))


def terminated(case: CaseApproved, on: date) -> CaseTerminated:
    return kit_terminated(case, on, occurred_at=moment(on))


async def get(app: Served, path: str, headers: dict[str, str], **params: str) -> Any:
    response = await app.client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


ILLNESS = {
    "total_fen": 2_000_000,
    "basic_insurance_fen": 1_000_000,
    "medical_assistance_fen": 200_000,
    "out_of_list_fen": 100_000,
}


@pytest.mark.parametrize("new_year", NEW_YEARS)
async def test_approvals_before_the_new_term_is_entered_wait_and_join_its_january_roster(
    migrated_database: Any, keys: Path, new_year: int
) -> None:
    last_year = new_year - 1
    clock = FixedClock(date(new_year, 1, 5))
    async with (
        bare_insurance(migrated_database, terms=(last_year,)) as insurance,
        serve(insurance, keys, clock) as app,
    ):
        carried, january, brief, february = uuid4(), uuid4(), uuid4(), uuid4()
        carried_case = approved({carried: ["dibao"]}, decided_on=date(last_year, 6, 10))
        january_case = approved({january: ["dibao", "orphan"]}, decided_on=date(new_year, 1, 5))
        brief_case = approved({brief: ["tekun"]}, decided_on=date(new_year, 1, 8), program="tekun")
        history = [carried_case, january_case, brief_case, terminated(brief_case, date(new_year, 1, 20))]
        await insurance.deliver(history)  # no handler fails: `deliver` asserts there is no dead letter
        clock.set(date(new_year, 2, 12))
        february_case = approved({february: ["dibao"]}, decided_on=date(new_year, 2, 10))
        await insurance.deliver([february_case])
        history.append(february_case)

        # Nothing lost: every event processed, every window kept, only last year's term has entries.
        async with insurance.connection() as connection:
            statuses = (
                await connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
            ).all()
            windows = {
                row.person_id: (row.cover_start, row.cover_end)
                for row in await connection.execute(
                    select(Beneficiary.person_id, Beneficiary.cover_start, Beneficiary.cover_end)
                )
            }
        assert statuses == [("processed", 5)]
        assert windows == {
            carried: (date(last_year, 6, 1), None),
            january: (date(new_year, 1, 1), None),
            brief: (date(new_year, 1, 1), date(new_year, 1, 31)),
            february: (date(new_year, 2, 1), None),
        }
        assert [(r[1], r[2]) for r in await entries(insurance)] == [(carried, last_year)]

        admin = app.token("admin", "*", subject="admin-1")
        reviewer = app.token("reviewer", DISTRICT, subject="rv-1")
        caseworker = app.token("caseworker", DISTRICT, subject="cw-1")
        claim = {
            "person_id": str(january),
            "cover_type": "serious_illness",
            "incident_date": f"{new_year}-01-10",
            "claimed_fen": 500_000,
            "expenses": ILLNESS,
        }
        refused = await app.client.post("/v1/claims", json=claim, headers=caseworker)
        assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "NOT_INSURED"
        missing = await app.client.get(f"/v1/terms/{new_year}/reconciliation", headers=reviewer)
        assert missing.status_code == 404
        # Last year's term, read in the new year, is read on its last day: everyone covered is insured.
        last = await get(app, f"/v1/terms/{last_year}/reconciliation", reviewer)
        assert (last["as_of"], last["counts"]) == (f"{last_year}-12-31", {})

        # The term is entered in February: the roster lists who is covered and not yet insured.
        term = await app.client.post(
            "/v1/terms", json={"year": new_year, "insurer_id": str(DEMO_INSURER_ID)}, headers=admin
        )
        assert term.status_code == 201, term.text
        before = await get(app, f"/v1/terms/{new_year}/reconciliation", reviewer)
        assert (before["as_of"], before["counts"]) == (f"{new_year}-02-12", {"not_insured": 3})
        assert {d["person_id"] for d in before["differences"]} == {str(carried), str(january), str(february)}

        built = await app.client.post(f"/v1/terms/{new_year}/roster", json={}, headers=admin)
        assert built.status_code == 200 and built.json()["added"] == 4, built.text
        rows = {r[1]: r for r in await entries(insurance) if r[2] == new_year}
        # (categories, cover_from, cover_until, removal reason, premium): cover from the 1st of the month of
        # confirmation, ¥10 a month covered (to December, or to the month of removal).
        assert {person: (r[4], r[5], r[6], r[7], r[8]) for person, r in rows.items()} == {
            carried: (["dibao"], date(new_year, 1, 1), None, None, 12_000),
            january: (["dibao", "orphan"], date(new_year, 1, 1), None, None, 12_000),
            brief: (["tekun"], date(new_year, 1, 1), date(new_year, 1, 31), "case_ended", 1_000),
            february: (["dibao"], date(new_year, 2, 1), None, None, 11_000),
        }
        enrolled = await insurance.published("InsuredEnrolled")
        assert sorted((e.person_id, e.cover_from) for e in enrolled if e.policy_year == new_year) == sorted(
            (person, r[5]) for person, r in rows.items()
        )
        removed = await insurance.published("InsuredRemoved")
        assert [(e.person_id, e.policy_year, e.cover_until) for e in removed] == [
            (brief, new_year, date(new_year, 1, 31))
        ]
        jan = await get(app, f"/v1/terms/{new_year}/roster/changes/{new_year}-01", reviewer)
        feb = await get(app, f"/v1/terms/{new_year}/roster/changes/{new_year}-02", reviewer)
        assert {e["person_id"] for e in jan["added"]} == {str(carried), str(january), str(brief)}
        assert [e["person_id"] for e in feb["added"]] == [str(february)]
        assert [e["person_id"] for e in feb["removed"]] == [str(brief)]
        assert (await get(app, f"/v1/terms/{new_year}/reconciliation", reviewer))["counts"] == {}

        reported = await app.client.post("/v1/claims", json=claim, headers=caseworker)
        assert reported.status_code == 201, reported.text
        assert (reported.json()["policy_year"], reported.json()["reported_on"]) == (
            new_year,
            f"{new_year}-02-12",
        )

        # A consumer replaying the topic from the start changes nothing and announces nothing.
        before_replay, published = await entries(insurance), await insurance.outbox_size()
        await insurance.deliver(history, consumer="insurance-rebuild")
        assert (await entries(insurance), await insurance.outbox_size()) == (before_replay, published)


@pytest.mark.parametrize("new_year", NEW_YEARS)
async def test_a_claim_reported_in_january_for_a_december_incident_is_last_years_and_counts_in_its_kpis(
    migrated_database: Any, keys: Path, new_year: int
) -> None:
    last_year = new_year - 1
    clock = FixedClock(date(last_year, 12, 31))
    async with (
        bare_insurance(migrated_database, terms=(last_year,)) as insurance,
        serve(insurance, keys, clock) as app,
    ):
        person = uuid4()
        await insurance.deliver([approved({person: ["dibao"]}, decided_on=date(last_year, 10, 20))])
        admin = app.token("admin", "*", subject="admin-1")
        auditor = app.token("auditor", "*", subject="aud-1")
        # Next year's contract: a lower accident limit, reported within 24 hours, one document.
        accident = {
            "cover_type": "accident",
            "limit_fen": 3_000_000,
            "report_limit_hours": 24,
            "documents": ["claim_form"],
        }
        term = await app.client.post(
            "/v1/terms",
            json={"year": new_year, "insurer_id": str(DEMO_INSURER_ID), "covers": [accident]},
            headers=admin,
        )
        assert term.status_code == 201, term.text

        # On 31 December next year's figures are read on its first day, not refused as outside the term.
        ahead = await get(app, f"/v1/terms/{new_year}/reconciliation", auditor)
        assert (ahead["as_of"], ahead["counts"]) == (f"{new_year}-01-01", {"not_insured": 1})
        kpis_ahead = await get(app, f"/v1/terms/{new_year}/kpis", auditor)
        assert (kpis_ahead["as_of"], kpis_ahead["insured_persons"]) == (f"{new_year}-01-01", 0)
        built = await app.client.post(f"/v1/terms/{new_year}/roster", json={}, headers=admin)
        assert built.status_code == 200 and built.json()["added"] == 1
        assert (await get(app, f"/v1/terms/{new_year}/reconciliation", auditor))["counts"] == {}

        clock.set(date(new_year, 1, 1))
        for year, as_of in ((last_year, f"{last_year}-12-31"), (new_year, f"{new_year}-01-01")):
            figures = await get(app, f"/v1/terms/{year}/kpis", auditor)
            assert (figures["as_of"], figures["insured_persons"], figures["insured_on_as_of"]) == (
                as_of,
                1,
                1,
            )
            assert (await get(app, f"/v1/terms/{year}/reconciliation", auditor))["as_of"] == as_of

        clock.set(date(new_year, 1, 2))
        caseworker = app.token("caseworker", DISTRICT, subject="cw-1")
        claim = {
            "person_id": str(person),
            "cover_type": "accident",
            "incident_date": f"{last_year}-12-31",
            "claimed_fen": 4_000_000,  # within last year's ¥50,000 accident limit, above next year's ¥30,000
            "expenses": {
                "total_fen": 10_000_000,
                "basic_insurance_fen": 4_000_000,
                "medical_assistance_fen": 1_000_000,
                "out_of_list_fen": 0,
            },
        }
        reported = await app.client.post("/v1/claims", json=claim, headers=caseworker)
        assert reported.status_code == 201, reported.text
        last_entry = next(r for r in await entries(insurance) if r[2] == last_year)
        body = reported.json()
        assert (body["policy_year"], body["roster_entry_id"], body["reported_on"]) == (
            last_year,
            str(last_entry[0]),
            f"{new_year}-01-02",
        )
        assert body["documents_required"] == list(
            next(c for c in DEFAULT_COVERS if c.cover_type == "accident").documents
        )

        # The same claim a day later is next year's, under next year's rules; and nothing is reported ahead.
        for incident, cover_type, field, rule in (
            (f"{new_year}-01-01", "accident", "claimed_fen", "ABOVE_COVER_LIMIT"),
            (f"{new_year}-01-01", "serious_illness", "cover_type", "NOT_IN_POLICY"),
            (f"{new_year}-01-03", "accident", "incident_date", "FUTURE_DATE"),
        ):
            refused = await app.client.post(
                "/v1/claims",
                json={**claim, "incident_date": incident, "cover_type": cover_type},
                headers=caseworker,
            )
            assert refused.status_code == 422, refused.text
            assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [(field, rule)]

        # Last year's KPIs now: cover to 31 December, and the claim reported on 2 January counted, within
        # last year's 48 hours (next year's 24 would make it late).
        figures = await get(app, f"/v1/terms/{last_year}/kpis", auditor)
        assert (figures["as_of"], figures["claims_reported_by"], figures["claims"]) == (
            f"{last_year}-12-31",
            f"{new_year}-01-02",
            1,
        )
        [timeliness] = figures["timeliness"]
        assert (
            timeliness["limit_hours"],
            timeliness["within_limit"],
            timeliness["median_days_to_report"],
        ) == (48, 1, 2.0)
        on_the_day = await get(app, f"/v1/terms/{last_year}/kpis", auditor, as_of=f"{last_year}-12-31")
        assert (on_the_day["claims_reported_by"], on_the_day["claims"]) == (f"{last_year}-12-31", 0)
        assert (await get(app, f"/v1/terms/{new_year}/kpis", auditor))["claims"] == 0


async def test_the_seeded_terms_are_the_clocks_year_and_the_next(migrated_database: Any) -> None:
    today = SystemClock().today()
    async with bare_insurance(migrated_database, terms=()) as insurance:
        assert await seed_terms(insurance.new_uow(), clock=FixedClock(today)) == 2
        assert await seed_terms(insurance.new_uow(), clock=FixedClock(date(today.year + 1, 1, 1))) == 1
        assert await seed_terms(insurance.new_uow(), clock=FixedClock(date(today.year, 12, 31))) == 0
        async with insurance.connection() as connection:
            years = list(await connection.scalars(select(PolicyTerm.year).order_by(PolicyTerm.year)))
        assert years == [today.year, today.year + 1, today.year + 2]
