"""When support ends: payments not yet sent are cancelled, payments already credited become overpayments
to recover, and recovering or waiving them keeps the books balanced."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, text

from services.payments.models import Payment
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import ALLOCATED, Finance, account, delivered, events, returns
from tests.payments.conftest import Pair, prepared


async def paid_month(finance: Finance, month: str) -> None:
    run = await finance.released_run(month)
    sent, lines = await finance.send(run["id"])
    result = await finance.post(
        f"/v1/bank-files/{sent['id']}/returns",
        content=returns(sent["id"], [(line[2], "PAID", "") for line in lines], day=f"{month}-08"),
    )
    assert result.json()["paid_count"] == len(lines)


async def terminate(pair: Pair, case_id: str) -> None:
    """The head died on 15 November: the case ends from December."""
    reviewer = pair.eligibility.token("reviewer", DISTRICT, subject="rv-1")
    ended = await pair.eligibility.client.post(
        f"/v1/cases/{case_id}/termination", json={"reason": "death", "on": "2026-11-15"}, headers=reviewer
    )
    assert ended.status_code == 200, ended.text
    await delivered(
        pair,
        "/v1/entitlements",
        {"case_id": case_id},
        lambda rows: {e["end_month"] for e in rows} == {"2026-12-01"},
    )


async def test_credited_payments_after_a_death_are_recovered_or_waived(pair: Pair) -> None:
    finance = Finance(pair)
    _, case_id = await finance.funded_case()
    await paid_month(finance, "2026-11")
    await paid_month(finance, "2026-12")
    await terminate(pair, case_id)

    overpaid: list[dict[str, Any]] = (
        await pair.payments.get("/v1/overpayments", params={"case_id": case_id}, headers=finance.preparer)
    ).json()
    assert (
        sorted((o["month"], o["amount_fen"], o["reason"], o["status"]) for o in overpaid)
        == [("2026-12-01", 57_000, "death", "to_recover")] * 2
    )
    raised = await events(pair, "OverpaymentRaised")
    assert sorted((p["month"], p["amount_fen"]) for p in raised) == [("2026-12", 57_000)] * 2
    books = await finance.books()
    assert (books["recoveries_receivable"], books["benefits_paid"]) == (114_000, 4 * 57_000 - 114_000)

    recovered, waived = overpaid
    settle = "/v1/overpayments/{}/settlement"
    done = await finance.post(
        settle.format(recovered["id"]),
        json={"outcome": "recovered", "settled_on": "2026-12-20", "note": "receipt 2026-0031"},
    )
    assert done.status_code == 200 and done.json()["status"] == "recovered", done.text
    await finance.post(
        settle.format(waived["id"]),
        json={"outcome": "waived", "settled_on": "2026-12-20", "note": "no estate"},
    )
    twice = await finance.post(
        settle.format(recovered["id"]),
        json={"outcome": "waived", "settled_on": "2026-12-21", "note": "again"},
    )
    assert twice.status_code == 409
    books = await finance.books()
    assert (books["recoveries_receivable"], books["fund_cash"], books["benefits_paid"]) == (
        0,
        ALLOCATED - 4 * 57_000 + 57_000,
        3 * 57_000,
    )
    january = await prepared(pair, "2027-01", finance.preparer)
    assert january["payment_count"] == 0  # nothing is due after the end


async def test_payments_not_yet_sent_when_support_ends_are_cancelled_not_recovered(pair: Pair) -> None:
    finance = Finance(pair)
    _, case_id = await finance.funded_case()
    await paid_month(finance, "2026-11")
    december = await finance.released_run("2026-12")
    await terminate(pair, case_id)

    async with pair.payments_db.connect() as connection:
        statuses = (
            await connection.execute(
                select(Payment.month, Payment.status).order_by(Payment.month, Payment.status)
            )
        ).all()
        assert await connection.scalar(text("SELECT count(*) FROM overpayments")) == 0
    assert statuses == [(date(2026, 11, 1), "paid")] * 2 + [(date(2026, 12, 1), "cancelled")] * 2
    nothing = await finance.post(f"/v1/runs/{december['id']}/bank-files")
    assert nothing.status_code == 409
    run = (await pair.payments.get(f"/v1/runs/{december['id']}", headers=finance.preparer)).json()
    assert (run["payment_count"], run["by_status"]["cancelled"]) == (0, {"count": 2, "total_fen": 114_000})
    await finance.books()


async def test_a_refused_credit_for_a_month_after_the_end_is_never_paid_again(pair: Pair) -> None:
    finance = Finance(pair)
    _, case_id = await finance.funded_case()
    await paid_month(finance, "2026-11")
    december = await finance.released_run("2026-12")
    sent, lines = await finance.send(december["id"])
    await terminate(pair, case_id)  # from December: the money is already at the bank

    # The bank refuses one credit and makes the other; the credit made becomes an overpayment.
    await finance.post(
        f"/v1/bank-files/{sent['id']}/returns",
        content=returns(sent["id"], [(lines[0][2], "FAILED", "ACCOUNT_CLOSED"), (lines[1][2], "PAID", "")]),
    )
    [failed] = (
        await pair.payments.get("/v1/payments", params={"status": "failed"}, headers=finance.preparer)
    ).json()
    await finance.set_account(failed["person_id"], {**account(40), "reason": "new card"})
    for path, body in (
        (f"/v1/payments/{failed['id']}/retry", None),
        (
            f"/v1/payments/{failed['id']}/reissue",
            {"payee": {**account(41), "appointed": True, "relationship": "son"}},
        ),
    ):
        refused = await finance.post(path, json=body)
        assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "support_ended"
    overpaid = (
        await pair.payments.get("/v1/overpayments", params={"case_id": case_id}, headers=finance.preparer)
    ).json()
    assert [(o["month"], o["amount_fen"]) for o in overpaid] == [("2026-12-01", 57_000)]
    await finance.books()
