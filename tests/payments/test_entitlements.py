"""Through events alone: an approval opens entitlements in payments; changes, ends and grants follow; a
replay of the eligibility topic changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select, text, update

from services.payments.models import Entitlement, EntitlementAmount, OneOffPayment
from shared.messaging.tables import outbox
from tests.kit import wait_for
from tests.kit.eligibility import DISTRICT, apply, household
from tests.kit.payments import approve, delivered
from tests.payments.conftest import Pair, prepared


async def test_an_approved_case_opens_one_entitlement_per_beneficiary(pair: Pair) -> None:
    _, case_id = await approve(pair)
    found = await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    assert len(found) == 2
    assert {e["benefit"] for e in found} == {"dibao"} and {e["start_month"] for e in found} == {"2026-11-01"}
    assert sorted(e["amounts"][0]["total_fen"] for e in found) == [57_000, 57_000]
    other_district = pair.eligibility.token("finance_officer", "500101", subject="fin-2")
    assert (
        await pair.payments.get("/v1/entitlements", params={"case_id": case_id}, headers=other_district)
    ).json() == []
    caseworker = pair.eligibility.token("caseworker", DISTRICT)
    assert (await pair.payments.get("/v1/entitlements", headers=caseworker)).status_code == 403


async def test_a_review_a_termination_and_a_grant_reach_payments(pair: Pair) -> None:
    household_id, case_id = await approve(pair)
    api = pair.eligibility
    caseworker = api.token("caseworker", DISTRICT, subject="cw-1")
    change = household(monthly_income_fen=90_000, version=1, reason="pension increase reported")
    assert (
        await api.client.put(f"/v1/households/{household_id}", json=change, headers=caseworker)
    ).status_code == 200
    reviewed = await api.client.post(
        f"/v1/cases/{case_id}/reviews", json={"on": "2026-11-20"}, headers=caseworker
    )
    assert reviewed.status_code == 200
    ended = await api.client.post(
        f"/v1/cases/{case_id}/termination",
        json={"reason": "moved", "on": "2026-11-25"},
        headers=api.token("reviewer", DISTRICT, subject="rv-1"),
    )
    assert ended.status_code == 200, ended.text

    found = await delivered(
        pair,
        "/v1/entitlements",
        {"case_id": case_id},
        lambda rows: {e["end_month"] for e in rows} == {"2026-12-01"},
    )
    amounts = sorted((a["from_month"], a["total_fen"]) for e in found for a in e["amounts"])
    assert amounts == [
        ("2026-11-01", 57_000),
        ("2026-11-01", 57_000),
        ("2026-12-01", 42_000),
        ("2026-12-01", 42_000),
    ]

    temporary = {"kind": "emergency", "household_class": "B", "persons": 2, "cause": "fire"}
    application_id = await apply(
        api, household_id, caseworker, program="temporary", emergency=True, temporary=temporary
    )
    paid = {"kind": "help_first_paid", "on": "2026-10-12", "details": {"amount_fen": 250_000}}
    assert (
        await api.client.post(f"/v1/applications/{application_id}/steps", json=paid, headers=caseworker)
    ).status_code == 200
    grants = await delivered(
        pair, "/v1/one-off-payments", {"household_id": household_id}, lambda rows: bool(rows)
    )
    assert [(g["amount_fen"], g["help_first"], g["payment_status"]) for g in grants] == [
        (250_000, True, None)
    ]
    finance = api.token("finance_officer", DISTRICT, subject="fin-1")
    november = await prepared(pair, "2026-11", finance)
    assert november["by_status"]["due"]["total_fen"] == 2 * 57_000 + 250_000  # the grant goes in the next run
    december = await prepared(pair, "2026-12", finance)
    assert december["by_status"] == {}  # the case ended with November, and the grant is paid only once
    grants = (await pair.payments.get("/v1/one-off-payments", headers=finance)).json()
    assert [g["payment_status"] for g in grants] == ["due"]


async def test_replaying_every_eligibility_event_changes_nothing_in_payments(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)

    async def snapshot() -> tuple[int, int, int, int]:
        async with pair.payments_db.connect() as connection:
            return (
                int(await connection.scalar(select(func.count()).select_from(Entitlement)) or 0),
                int(await connection.scalar(select(func.count()).select_from(EntitlementAmount)) or 0),
                int(await connection.scalar(select(func.count()).select_from(OneOffPayment)) or 0),
                int(await connection.scalar(text("SELECT count(*) FROM inbox")) or 0),
            )

    before = await snapshot()
    assert before[0] == 2
    runtime = pair.eligibility_runtime
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(outbox).values(sent_at=None))  # as if the relay crashed before marking

    async def redelivered() -> bool:
        async with runtime.sessions() as session:
            return (
                await session.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
                )
                == 0
            )

    await wait_for(redelivered, within=30)
    assert await snapshot() == before
