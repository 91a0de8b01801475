"""A 特困 resident's care facility is paid from the month after admission (or transfer) until the month of
discharge, the person before and after: on real PostgreSQL, events fed through the inbox, on the app's clock,
in months of the year the suite runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import func, select

from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from services.payments.models import PayeeAccount
from shared.audit import audit_log
from shared.contracts.catalogue import registry
from shared.contracts.eligibility import CaseTerminated
from shared.messaging.inbox import InboxProcessor
from shared.messaging.tables import deferred_events, inbox
from tests.kit.eligibility import DISTRICT
from tests.kit.payments import FACILITY_ACCOUNT, FUNDED, Story, account, moment
from tests.kit.placements import (
    TOTAL,
    YEAR,
    admitted,
    discharged,
    on,
    payees,
    person_of,
    stays,
    tekun_case,
    transferred,
)
from tests.payments.conftest import Payments, prepared_by


async def retry_parked(payments: Payments) -> int:
    """The consumer loop's retry of parked events, an hour on (their backoff has passed)."""
    processor = InboxProcessor(
        consumer=PAYMENTS.name,
        source=PAYMENTS.source,
        sessions=payments.runtime.sessions,
        handlers=HANDLERS,
        contracts=registry,
        dead_letters=payments,
        now=lambda: datetime.now(UTC) + timedelta(hours=1),
    )
    return await processor.retry_deferred()


async def test_admitted_in_march_discharged_in_june_the_facility_is_paid_april_to_june(
    payments: Payments,
) -> None:
    story, facility, case = Story(payments), uuid4(), tekun_case()
    person, person_account = person_of(case), account(0)["account_number"]
    payments.clock.set(on(2, 10))
    await payments.deliver([case])
    await story.funded(person_of(case))

    sent = await story.paid(f"{YEAR}-03")
    payments.clock.set(on(3, 12))
    admission = admitted(case, facility, on(3, 12))
    await payments.deliver([admission])
    assert (await story.facility_account(facility)).status_code == 200
    for month in (4, 5, 6):
        sent |= await story.paid(f"{YEAR}-{month:02d}")
    payments.clock.set(on(6, 20))
    discharge = discharged(admission, facility, on(6, 20), "returned_home")
    await payments.deliver([discharge])
    sent |= await story.paid(f"{YEAR}-07")

    assert await payees(payments, person) == [
        (3, "person", None, "paid"),
        (4, "facility", facility, "paid"),
        (5, "facility", facility, "paid"),
        (6, "facility", facility, "paid"),
        (7, "person", None, "paid"),
    ]
    facility_number = FACILITY_ACCOUNT["account_number"]
    assert sent == {
        f"{YEAR}-03": person_account,
        f"{YEAR}-04": facility_number,
        f"{YEAR}-05": facility_number,
        f"{YEAR}-06": facility_number,
        f"{YEAR}-07": person_account,
    }
    listed = (await payments.client.get("/v1/payments", headers=story.preparer)).json()
    assert sorted((p["month"], p["payee_kind"], p["facility_id"]) for p in listed) == [
        (f"{YEAR}-03-01", "person", None),
        *((f"{YEAR}-{m:02d}-01", "facility", str(facility)) for m in (4, 5, 6)),
        (f"{YEAR}-07-01", "person", None),
    ]
    balances = await story.balances()
    assert balances["benefits_paid"] == 5 * TOTAL and balances["bank_clearing"] == 0
    assert balances["fund_cash"] == FUNDED - 5 * TOTAL

    # Redelivered, or re-sent under new ids: the stay stands as it was, July is paid once.
    before = await stays(payments)
    assert before == [(person, facility, on(4, 1), on(7, 1), "returned_home")]
    await payments.deliver([admission, discharge])
    await payments.deliver([e.model_copy(update={"event_id": uuid4()}) for e in (admission, discharge)])
    assert await stays(payments) == before
    again = await prepared_by(payments.client, f"{YEAR}-07", story.preparer, DISTRICT)
    assert again["payment_count"] == 1
    assert [m for m, *_ in await payees(payments, person)] == [3, 4, 5, 6, 7]


async def test_a_transfer_pays_the_new_facility_from_the_next_month_and_a_death_ends_the_stay(
    payments: Payments,
) -> None:
    story, home_a, home_b = Story(payments), uuid4(), uuid4()
    moved, moved_at_once = tekun_case(), tekun_case()
    payments.clock.set(on(2, 10))
    await payments.deliver([moved, moved_at_once])
    first = admitted(moved, home_a, on(3, 12))
    brief = admitted(moved_at_once, home_a, on(3, 5))
    await payments.deliver([brief, first, transferred(brief, home_b, on(3, 20))])
    await payments.deliver([transferred(first, home_b, on(5, 15))])
    await payments.deliver([discharged(first, home_b, on(6, 20), "death")])
    payments.clock.set(on(6, 21))
    await payments.deliver(
        [
            CaseTerminated(
                case_id=moved.case_id,
                effective_month=f"{YEAR}-07",
                reason="death",
                person_ids=[person_of(moved)],
                decided_on=on(6, 21),
                occurred_at=moment(on(6, 21)),
            )
        ]
    )
    for month in range(3, 9):
        payments.clock.set(on(month, 3))
        await prepared_by(payments.client, f"{YEAR}-{month:02d}", story.preparer, DISTRICT)

    assert await payees(payments, person_of(moved)) == [
        (3, "person", None, "due"),
        (4, "facility", home_a, "due"),
        (5, "facility", home_a, "due"),
        (6, "facility", home_b, "due"),  # the month of death is paid to the home; nothing after it
    ]
    # Moved before the first month in care began: the home left was never paid a month.
    assert await payees(payments, person_of(moved_at_once)) == [
        (3, "person", None, "due"),
        *((month, "facility", home_b, "due") for month in range(4, 9)),
    ]
    assert sorted(await stays(payments), key=lambda s: (s[0] == person_of(moved_at_once), s[2])) == [
        (person_of(moved), home_a, on(4, 1), on(6, 1), "transferred"),
        (person_of(moved), home_b, on(6, 1), on(7, 1), "death"),
        (person_of(moved_at_once), home_b, on(4, 1), None, None),
    ]


async def test_a_late_admission_leaves_months_sent_to_the_person_and_moves_the_unsent_to_the_facility(
    payments: Payments,
) -> None:
    story, facility, case, neighbour = Story(payments), uuid4(), tekun_case(), tekun_case()
    payments.clock.set(on(2, 10))
    await payments.deliver([case, neighbour])
    await story.funded(person_of(case), person_of(neighbour))
    await story.paid(f"{YEAR}-03")
    await story.paid(f"{YEAR}-04")
    may = await story.released(f"{YEAR}-05", on=on(5, 3))

    # The admission of 12 March reaches payments on 10 May: March and April are the person's already.
    payments.clock.set(on(5, 10))
    await payments.deliver([admitted(case, facility, on(3, 12))])
    assert await payees(payments, person_of(case)) == [
        (3, "person", None, "paid"),
        (4, "person", None, "paid"),
        (5, "facility", facility, "due"),
    ]

    # No account for the facility yet: its month is held, listed, and goes in a later file.
    written = await story.post(f"/v1/runs/{may['id']}/bank-files")
    assert (written.json()["line_count"], written.json()["held_without_account"]) == (1, 1)
    held = (
        await payments.client.get(
            "/v1/payments", params={"run_id": may["id"], "status": "due"}, headers=story.preparer
        )
    ).json()
    assert [(p["person_id"], p["payee_kind"], p["facility_id"]) for p in held] == [
        (str(person_of(case)), "facility", str(facility))
    ]
    assert (await story.facility_account(facility)).status_code == 200
    follow_up = await story.post(f"/v1/runs/{may['id']}/bank-files")
    assert (follow_up.json()["sequence"], follow_up.json()["line_count"]) == (2, 1)
    assert (follow_up.json()["held_without_account"], follow_up.json()["total_fen"]) == (0, TOTAL)
    await story.paid(f"{YEAR}-06")
    assert [(m, kind) for m, kind, *_ in await payees(payments, person_of(case))] == [
        (3, "person"),
        (4, "person"),
        (5, "facility"),
        (6, "facility"),
    ]


async def test_an_admission_before_the_entitlement_waits_for_it_and_is_not_dead_lettered(
    payments: Payments,
) -> None:
    facility, case = uuid4(), tekun_case()
    admission = admitted(case, facility, on(3, 12))
    payments.clock.set(on(3, 12))
    await payments.deliver([admission])
    await payments.deliver([discharged(admission, facility, on(5, 2), "returned_home")])
    async with payments.engine.connect() as connection:
        parked = (await connection.execute(select(deferred_events.c.type, deferred_events.c.reason))).all()
        assert await connection.scalar(select(func.count()).select_from(inbox)) == 0
    assert sorted(t for t, _ in parked) == ["ResidentAdmitted", "ResidentDischarged"]
    assert await stays(payments) == []

    await payments.deliver([case])
    assert await retry_parked(payments) == 2
    assert await stays(payments) == [(person_of(case), facility, on(4, 1), on(6, 1), "returned_home")]
    async with payments.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(deferred_events)) == 0
        done = dict((await connection.execute(select(inbox.c.type, inbox.c.status))).all())
    assert done == dict.fromkeys(("CaseApproved", "ResidentAdmitted", "ResidentDischarged"), "processed")
    assert payments.dead_letters == []


async def test_a_facility_account_is_encrypted_masked_audited_and_kept_to_its_district(
    payments: Payments,
) -> None:
    story, facility, case = Story(payments), uuid4(), tekun_case()
    path = f"/v1/facility-accounts/{facility}"
    payments.clock.set(on(3, 12))
    await payments.deliver([case, admitted(case, facility, on(3, 12))])
    assert (await story.facility_account(uuid4())).status_code == 404  # no resident there: unknown
    assert (
        await payments.client.put(path, json=FACILITY_ACCOUNT, headers=story.caseworker)
    ).status_code == 403
    assert (await story.facility_account(facility)).status_code == 200
    changed = {**FACILITY_ACCOUNT, "account_number": "6217000010087654321", "reason": "bank merged"}
    shown = (await story.facility_account(facility, changed)).json()
    assert shown["owner_kind"] == "facility"
    assert shown["current"]["account_number"] == "***************4321"
    assert shown["current"]["holder_name"].startswith("重") and "*" in shown["current"]["holder_name"]
    assert [h["account_number"] for h in shown["history"]] == ["***************5678"]

    auditor = payments.token("auditor", DISTRICT, subject="au-1")
    read = await payments.client.get(path, headers=auditor)
    assert read.status_code == 200 and read.json() == shown
    elsewhere = payments.token("finance_officer", "500104", subject="fin-9")
    assert (await payments.client.get(path, headers=elsewhere)).status_code == 404

    async with payments.engine.connect() as connection:
        stored = (
            await connection.execute(select(PayeeAccount).where(PayeeAccount.owner_id == facility))
        ).all()
        audited = (
            await connection.execute(
                select(audit_log.c.action, audit_log.c.details)
                .where(audit_log.c.subject_id == str(facility))
                .order_by(audit_log.c.seq)
            )
        ).all()
    assert len(stored) == 2
    for row in stored:
        for plain in (FACILITY_ACCOUNT["account_number"], changed["account_number"], "福利院"):
            assert plain.encode() not in row.account_number + row.holder_name
    assert [action for action, _ in audited] == ["payee_account.changed"] * 2
    assert audited[1][1]["previous_account"] == "***************5678"
    assert "6217000010087654321" not in str(audited)
