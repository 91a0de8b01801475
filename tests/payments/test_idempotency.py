"""Idempotency keys on money-moving requests: a repeat replays the first answer (errors included), a
changed request under the same key is refused, a missing key is refused, keys belong to their sender."""

from __future__ import annotations

from tests.kit.eligibility import DISTRICT
from tests.kit.payments import approve, delivered
from tests.payments.conftest import Pair, prepared

NOVEMBER = {"district_code": DISTRICT, "month": "2026-11"}


async def test_a_repeated_key_replays_the_first_answer_and_a_changed_request_is_refused(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    finance = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    keyed = {**finance, "Idempotency-Key": "run-2026-11-attempt-1"}

    first = await pair.payments.post("/v1/runs", json=NOVEMBER, headers=keyed)
    again = await pair.payments.post("/v1/runs", json=NOVEMBER, headers=keyed)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers

    changed = await pair.payments.post("/v1/runs", json={**NOVEMBER, "month": "2026-12"}, headers=keyed)
    assert changed.status_code == 422
    assert changed.json()["errors"] == [
        {
            "field": "Idempotency-Key",
            "rule": "idempotency_key_reused",
            "message": "use a new key for a new request",
        }
    ]
    missing = await pair.payments.post("/v1/runs", json=NOVEMBER, headers=finance)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "Idempotency-Key"
    too_short = await pair.payments.post(
        "/v1/runs", json=NOVEMBER, headers={**finance, "Idempotency-Key": "x"}
    )
    assert too_short.status_code == 422

    # Keys belong to whoever sent them: another officer's identical key is another key.
    other = {
        **pair.eligibility.token("finance_officer", DISTRICT, subject="fin-2"),
        "Idempotency-Key": "run-2026-11-attempt-1",
    }
    december = await pair.payments.post("/v1/runs", json={**NOVEMBER, "month": "2026-12"}, headers=other)
    assert december.status_code == 202 and december.json()["month"] == "2026-12"


async def test_a_refusal_is_replayed_too(pair: Pair) -> None:
    _, case_id = await approve(pair)
    await delivered(pair, "/v1/entitlements", {"case_id": case_id}, lambda rows: len(rows) == 2)
    preparer = pair.eligibility.token("finance_officer", DISTRICT, subject="fin-1")
    run = await prepared(pair, "2026-11", preparer)
    release = {**preparer, "Idempotency-Key": "release-0001"}
    refused = await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=release)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    replayed = await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=release)
    assert replayed.status_code == 403 and replayed.json() == refused.json()
    assert replayed.headers["idempotent-replayed"] == "true"
    checker = {
        **pair.eligibility.token("finance_officer", DISTRICT, subject="fin-2"),
        "Idempotency-Key": "release-0002",
    }
    released = await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=checker)
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert (
        await pair.payments.post(f"/v1/runs/{run['id']}/release", headers=checker)
    ).json() == released.json()
