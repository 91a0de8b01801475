"""Over HTTP, with eligibility on the same in-process bus: the roster an approval yields, claims refused outside
cover or twice, the claim lifecycle on the insurer feed, and who may see and decide what."""

from __future__ import annotations

import csv
import io
import json
from uuid import uuid4

from sqlalchemy import func, select, text

from services.insurance.models import Claim
from services.insurance.service.terms import DEMO_INSURER_ID
from shared.messaging.tables import outbox
from tests.insurance.conftest import Pair
from tests.kit.eligibility import (
    DISTRICT,
    GRANDCHILD_ID,
    HEAD_ID,
)
from tests.kit.insurance import ACCIDENT, approve_household_with_an_orphan, roster_of


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    """A decision's headers with an `Idempotency-Key`: a fresh one unless the test repeats one."""
    return {**headers, "Idempotency-Key": key or str(uuid4())}


async def counts(pair: Pair) -> tuple[int, int]:
    async with pair.insurance_db.connect() as connection:
        return (
            int(await connection.scalar(select(func.count()).select_from(Claim)) or 0),
            int(await connection.scalar(select(func.count()).select_from(outbox)) or 0),
        )


async def test_a_claim_outside_cover_or_twice_is_refused_and_one_inside_goes_to_settlement(
    pair: Pair,
) -> None:
    case_id, persons = await approve_household_with_an_orphan(pair)
    entries = await roster_of(pair, lambda rows: len(rows) == 2)
    assert {(e["cover_from"], e["cover_until"]) for e in entries} == {("2026-10-01", None)}
    assert sorted(tuple(e["categories"]) for e in entries) == [("dibao",), ("dibao", "orphan")]
    assert sorted(e["person_id"] for e in entries) == sorted(persons)
    assert HEAD_ID not in json.dumps(entries) and GRANDCHILD_ID not in json.dumps(entries)

    ended = await pair.eligibility.client.post(
        f"/v1/cases/{case_id}/termination",
        json={"reason": "income", "on": "2026-10-30"},
        headers=pair.eligibility.token("reviewer", DISTRICT, subject="rv-1"),
    )
    assert ended.status_code == 200, ended.text
    entries = await roster_of(pair, lambda rows: {e["cover_until"] for e in rows} == {"2026-10-31"})
    changes = await pair.insurance.get(
        "/v1/terms/2026/roster/changes/2026-11", headers=pair.token("reviewer", DISTRICT, subject="rv-1")
    )
    assert (len(changes.json()["added"]), len(changes.json()["removed"])) == (0, 2)
    exported = await pair.insurance.get(
        "/v1/terms/2026/roster/changes/2026-11",
        params={"format": "csv", "district_code": DISTRICT},
        headers=pair.token("reviewer", DISTRICT, subject="rv-1"),
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert f'filename="roster-2026-2026-11-{DISTRICT}.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted((row["change"], row["person_id"], row["cover_until"]) for row in rows) == sorted(
        ("removed", person, "2026-10-31") for person in persons
    )
    assert HEAD_ID not in exported.text and GRANDCHILD_ID not in exported.text

    caseworker = pair.token("caseworker", DISTRICT, subject="cw-1")
    claim = {"person_id": persons[0], "cover_type": "accident", "claimed_fen": 100_000, "expenses": ACCIDENT}
    before = await counts(pair)
    for incident, rule in (("2026-09-15", "COVER_NOT_STARTED"), ("2026-11-10", "COVER_ENDED")):
        refused = await pair.insurance.post(
            "/v1/claims", json={**claim, "incident_date": incident}, headers=caseworker
        )
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [("incident_date", rule)]
    assert await counts(pair) == before

    reported = await pair.insurance.post(
        "/v1/claims", json={**claim, "incident_date": "2026-10-15"}, headers=caseworker
    )
    assert reported.status_code == 201, reported.text
    body = reported.json()
    assert (body["status"], body["channel"], body["documents_missing"][0]) == (
        "reported",
        "caseworker",
        "claim_form",
    )
    after_first = await counts(pair)
    twice = await pair.insurance.post(
        "/v1/claims", json={**claim, "incident_date": "2026-10-15"}, headers=caseworker
    )
    assert twice.status_code == 409 and twice.json()["errors"][0]["rule"] == "DUPLICATE_CLAIM"
    assert await counts(pair) == after_first

    claim_id, insurer = body["id"], pair.token.insurer()
    early = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 1}, headers=keyed(insurer)
    )
    assert early.status_code == 409 and early.json()["errors"][0]["rule"] == "CLAIM_LIFECYCLE"
    documents = await pair.insurance.post(
        f"/v1/claims/{claim_id}/documents", json={"received": body["documents_missing"]}, headers=insurer
    )
    assert documents.json()["status"] == "documents_complete"
    assert (
        await pair.insurance.post(
            f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 90_000}, headers=keyed(caseworker)
        )
    ).status_code == 403
    malformed = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 90_000}, headers=keyed(insurer, "short")
    )
    assert malformed.status_code == 422 and malformed.json()["errors"][0]["field"] == "Idempotency-Key"
    too_much = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 100_001}, headers=keyed(insurer)
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "assessed_fen"
    unkeyed = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 90_000}, headers=insurer
    )
    assert unkeyed.status_code == 422 and unkeyed.json()["errors"][0]["field"] == "Idempotency-Key"
    assessed = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 90_000}, headers=keyed(insurer)
    )
    assert assessed.status_code == 200 and assessed.json()["status"] == "assessed"
    again = await pair.insurance.post(
        f"/v1/claims/{claim_id}/assessment", json={"assessed_fen": 90_000}, headers=keyed(insurer)
    )
    assert again.status_code == 409  # a new key is a new request: a second assessment is out of order
    # The insurer's client times out and sends the settlement again with the same key: settled once,
    # answered the same; the key reused for another amount is refused and changes nothing.
    once = keyed(insurer)
    settled = await pair.insurance.post(
        f"/v1/claims/{claim_id}/settlement", json={"paid_fen": 90_000}, headers=once
    )
    assert settled.json()["status"] == "settled" and settled.json()["paid_fen"] == 90_000
    after_settling = await counts(pair)
    repeated = await pair.insurance.post(
        f"/v1/claims/{claim_id}/settlement", json={"paid_fen": 90_000}, headers=once
    )
    assert (repeated.status_code, repeated.json()) == (200, settled.json())
    assert repeated.headers["idempotent-replayed"] == "true"
    changed = await pair.insurance.post(
        f"/v1/claims/{claim_id}/settlement", json={"paid_fen": 80_000}, headers=once
    )
    assert changed.status_code == 422 and changed.json()["errors"][0]["rule"] == "idempotency_key_reused"
    new_key = await pair.insurance.post(
        f"/v1/claims/{claim_id}/settlement", json={"paid_fen": 90_000}, headers=keyed(insurer)
    )
    assert new_key.status_code == 409  # a new key is a new request: the claim is settled already
    assert await counts(pair) == after_settling

    async with pair.insurance_db.connect() as connection:
        feed = (
            await connection.execute(
                select(outbox.c.topic, outbox.c.type, outbox.c.payload).order_by(outbox.c.seq)
            )
        ).all()
        audited = [
            row[0]
            for row in await connection.execute(
                text("SELECT action FROM audit_log WHERE subject_type = 'claim' ORDER BY seq")
            )
        ]
    assert [t for topic, t, _ in feed if topic == "insurance.claim.v1"] == [
        "ClaimReported",
        "ClaimAssessed",
        "ClaimSettled",
    ]
    assert sorted(t for topic, t, _ in feed if topic == "insurance.enrollment.v1") == [
        "InsuredEnrolled",
        "InsuredEnrolled",
        "InsuredRemoved",
        "InsuredRemoved",
    ]
    wire = json.dumps([payload for *_, payload in feed], ensure_ascii=False)
    assert HEAD_ID not in wire and "张" not in wire
    assert audited == ["claim.assessed", "claim.settled"]


async def test_each_caller_sees_and_decides_only_what_is_theirs(pair: Pair) -> None:
    _, persons = await approve_household_with_an_orphan(pair)
    await roster_of(pair, lambda rows: len(rows) == 2)
    elsewhere = pair.token("caseworker", "500101", subject="cw-9")
    assert (await pair.insurance.get("/v1/terms/2026/roster", headers=elsewhere)).json()["entries"] == []
    assert (
        await pair.insurance.get(
            "/v1/terms/2026/roster", params={"district_code": DISTRICT}, headers=elsewhere
        )
    ).status_code == 403
    claim = {
        "person_id": persons[1],
        "cover_type": "serious_illness",
        "incident_date": "2026-10-20",
        "claimed_fen": 10_000,
    }
    claim["expenses"] = ACCIDENT
    not_theirs = await pair.insurance.post("/v1/claims", json=claim, headers=elsewhere)
    assert not_theirs.status_code == 422 and not_theirs.json()["errors"][0] == {
        "field": "person_id",
        "rule": "NOT_INSURED",
        "message": not_theirs.json()["errors"][0]["message"],
    }
    extra = await pair.insurance.post(
        "/v1/claims", json={**claim, "diagnosis": "x"}, headers=pair.token("caseworker", DISTRICT)
    )
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "diagnosis"

    insurer = pair.token.insurer()
    reported = await pair.insurance.post("/v1/claims", json=claim, headers=insurer)
    assert reported.status_code == 201 and reported.json()["channel"] == "insurer"
    claim_id = reported.json()["id"]
    other_insurer = pair.token.insurer("0d4c6a1e-0000-4000-8000-000000000001", subject="ins-9")
    assert (await pair.insurance.get("/v1/terms/2026/roster", headers=other_insurer)).json()["entries"] == []
    assert (await pair.insurance.get(f"/v1/claims/{claim_id}", headers=other_insurer)).status_code == 404
    assert (await pair.insurance.get("/v1/terms/2026/kpis", headers=other_insurer)).status_code == 404
    assert len((await pair.insurance.get("/v1/terms/2026/roster", headers=insurer)).json()["entries"]) == 2
    assert [t["insurer_id"] for t in (await pair.insurance.get("/v1/terms", headers=insurer)).json()] == [
        str(DEMO_INSURER_ID)
    ] * 2

    personal = await pair.insurance.post(
        f"/v1/claims/{claim_id}/rejection",
        json={"reason_code": "not_covered", "reason": f"patient {HEAD_ID} is not covered"},
        headers=keyed(insurer),
    )
    assert personal.status_code == 422 and personal.json()["errors"][0]["rule"] == "NO_PERSONAL_DATA"
    rejected = await pair.insurance.post(
        f"/v1/claims/{claim_id}/rejection",
        json={"reason_code": "not_covered", "reason": "Treatment within the medical-insurance list only."},
        headers=keyed(insurer),
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_code"] == "not_covered"
    again = await pair.insurance.post(
        f"/v1/claims/{claim_id}/settlement", json={"paid_fen": 1}, headers=keyed(insurer)
    )
    assert again.status_code == 409
    auditor = pair.token("auditor", "*", subject="aud-1")
    trail = await pair.insurance.get("/v1/operations/audit", params={"subject_id": claim_id}, headers=auditor)
    assert [r["action"] for r in trail.json()] == ["claim.rejected"]
    assert (await pair.insurance.get("/v1/terms/2026/reconciliation", headers=auditor)).json()["counts"] == {}
    assert (await pair.insurance.post("/v1/terms/2027/roster", json={}, headers=elsewhere)).status_code == 403
    figures = await pair.insurance.get("/v1/terms/2026/kpis", headers=pair.token("reviewer", DISTRICT))
    assert figures.status_code == 200, figures.text
    assert (figures.json()["claims"], figures.json()["rejected"], figures.json()["insured_on_as_of"]) == (
        1,
        1,
        2,
    )
    assert (await pair.insurance.get("/v1/terms/2026/kpis", headers=elsewhere)).status_code == 403


async def test_an_admin_defines_an_insurer_and_a_term_and_bad_terms_change_nothing(pair: Pair) -> None:
    admin = pair.token("admin", subject="admin-1")
    insurer = await pair.insurance.post("/v1/insurers", json={"name": "渝州人寿"}, headers=admin)
    assert insurer.status_code == 201, insurer.text
    insurer_id = insurer.json()["id"]
    again = await pair.insurance.post("/v1/insurers", json={"name": "渝州人寿"}, headers=admin)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"

    accident_only = [
        {
            "cover_type": "accident",
            "limit_fen": 3_000_000,
            "report_limit_hours": 24,
            "documents": ["claim_form"],
        }
    ]
    refusals = [
        ({"year": 2028, "insurer_id": str(DEMO_INSURER_ID), "premium_fen": -1}, 422, "premium_fen"),
        ({"year": 2028, "insurer_id": "6f1c2a3b-0000-4000-8000-000000000000"}, 422, "insurer_id"),
        ({"year": 2028, "insurer_id": insurer_id, "covers": accident_only * 2}, 422, "covers"),
        (
            {"year": 2028, "insurer_id": insurer_id, "covers": [{**accident_only[0], "cover_type": "flood"}]},
            422,
            "covers",
        ),
        ({"year": 2026, "insurer_id": insurer_id}, 409, "year"),
    ]
    for body, status, field in refusals:
        refused = await pair.insurance.post("/v1/terms", json=body, headers=admin)
        assert refused.status_code == status, refused.text
        assert field in refused.json()["errors"][0]["field"]
    assert (await pair.insurance.get("/v1/terms/2028", headers=admin)).status_code == 404
    assert (
        await pair.insurance.post(
            "/v1/terms",
            json={"year": 2028, "insurer_id": insurer_id},
            headers=pair.token("reviewer", DISTRICT),
        )
    ).status_code == 403

    term = await pair.insurance.post(
        "/v1/terms",
        json={"year": 2028, "insurer_id": insurer_id, "premium_fen": 15_000, "covers": accident_only},
        headers=admin,
    )
    assert term.status_code == 201, term.text
    assert (term.json()["starts_on"], term.json()["ends_on"], term.json()["premium_fen"]) == (
        "2028-01-01",
        "2028-12-31",
        15_000,
    )
    assert [(c["cover_type"], c["limit_fen"], c["report_limit_hours"]) for c in term.json()["covers"]] == [
        ("accident", 3_000_000, 24)
    ]
    # Each insurer sees its own terms only.
    own = await pair.insurance.get("/v1/terms", headers=pair.token.insurer(insurer_id, subject="ins-9"))
    assert [t["year"] for t in own.json()] == [2028]
    assert (await pair.insurance.get("/v1/terms/2028", headers=pair.token.insurer())).status_code == 404


async def test_a_student_of_an_insured_household_gets_the_school_entry_grant_once(pair: Pair) -> None:
    _, persons = await approve_household_with_an_orphan(pair)
    await roster_of(pair, lambda rows: len(rows) == 2, persons=persons)
    caseworker = pair.token("caseworker", DISTRICT, subject="cw-1")
    grant = {
        "person_id": persons[1],
        "cover_type": "school_entry_grant",
        "claimed_fen": 500_000,
        "incident_date": "2026-10-20",
        "documents_received": ["claim_form", "admission_letter", "household_insured_proof"],
    }
    first = await pair.insurance.post("/v1/claims", json=grant, headers=caseworker)
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["documents_missing"]) == ("documents_complete", [])
    before = await counts(pair)
    # A second admission (another date) is still the one grant: refused, nothing written.
    second = await pair.insurance.post(
        "/v1/claims", json={**grant, "incident_date": "2026-11-02"}, headers=caseworker
    )
    assert second.status_code == 409
    assert [(e["field"], e["rule"]) for e in second.json()["errors"]] == [("cover_type", "ONCE_PER_PERSON")]
    assert await counts(pair) == before
    too_much = await pair.insurance.post(
        "/v1/claims", json={**grant, "person_id": persons[0], "claimed_fen": 500_001}, headers=caseworker
    )
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "claimed_fen"
