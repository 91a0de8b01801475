"""The statutory procedure over HTTP: steps in order, a decision that opens the case and announces it once,
separation of duties and the relatives rule (in the API and in the database), district scope, the case's life."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.eligibility import CaseApproved, CaseTerminated, TemporaryAidGranted
from tests.eligibility.conftest import Api
from tests.kit.eligibility import (
    APPROVE,
    DISTRICT,
    HEAD_ID,
    INVESTIGATION,
    apply,
    events,
    registered,
    steps,
)


async def test_an_approved_dibao_application_opens_the_case_and_publishes_one_case_approved(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    application_id = await apply(api, await registered(api), caseworker)
    investigated = await steps(api, application_id, INVESTIGATION, caseworker)
    assert investigated["state"] == "public_notice"
    early = await api.client.post(
        f"/v1/applications/{application_id}/steps",
        json={"kind": "approved", "on": "2026-10-28"},
        headers=api.token("reviewer", DISTRICT, subject="rv-1"),
    )
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "NOTICE_NOT_ENDED"
    by_caseworker = await api.client.post(
        f"/v1/applications/{application_id}/steps", json=APPROVE, headers=caseworker
    )
    assert by_caseworker.status_code == 403

    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1"))
    assert decided["state"] == "approved" and decided["decided_by"] == "rv-1" and decided["case_id"]

    approved = await events(eligibility_engine, "CaseApproved")
    assert len(approved) == 1
    event = approved[0]
    assert isinstance(event, CaseApproved)
    assert (
        str(event.case_id) == decided["case_id"]
        and event.start_month == "2026-11"
        and event.approved_by == "rv-1"
    )
    # ¥770 standard, ¥300 per capita: 2 × ¥470, plus ¥60 + ¥40 for the disabled 76-year-old and ¥100 for the student
    assert event.monthly_amount_fen == 2 * 47_000 + 10_000 + 10_000
    # The statutory deadline travels with the approval, for oversight's decision timeliness.
    [deadline] = [d for d in decided["deadlines"] if d["kind"] == "decision"]
    assert event.decision_due is not None and str(event.decision_due) == deadline["due_on"]
    assert event.decided_on <= event.decision_due
    assert sorted(b.insurance_categories[0] for b in event.beneficiaries) == ["dibao", "dibao"]
    assert HEAD_ID not in json.dumps(event.body())

    case = (await api.client.get(f"/v1/cases/{decided['case_id']}", headers=caseworker)).json()
    assert case["status"] == "active" and case["monthly_amount_fen"] == event.monthly_amount_fen
    assert case["next_review_due"] == "2027-10-29"  # nobody of working age: yearly review

    again = await api.client.post(
        f"/v1/applications/{application_id}/steps",
        json=APPROVE,
        headers=api.token("reviewer", DISTRICT, subject="rv-2"),
    )
    assert again.status_code == 409
    assert len(await events(eligibility_engine, "CaseApproved")) == 1


async def test_whoever_entered_or_investigated_a_case_cannot_approve_it(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    both = api.token("caseworker", DISTRICT, subject="cw-rv", also=("reviewer",))
    application_id = await apply(api, await registered(api), both)
    await steps(api, application_id, INVESTIGATION, both)
    refused = await api.client.post(f"/v1/applications/{application_id}/steps", json=APPROVE, headers=both)
    assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "SELF_APPROVAL"
    investigator = api.token("reviewer", DISTRICT, subject="inv-a")
    refused = await api.client.post(
        f"/v1/applications/{application_id}/steps", json=APPROVE, headers=investigator
    )
    assert refused.status_code == 403 and refused.json()["errors"][0]["rule"] == "SELF_APPROVAL"
    assert await events(eligibility_engine, "CaseApproved") == []

    # The database refuses it too, whatever code path tries.
    async with eligibility_engine.connect() as connection:
        with pytest.raises(IntegrityError, match="decider_neither_entered_nor_investigated"):
            await connection.execute(
                text("UPDATE applications SET decided_by = entered_by, decision = 'approved'")
            )
        await connection.rollback()
        with pytest.raises(IntegrityError, match="decider_neither_entered_nor_investigated"):
            await connection.execute(
                text("UPDATE applications SET decided_by = 'inv-b', decision = 'approved'")
            )


async def test_a_registered_relatives_case_needs_filing_and_a_district_visit_before_approval(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    reviewer = api.token("reviewer", DISTRICT, subject="rv-1")
    relative = {"id_number": HEAD_ID, "staff_id": "cadre-88", "relation": "parent", "district_code": DISTRICT}
    filed = await api.client.post("/v1/relatives", json=relative, headers=reviewer)
    assert filed.status_code == 201, filed.text
    assert HEAD_ID not in filed.text
    assert (await api.client.post("/v1/relatives", json=relative, headers=reviewer)).status_code == 409

    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    application_id = await apply(api, await registered(api), caseworker)
    assert (await api.client.get(f"/v1/applications/{application_id}", headers=caseworker)).json()[
        "relative_flagged"
    ]
    await steps(api, application_id, INVESTIGATION, caseworker)
    unfiled = await api.client.post(
        f"/v1/applications/{application_id}/steps", json=APPROVE, headers=reviewer
    )
    assert unfiled.status_code == 409
    assert unfiled.json()["errors"][0]["rule"] in {"RELATIVE_NOT_FILED", "RELATIVE_NEEDS_DISTRICT_VISIT"}
    async with eligibility_engine.connect() as connection:
        with pytest.raises(IntegrityError, match="relative_case_filed_and_visited"):
            await connection.execute(
                text("UPDATE applications SET decided_by = 'rv-9', decision = 'approved'")
            )

    district_visit = {
        "kind": "home_visited",
        "on": "2026-10-22",
        "details": {"investigators": ["dv-1", "dv-2"], "district_level": True},
    }
    await steps(
        api, application_id, [{"kind": "relative_filed", "on": "2026-10-22"}, district_visit], reviewer
    )
    decided = await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-2"))
    assert decided["state"] == "approved"
    assert len(await events(eligibility_engine, "CaseApproved")) == 1


async def test_steps_out_of_order_in_the_future_or_with_one_investigator_are_refused(api: Api) -> None:
    caseworker = api.token("caseworker", DISTRICT)
    application_id = await apply(api, await registered(api), caseworker)
    url = f"/v1/applications/{application_id}/steps"
    out_of_order = await api.client.post(
        url, json={"kind": "notice_posted", "on": "2026-10-12"}, headers=caseworker
    )
    assert out_of_order.status_code == 409 and out_of_order.json()["errors"][0]["rule"] == "OUT_OF_ORDER"
    future = await api.client.post(url, json={"kind": "accepted", "on": "2099-01-01"}, headers=caseworker)
    assert future.status_code == 422 and future.json()["errors"][0] == {
        "field": "on",
        "rule": "FUTURE_DATE",
        "message": future.json()["errors"][0]["message"],
    }
    await steps(api, application_id, [{"kind": "accepted", "on": "2026-10-12"}], caseworker)
    alone = await api.client.post(
        url,
        json={"kind": "home_visited", "on": "2026-10-13", "details": {"investigators": ["inv-a"]}},
        headers=caseworker,
    )
    assert alone.status_code == 422 and alone.json()["errors"][0]["rule"] == "TOO_FEW_INVESTIGATORS"
    unknown = await api.client.post(url, json={"kind": "bribed", "on": "2026-10-13"}, headers=caseworker)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "kind"


async def test_help_first_pays_an_emergency_at_once_within_the_township_limit(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    temporary = {"kind": "emergency", "household_class": "B", "persons": 2, "cause": "fire"}
    application_id = await apply(
        api, await registered(api), caseworker, program="temporary", emergency=True, temporary=temporary
    )
    url = f"/v1/applications/{application_id}/steps"
    over = await api.client.post(
        url,
        json={"kind": "help_first_paid", "on": "2026-10-12", "details": {"amount_fen": 300_001}},
        headers=caseworker,
    )
    assert over.status_code == 422 and over.json()["errors"][0]["rule"] == "OVER_HELP_FIRST_LIMIT"
    await steps(
        api,
        application_id,
        [{"kind": "help_first_paid", "on": "2026-10-12", "details": {"amount_fen": 250_000}}],
        caseworker,
    )
    grants = await events(eligibility_engine, "TemporaryAidGranted")
    assert len(grants) == 1 and isinstance(grants[0], TemporaryAidGranted)
    assert grants[0].help_first and grants[0].amount_fen == 250_000 and grants[0].household_class == "B"
    assert grants[0].applied_on == date(2026, 10, 12)  # the day help was asked for, for the response time
    overdue = (
        await api.client.get(
            "/v1/applications/overdue", params={"district_code": DISTRICT}, headers=caseworker
        )
    ).json()
    assert [(o["application_id"], [d["kind"] for d in o["overdue"]]) for o in overdue] == [
        (application_id, ["help_first_paperwork"])
    ]


async def test_another_districts_staff_cannot_see_or_move_applications_or_cases(api: Api) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    application_id = await apply(api, await registered(api), caseworker)
    await steps(api, application_id, INVESTIGATION, caseworker)
    case_id = (await steps(api, application_id, [APPROVE], api.token("reviewer", DISTRICT, subject="rv-1")))[
        "case_id"
    ]

    other_caseworker = api.token("caseworker", "500101", subject="cw-x")
    other_reviewer = api.token("reviewer", "500101", subject="rv-x")
    assert (
        await api.client.get(f"/v1/applications/{application_id}", headers=other_caseworker)
    ).status_code == 404
    assert (
        await api.client.post(
            f"/v1/applications/{application_id}/steps",
            json={"kind": "refusal_notified", "on": "2026-10-30"},
            headers=other_reviewer,
        )
    ).status_code == 404
    assert (await api.client.get("/v1/applications", headers=other_caseworker)).json()["total"] == 0
    assert (
        await api.client.get("/v1/applications", params={"district_code": DISTRICT}, headers=other_caseworker)
    ).status_code == 403
    assert (
        await api.client.get(
            "/v1/applications/overdue", params={"district_code": DISTRICT}, headers=other_caseworker
        )
    ).status_code == 403
    assert (await api.client.get(f"/v1/cases/{case_id}", headers=other_caseworker)).status_code == 404
    termination = {"reason": "income", "on": "2026-11-15"}
    assert (
        await api.client.post(f"/v1/cases/{case_id}/termination", json=termination, headers=other_reviewer)
    ).status_code == 404
    assert (
        await api.client.post(
            f"/v1/cases/{case_id}/suspension",
            json={"reason_code": "other", "on": "2026-11-15"},
            headers=other_reviewer,
        )
    ).status_code == 404
    assert (await api.client.get("/v1/relatives", headers=other_reviewer)).json() == []
    assert (
        await api.client.post(
            "/v1/applications",
            json={
                "household_id": (
                    await api.client.get(f"/v1/applications/{application_id}", headers=caseworker)
                ).json()["household_id"],
                "program": "dibao",
                "applied_on": "2026-10-12",
            },
            headers=other_caseworker,
        )
    ).status_code == 404


async def test_a_terminated_case_stops_from_the_next_month_and_frees_its_beneficiaries(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    reviewer = api.token("reviewer", DISTRICT, subject="rv-1")
    application_id = await apply(api, await registered(api), caseworker)
    await steps(api, application_id, INVESTIGATION, caseworker)
    case_id = (await steps(api, application_id, [APPROVE], reviewer))["case_id"]
    ended = await api.client.post(
        f"/v1/cases/{case_id}/termination", json={"reason": "death", "on": "2026-11-15"}, headers=reviewer
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "terminated" and ended.json()["ended_from"] == "2026-12-01"
    assert not any(b["active"] for b in ended.json()["beneficiaries"])
    terminated = await events(eligibility_engine, "CaseTerminated")
    assert len(terminated) == 1 and isinstance(terminated[0], CaseTerminated)
    assert terminated[0].effective_month == "2026-12" and len(terminated[0].person_ids) == 2
    assert (
        await api.client.post(
            f"/v1/cases/{case_id}/termination", json={"reason": "death", "on": "2026-11-15"}, headers=reviewer
        )
    ).status_code == 409
    assert len(await events(eligibility_engine, "CaseTerminated")) == 1  # the refused second one added none


async def test_a_second_grant_for_the_same_cause_within_a_year_is_refused(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    household_id = await registered(api)

    async def help_first(cause: str, on: str) -> Any:
        temporary = {"kind": "emergency", "household_class": "B", "persons": 2, "cause": cause}
        application_id = await apply(
            api,
            household_id,
            caseworker,
            program="temporary",
            emergency=True,
            temporary=temporary,
            applied_on=on,
        )
        paid = {"kind": "help_first_paid", "on": on, "details": {"amount_fen": 200_000}}
        return await api.client.post(
            f"/v1/applications/{application_id}/steps", json=paid, headers=caseworker
        )

    assert (await help_first("fire", "2026-03-02")).status_code == 200
    repeated = await help_first("fire", "2026-09-15")
    assert repeated.status_code == 409
    assert {e["rule"] for e in repeated.json()["errors"]} == {"REPEAT_GRANT_SAME_CAUSE"}
    assert (await help_first("sudden illness", "2026-09-15")).status_code == 200
    assert len(await events(eligibility_engine, "TemporaryAidGranted")) == 2

    no_cause = {
        "household_id": household_id,
        "program": "temporary",
        "applied_on": "2026-10-01",
        "temporary": {"kind": "expenditure", "household_class": "C", "persons": 2},
    }
    refused = await api.client.post("/v1/applications", json=no_cause, headers=caseworker)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "temporary"
    too_many = {
        **no_cause,
        "temporary": {"kind": "expenditure", "household_class": "C", "persons": 5, "cause": "school"},
    }
    refused = await api.client.post("/v1/applications", json=too_many, headers=caseworker)
    assert refused.status_code == 422 and refused.json()["errors"][0]["rule"] == "at_most_members"
