"""Bank files and returns, retries and reissues, and the ledger: a return marks some payments failed, one
is reissued to another payee, and in the end each beneficiary is paid exactly once while the district
fund balances to the fen after every step."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.payments.models import Payment
from shared.audit import audit_log
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import ALLOCATED, Finance, account, events, returns
from tests.payments.conftest import Pair, prepared


async def test_a_failed_credit_reissued_pays_each_beneficiary_once_and_the_books_balance(pair: Pair) -> None:
    finance = Finance(pair)
    people = await finance.beneficiaries(2)
    for n, person in enumerate(people):
        assert (await finance.set_account(person, account(n))).status_code == 200
    allocated = await finance.post(
        f"/v1/ledger/{DISTRICT}/allocations",
        json={"amount_fen": ALLOCATED, "reference": "CQCZ-2026-118", "memo": "November dibao funds"},
    )
    assert allocated.status_code == 201, allocated.text
    assert await finance.books() == {
        "fund_cash": ALLOCATED,
        "budget_allocated": -ALLOCATED,
        "bank_clearing": 0,
        "benefits_paid": 0,
        "recoveries_receivable": 0,
    }

    run = await finance.released_run("2026-11")
    assert (run["payment_count"], run["total_fen"]) == (4, 4 * 57_000)
    first = await finance.post(f"/v1/runs/{run['id']}/bank-files")
    assert first.status_code == 201, first.text
    assert (first.json()["line_count"], first.json()["total_fen"], first.json()["held_without_account"]) == (
        4,
        228_000,
        0,
    )
    assert (await finance.books())["bank_clearing"] == 228_000

    rows = await finance.download(first.json()["id"])
    assert rows[0][:3] == ["H", "SAFETYNET-PAYMENT-INSTRUCTIONS", "1"] and rows[0][4:7] == [
        DISTRICT,
        "2026-11",
        "1",
    ]
    lines = [row for row in rows if row[0] == "D"]
    assert rows[-2] == ["T", "4", "228000"] and rows[-1][:2] == ["C", "SHA-256"]
    assert sorted(line[4] for line in lines) == sorted(account(n)["account_number"] for n in range(4))
    async with pair.payments_db.connect() as connection:
        downloads = (
            await connection.execute(
                select(audit_log.c.actor, audit_log.c.details).where(
                    audit_log.c.action == "bank_file.downloaded"
                )
            )
        ).all()
    assert [(actor, details["lines"]) for actor, details in downloads] == [("fin-1", 4)]

    # The bank credits three and refuses one: the account was closed.
    refused = lines[0]
    result = await finance.post(
        f"/v1/bank-files/{first.json()['id']}/returns",
        content=returns(
            first.json()["id"],
            [(line[2], "PAID", "") for line in lines[1:]] + [(refused[2], "FAILED", "ACCOUNT_CLOSED")],
        ),
        headers={**finance.preparer, "Content-Type": "text/csv"},
    )
    assert result.status_code == 200, result.text
    assert (result.json()["paid_count"], result.json()["failed_count"], result.json()["replayed"]) == (
        3,
        1,
        False,
    )
    assert await finance.books() == {
        "fund_cash": ALLOCATED - 3 * 57_000,
        "budget_allocated": -ALLOCATED,
        "bank_clearing": 0,
        "benefits_paid": 3 * 57_000,
        "recoveries_receivable": 0,
    }
    again = await finance.post(
        f"/v1/bank-files/{first.json()['id']}/returns",
        content=returns(
            first.json()["id"],
            [(line[2], "PAID", "") for line in lines[1:]] + [(refused[2], "FAILED", "ACCOUNT_CLOSED")],
        ),
    )
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert len(await events(pair, "PaymentDisbursed")) == 3
    [failure] = await events(pair, "PaymentFailed")
    assert failure["reason_code"] == "ACCOUNT_CLOSED"
    failed_id = failure["payment_id"]

    # Retrying into the same closed account is refused; the payment is reissued to an appointed payee.
    unchanged = await finance.post(f"/v1/payments/{failed_id}/retry")
    assert unchanged.status_code == 409 and unchanged.json()["errors"][0]["rule"] == "account_unchanged"
    guardian = {**account(9), "appointed": True, "relationship": "daughter", "reason": "account closed"}
    reissued = await finance.post(f"/v1/payments/{failed_id}/reissue", json={"payee": guardian})
    assert reissued.status_code == 201, reissued.text
    replacement = reissued.json()
    assert (replacement["status"], replacement["reissue_of"], replacement["amount_fen"]) == (
        "due",
        failed_id,
        57_000,
    )
    # Never both, never twice: the failed payment is closed.
    for path, body in (
        (f"/v1/payments/{failed_id}/retry", None),
        (f"/v1/payments/{failed_id}/reissue", {"payee": guardian}),
    ):
        late = await finance.post(path, json=body)
        assert late.status_code == 409 and late.json()["errors"][0]["rule"] == "failed_only"
    [announced] = await events(pair, "PaymentReissued")
    assert (announced["payment_id"], announced["original_payment_id"]) == (replacement["id"], failed_id)
    await finance.books()

    follow_up = await finance.post(f"/v1/runs/{run['id']}/bank-files")
    assert (follow_up.json()["sequence"], follow_up.json()["line_count"], follow_up.json()["total_fen"]) == (
        2,
        1,
        57_000,
    )
    [line] = [row for row in await finance.download(follow_up.json()["id"]) if row[0] == "D"]
    assert line[4] == guardian["account_number"]
    await finance.books()
    settled = await finance.post(
        f"/v1/bank-files/{follow_up.json()['id']}/returns",
        content=returns(follow_up.json()["id"], [(line[2], "PAID", "")], day="2026-11-12"),
    )
    assert settled.json()["paid_count"] == 1
    nothing_left = await finance.post(f"/v1/runs/{run['id']}/bank-files")
    assert nothing_left.status_code == 409

    # Each beneficiary paid exactly once for November; the fund balances to the fen.
    async with pair.payments_db.connect() as connection:
        paid = (
            await connection.execute(
                select(Payment.person_id, func.count(), func.sum(Payment.amount_fen))
                .where(Payment.status == "paid")
                .group_by(Payment.person_id)
            )
        ).all()
    assert sorted((str(person), count, total) for person, count, total in paid) == sorted(
        (person, 1, 57_000) for person in people
    )
    assert await finance.books() == {
        "fund_cash": ALLOCATED - 228_000,
        "budget_allocated": -ALLOCATED,
        "bank_clearing": 0,
        "benefits_paid": 228_000,
        "recoveries_receivable": 0,
    }
    statement = (await pair.payments.get(f"/v1/ledger/{DISTRICT}/statement", headers=finance.checker)).json()
    assert [t["kind"] for t in statement] == [
        "allocation",
        "bank_file",
        "bank_return",
        "bank_file",
        "bank_return",
    ]
    assert all(sum(e["amount_fen"] for e in t["entries"]) == 0 for t in statement)

    # The ledger's own walls: entries cannot be changed, and an unbalanced posting does not commit.
    async with pair.payments_db.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            await connection.execute(text("UPDATE ledger_entries SET amount_fen = amount_fen + 1"))
    with pytest.raises(IntegrityError, match="does not balance"):
        async with pair.payments_db.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO ledger_transactions (id, district_code, kind, reference, memo, posted_by)"
                    " VALUES ('00000000-0000-0000-0000-000000000001', :d, 'allocation', 'x', 'x', 'x');"
                ),
                {"d": DISTRICT},
            )
            await connection.execute(
                text(
                    "INSERT INTO ledger_entries VALUES ('00000000-0000-0000-0000-000000000001', 1, 'fund_cash', 100)"
                )
            )


async def test_a_bad_return_file_is_refused_whole_and_changes_nothing(pair: Pair) -> None:
    finance = Finance(pair)
    await finance.funded_case()
    run = await finance.released_run("2026-11")
    sent, lines = await finance.send(run["id"])
    before = await finance.books()
    bad = (
        f"H,SAFETYNET-PAYMENT-RETURNS,1,{sent['id']}\r\n"
        f"R,{lines[0][2]},PAID,,2026-11-08\r\n"
        f"R,{lines[1][2]},BOUNCED,,2026-11-08\r\n"
        "R,00000000-0000-0000-0000-00000000abcd,FAILED,NO_SUCH,2026-11-08\r\n"
        "T,4\r\n"
    ).encode()
    refused = await finance.post(f"/v1/bank-files/{sent['id']}/returns", content=bad)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [
        ("line 3", "status"),
        ("line 5", "record_count"),
    ]
    unknown = returns(
        sent["id"], [(lines[0][2], "PAID", ""), ("00000000-0000-0000-0000-00000000abcd", "FAILED", "X")]
    )
    refused = await finance.post(f"/v1/bank-files/{sent['id']}/returns", content=unknown)
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [("line 3", "unknown_instruction")]
    other_file = returns("00000000-0000-0000-0000-000000000000", [(lines[0][2], "PAID", "")])
    refused = await finance.post(f"/v1/bank-files/{sent['id']}/returns", content=other_file)
    assert refused.json()["errors"][0]["rule"] == "bank_file_id"
    assert await finance.books() == before
    async with pair.payments_db.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM payments WHERE status = 'sent'")) == 2
        assert await connection.scalar(text("SELECT count(*) FROM bank_returns")) == 0


async def test_a_fund_without_money_sends_nothing(pair: Pair) -> None:
    finance = Finance(pair)
    people = await finance.beneficiaries(1)
    for n, person in enumerate(people):
        await finance.set_account(person, account(n))
    await finance.post(
        f"/v1/ledger/{DISTRICT}/allocations",
        json={"amount_fen": 100_000, "reference": "A-2", "memo": "funds"},
    )
    run = await finance.released_run("2026-11")
    short = await finance.post(f"/v1/runs/{run['id']}/bank-files")
    assert short.status_code == 409 and short.json()["errors"][0]["rule"] == "insufficient_funds"
    async with pair.payments_db.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM payments WHERE status = 'due'")) == 2
        assert await connection.scalar(text("SELECT count(*) FROM bank_files")) == 0
    unreleased = await prepared(pair, "2026-12", finance.preparer)
    early = await finance.post(f"/v1/runs/{unreleased['id']}/bank-files")
    assert early.status_code == 409


async def test_payee_accounts_are_encrypted_masked_and_audited(pair: Pair) -> None:
    finance = Finance(pair)
    person, other = await finance.beneficiaries(1)
    first = await finance.set_account(person, account(1))
    assert first.status_code == 200, first.text
    shown = first.json()["current"]
    assert shown["account_number"] == "*" * 15 + account(1)["account_number"][-4:]
    assert shown["holder_name"] == "张*"
    changed = await finance.set_account(person, {**account(2), "reason": "changed bank"})
    assert [v["account_number"][-4:] for v in [changed.json()["current"], *changed.json()["history"]]] == [
        account(2)["account_number"][-4:],
        account(1)["account_number"][-4:],
    ]
    shared = await finance.set_account(other, {**account(2), "reason": "same card as the spouse"})
    assert shared.json()["owners_sharing_the_account"] == 1
    async with pair.payments_db.connect() as connection:
        stored = (
            await connection.execute(text("SELECT account_number, holder_name FROM payee_accounts"))
        ).all()
        audit = (
            await connection.execute(
                select(audit_log.c.actor, audit_log.c.subject_id, audit_log.c.details).where(
                    audit_log.c.action == "payee_account.changed"
                )
            )
        ).all()
    plain = account(1)["account_number"].encode()
    assert stored and all(plain not in number and "张".encode() not in name for number, name in stored)
    assert [(actor, subject) for actor, subject, _ in audit] == [
        ("cw-1", person),
        ("cw-1", person),
        ("cw-1", other),
    ]
    assert audit[1][2]["previous_account"].endswith(account(1)["account_number"][-4:])
    assert account(1)["account_number"] not in str(audit)

    bad = await finance.set_account(person, {**account(3), "account_number": "6222-0219"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("account_number")
    appointed = await finance.set_account(person, {**account(3), "appointed": True})
    assert appointed.status_code == 422
    elsewhere = pair.eligibility.token("caseworker", "500101", subject="cw-9")
    hidden = await pair.payments.get(f"/v1/payee-accounts/person/{person}", headers=elsewhere)
    assert hidden.status_code == 404

    # The auditor reads the trail through the API and finds the chain intact.
    auditor = pair.eligibility.token("auditor", "*", subject="aud-1")
    trail = await pair.payments.get(
        "/v1/operations/audit", params={"subject_type": "person", "subject_id": person}, headers=auditor
    )
    assert [r["details"]["reason"] for r in trail.json()] == ["changed bank", "opened at enrolment"]
    verified = await pair.payments.get("/v1/operations/audit/verification", headers=auditor)
    assert verified.json() == {"records": 3, "intact": True, "first_broken_seq": None}
    assert (await pair.payments.get("/v1/operations/audit", headers=finance.caseworker)).status_code == 403


async def test_a_retry_and_a_reissue_racing_for_one_failed_payment_leave_one_payment(pair: Pair) -> None:
    finance = Finance(pair)
    await finance.funded_case()
    run = await finance.released_run("2026-11")
    sent, lines = await finance.send(run["id"])
    await finance.post(
        f"/v1/bank-files/{sent['id']}/returns",
        content=returns(sent["id"], [(line[2], "FAILED", "ACCOUNT_CLOSED") for line in lines]),
    )
    failed = (
        await pair.payments.get("/v1/payments", params={"status": "failed"}, headers=finance.preparer)
    ).json()
    assert len(failed) == 2
    for n, payment in enumerate(failed):
        await finance.set_account(payment["person_id"], {**account(20 + n), "reason": "new card"})
    guardian = {**account(30), "appointed": True, "relationship": "niece", "reason": "account closed"}
    for payment in failed:
        raced = await asyncio.gather(
            finance.post(f"/v1/payments/{payment['id']}/retry"),
            finance.post(f"/v1/payments/{payment['id']}/reissue", json={"payee": guardian}),
            finance.post(f"/v1/payments/{payment['id']}/retry"),
        )
        assert sorted(answer.status_code for answer in raced) in ([200, 409, 409], [201, 409, 409])
    async with pair.payments_db.connect() as connection:
        live = (
            await connection.execute(
                text(
                    "SELECT person_id, count(*) FROM payments WHERE status NOT IN ('reissued', 'cancelled')"
                    " GROUP BY person_id"
                )
            )
        ).all()
    assert sorted(count for _, count in live) == [1, 1]
    follow_up = (await finance.post(f"/v1/runs/{run['id']}/bank-files")).json()
    assert (follow_up["line_count"], follow_up["total_fen"]) == (2, 114_000)
    await finance.books()
