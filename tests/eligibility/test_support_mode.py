"""A 特困 person's support mode over HTTP: each choice announced with the current care level, the carer
encrypted and masked, every refusal changing nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.eligibility.domain.support_mode import Choice, check_choice
from services.eligibility.models import SupportModeChoice
from shared.clock import FixedClock
from shared.contracts.eligibility import SupportModeChosen
from shared.errors import Conflict, InvalidInput
from shared.messaging.tables import outbox
from tests.eligibility.conftest import Api, serve
from tests.kit.eligibility import DISTRICT, approved_with_members, assess, audit_rows, events

TODAY = date(2026, 11, 30)
CARER = {"name": "李秀英", "phone": "13812345678"}
CHOSEN_AT_HOME: dict[str, Any] = {"support_mode": "dispersed", "chosen_on": "2026-11-05", "carer": CARER}


@pytest.fixture
async def api(eligibility_engine: AsyncEngine, keys: Path) -> AsyncIterator[Api]:
    """The app on the in-process bus, on a fixed day: 30 November 2026, a month after the cases' decision."""
    async with serve(eligibility_engine, keys, FixedClock(TODAY), bus="in-process") as client:
        yield client


def caseworker(api: Api) -> dict[str, str]:
    return api.token("caseworker", DISTRICT, subject="cw-1")


async def choose(api: Api, case_id: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return await api.client.post(
        f"/v1/cases/{case_id}/support-mode", json=body, headers=headers or caseworker(api)
    )


async def footprint(engine: AsyncEngine) -> tuple[int, int, int]:
    """(choices stored, SupportModeChosen events in the outbox, audit records of choices)."""
    async with engine.connect() as connection:
        rows = await connection.scalar(select(func.count()).select_from(SupportModeChoice))
        announced = await connection.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == "SupportModeChosen")
        )
    chosen = [r for r in await audit_rows(engine) if r["action"] == "support_mode.chosen"]
    return int(rows or 0), int(announced or 0), len(chosen)


async def test_a_choice_and_a_change_each_announce_the_care_level_of_the_latest_assessment(
    api: Api,
    eligibility_engine: AsyncEngine,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    case_id, people = await approved_with_members(api, "tekun")
    head = people["head"]
    await assess(api, case_id, head, adl_failed=2, on="2026-11-02")

    chosen = await choose(api, case_id, {"person_id": head, **CHOSEN_AT_HOME})
    assert chosen.status_code == 200, chosen.text
    [first] = chosen.json()["beneficiaries"]
    assert first["current"]["support_mode"] == "dispersed"
    assert first["current"]["carer"] == {"name_masked": "李**", "phone_masked": "138****5678"}
    [at_home] = await events(eligibility_engine, "SupportModeChosen")
    assert isinstance(at_home, SupportModeChosen)
    assert (str(at_home.case_id), str(at_home.person_id), at_home.district_code) == (case_id, head, DISTRICT)
    assert (at_home.support_mode, at_home.care_level, at_home.chosen_on) == (
        "dispersed",
        "half_care",
        date(2026, 11, 5),
    )

    await assess(api, case_id, head, adl_failed=5, on="2026-11-10")
    changed = await choose(
        api, case_id, {"person_id": head, "support_mode": "centralised", "chosen_on": "2026-11-20"}
    )
    assert changed.status_code == 200, changed.text
    announced = await events(eligibility_engine, "SupportModeChosen")
    assert len(announced) == 2
    facility = next(e for e in announced if e.event_id != at_home.event_id)
    assert (facility.support_mode, facility.care_level, facility.chosen_on) == (
        "centralised",
        "full_care",
        date(2026, 11, 20),
    )

    shown = await api.client.get(f"/v1/cases/{case_id}/support-mode", headers=api.token("auditor", DISTRICT))
    assert shown.status_code == 200, shown.text
    [person] = shown.json()["beneficiaries"]  # the grandchild is in the household, not in the case
    assert person["person_id"] == head and person["active"]
    assert [(c["support_mode"], c["chosen_on"], c["care_level"]) for c in person["history"]] == [
        ("dispersed", "2026-11-05", "half_care"),
        ("centralised", "2026-11-20", "full_care"),
    ]
    assert person["history"][0]["carer"] == {"name_masked": "李**", "phone_masked": "138****5678"}
    assert person["history"][0]["recorded_by"] == "cw-1"
    assert person["current"] == person["history"][1] and person["current"]["carer"] is None

    records = [r for r in await audit_rows(eligibility_engine) if r["action"] == "support_mode.chosen"]
    assert [(r["actor"], r["subject_id"], r["details"]["support_mode"]) for r in records] == [
        ("cw-1", case_id, "dispersed"),
        ("cw-1", case_id, "centralised"),
    ]
    assert records[1]["details"]["previous_support_mode"] == "dispersed"
    logs = "".join(capsys.readouterr()) + caplog.text
    await the_carer_is_nowhere_in_the_clear(eligibility_engine, chosen.text, changed.text, shown.text, logs)


async def the_carer_is_nowhere_in_the_clear(engine: AsyncEngine, *texts: str) -> None:
    """Not in the responses and logs given, the outbox or the audit log; stored only encrypted."""
    carers = select(SupportModeChoice.carer_name_cipher, SupportModeChoice.carer_phone_cipher)
    async with engine.connect() as connection:
        payloads = (await connection.execute(select(outbox.c.payload))).scalars().all()
        stored = (await connection.execute(carers.order_by(SupportModeChoice.seq))).all()
    audit = [json.dumps(dict(r["details"]), ensure_ascii=False) for r in await audit_rows(engine)]
    for text in [*texts, *audit, *(json.dumps(p, ensure_ascii=False) for p in payloads)]:
        assert CARER["name"] not in text and CARER["phone"] not in text
    [(name, phone), (none, nothing)] = stored
    assert name is not None and CARER["name"].encode() not in name
    assert phone is not None and CARER["phone"].encode() not in phone
    assert none is None and nothing is None  # the centralised choice names no carer


async def test_a_change_on_the_day_of_the_latest_choice_is_recorded_after_it(api: Api) -> None:
    case_id, people = await approved_with_members(api, "tekun")
    head = people["head"]
    await assess(api, case_id, head, adl_failed=0, on="2026-11-02")
    assert (await choose(api, case_id, {"person_id": head, **CHOSEN_AT_HOME})).status_code == 200
    same_day = {"person_id": head, "support_mode": "centralised", "chosen_on": "2026-11-05"}
    changed = await choose(api, case_id, same_day)
    assert changed.status_code == 200, changed.text
    [person] = changed.json()["beneficiaries"]
    assert person["current"]["support_mode"] == "centralised" and len(person["history"]) == 2


async def refused(
    api: Api,
    engine: AsyncEngine,
    case_id: str,
    body: dict[str, Any],
    expected: tuple[int, str, str] | int,
    headers: dict[str, str] | None = None,
) -> None:
    """The choice is refused with the status (and the field and rule) expected, and nothing is stored,
    announced or audited; the body never echoes the carer."""
    before = await footprint(engine)
    response = await choose(api, case_id, body, headers)
    status, *named = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code == status, (body, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    if named:
        assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [tuple(named)], response.text
    assert CARER["name"] not in response.text and CARER["phone"] not in response.text
    assert await footprint(engine) == before


async def test_a_dibao_case_has_no_support_mode(api: Api, eligibility_engine: AsyncEngine) -> None:
    dibao_id, dibao_people = await approved_with_members(api, "dibao")
    await refused(
        api,
        eligibility_engine,
        dibao_id,
        {"person_id": dibao_people["head"], **CHOSEN_AT_HOME},
        (409, "case_id", "TEKUN_ONLY"),
    )
    shown = await api.client.get(f"/v1/cases/{dibao_id}/support-mode", headers=caseworker(api))
    assert (shown.status_code, shown.json()["errors"][0]["rule"]) == (409, "TEKUN_ONLY")


async def test_refusals_of_the_case_or_the_caller_change_nothing(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    case_id, people = await approved_with_members(api, "tekun")
    choice = {"person_id": people["head"], **CHOSEN_AT_HOME}
    await assess(api, case_id, people["head"], adl_failed=3, on="2026-11-02")
    other_district = api.token("caseworker", "500101", subject="cw-x")
    await refused(api, eligibility_engine, case_id, choice, 404, other_district)
    assert (
        await api.client.get(f"/v1/cases/{case_id}/support-mode", headers=other_district)
    ).status_code == 404
    for role in ("finance_officer", "auditor", "applicant"):
        await refused(api, eligibility_engine, case_id, choice, 403, api.token(role, DISTRICT))

    ended = await api.client.post(
        f"/v1/cases/{case_id}/termination",
        json={"reason": "death", "on": "2026-11-15"},
        headers=api.token("reviewer", DISTRICT, subject="rv-1"),
    )
    assert ended.status_code == 200, ended.text
    await refused(api, eligibility_engine, case_id, choice, (409, "case_id", "CASE_NOT_ACTIVE"))


async def test_refusals_of_the_person_or_the_choice_change_nothing(
    api: Api, eligibility_engine: AsyncEngine
) -> None:
    case_id, people = await approved_with_members(api, "tekun")
    head = people["head"]
    at_home = {"person_id": head, **CHOSEN_AT_HOME}
    await refused(api, eligibility_engine, case_id, at_home, (409, "person_id", "CARE_LEVEL_NOT_ASSESSED"))
    await assess(api, case_id, head, adl_failed=4, on="2026-11-02")

    in_facility = {"person_id": head, "support_mode": "centralised", "chosen_on": "2026-11-05"}
    for body, expected in [
        ({**at_home, "person_id": people["grandchild"]}, (404, "person_id", "NOT_A_BENEFICIARY")),
        ({**at_home, "chosen_on": "2026-12-01"}, (422, "chosen_on", "FUTURE_DATE")),
        ({**at_home, "chosen_on": "2026-10-28"}, (422, "chosen_on", "BEFORE_DECISION")),
        ({**at_home, "carer": None}, (422, "carer", "CARER_REQUIRED")),
        ({**in_facility, "carer": CARER}, (422, "carer", "CARER_NOT_ALLOWED")),
        ({**at_home, "carer": {**CARER, "phone": "12345"}}, (422, "carer.phone", "string_pattern_mismatch")),
        (
            {**at_home, "carer": {"name": "", "phone": CARER["phone"]}},
            (422, "carer.name", "string_too_short"),
        ),
        ({**at_home, "support_mode": "with_relatives"}, (422, "support_mode", "literal_error")),
    ]:
        await refused(api, eligibility_engine, case_id, body, expected)

    assert (await choose(api, case_id, at_home)).status_code == 200
    await refused(
        api,
        eligibility_engine,
        case_id,
        {**at_home, "chosen_on": "2026-11-20"},
        (409, "support_mode", "SAME_SUPPORT_MODE"),
    )
    await refused(
        api,
        eligibility_engine,
        case_id,
        {**in_facility, "chosen_on": "2026-11-04"},
        (422, "chosen_on", "BEFORE_PREVIOUS_CHOICE"),
    )
    assert await footprint(eligibility_engine) == (1, 1, 1)


def test_every_broken_rule_of_a_choice_is_named_at_once_before_a_repeated_mode() -> None:
    latest = Choice(support_mode="dispersed", chosen_on=date(2026, 11, 5), names_carer=True)
    with pytest.raises(InvalidInput) as invalid:
        check_choice(
            Choice(support_mode="dispersed", chosen_on=date(2026, 10, 1), names_carer=False),
            latest=latest,
            decided_on=date(2026, 10, 29),
            today=TODAY,
        )
    assert [(e.field, e.rule) for e in invalid.value.errors] == [
        ("carer", "CARER_REQUIRED"),
        ("chosen_on", "BEFORE_DECISION"),
        ("chosen_on", "BEFORE_PREVIOUS_CHOICE"),
    ]
    again = Choice(support_mode="dispersed", chosen_on=TODAY, names_carer=True)
    with pytest.raises(Conflict) as conflict:
        check_choice(again, latest=latest, decided_on=date(2026, 10, 29), today=TODAY)
    assert [(e.field, e.rule) for e in conflict.value.errors] == [("support_mode", "SAME_SUPPORT_MODE")]
