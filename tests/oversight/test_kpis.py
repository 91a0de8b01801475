"""The district KPIs: each one on a small seeded city equals its hand computation, per district and city-wide;
stocks are read on the period's last day (today, for this month); targets default to DOMAIN.md's and an admin
sets them per district (audited); district staff read their own districts only; bad requests are problems;
the read models the KPIs added replay to the same rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from services.oversight.domain.kpis import default_target, meets, period, value_of
from shared.contracts.eligibility import CaseApproved, TemporaryAidGranted
from shared.contracts.types import YearMonth
from shared.errors import InvalidInput
from tests.kit import case_approved
from tests.kit.oversight import (
    DISTRICT,
    OTHER_DISTRICT,
    Oversight,
    bare_oversight,
    serve_on,
)
from tests.kit.oversight_kpis import kpi_city, kpi_events

TODAY = date(2026, 12, 3)


def figures(answer: dict[str, Any]) -> dict[str, dict[str | None, tuple[Any, ...]]]:
    """kpi → district (None: total) → (numerator, denominator, value, target, meets)."""
    return {
        k["kpi"]: {
            f["district_code"]: (f["numerator"], f["denominator"], f["value"], f["target"], f["meets"])
            for f in (*k["districts"], k["total"])
        }
        for k in answer["kpis"]
    }


async def test_each_kpi_equals_its_hand_computation_per_district_and_city_wide(
    oversight: Oversight, keys: Path
) -> None:
    await kpi_city(oversight)
    async with serve_on(TODAY, oversight, keys) as served:
        answer = await served.client.get("/v1/kpis?month=2026-11", headers=served.token("auditor"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["first_day"], body["last_day"], body["as_of"]) == ("2026-11-01", "2026-11-30", "2026-11-30")
    got = figures(body)
    # Coverage: persons covered in November ÷ (those + 漏保 persons still without a case).
    assert got["coverage"] == {
        DISTRICT: (6, 7, round(6 / 7, 4), 1.0, False),
        OTHER_DISTRICT: (2, 2, 1.0, 1.0, True),
        None: (8, 9, round(8 / 9, 4), 1.0, False),
    }
    # Payments for November credited by 10 November, per person and benefit (a reissue is the same payment;
    # back pay is not a monthly payment).
    assert got["payment_timeliness"] == {
        DISTRICT: (1, 3, round(1 / 3, 4), 1.0, False),
        OTHER_DISTRICT: (1, 1, 1.0, 1.0, True),
        None: (2, 4, 0.5, 1.0, False),
    }
    # Care rate on 30 November: t1 in a home of t1, t2 (t3 is self-caring until 15 December); t4 discharged.
    assert got["care_rate"] == {
        DISTRICT: (1, 2, 0.5, 0.5, True),
        OTHER_DISTRICT: (0, 1, 0.0, 0.5, False),
        None: (1, 3, round(1 / 3, 4), 0.5, False),
    }
    # Accidents reported in November within 2 days (the October one is not November's).
    assert got["insurance_timeliness"] == {
        DISTRICT: (1, 2, 0.5, 1.0, False),
        OTHER_DISTRICT: (1, 1, 1.0, 1.0, True),
        None: (2, 3, round(2 / 3, 4), 1.0, False),
    }
    # Claims reported in November ÷ insured person-years in November (a1 and a2 30 days, p1 15 days).
    rates = got["claim_rate"]
    assert {d: (n, v, t) for d, (n, _, v, t, _) in rates.items()} == {
        DISTRICT: (3, 18.25, None),
        OTHER_DISTRICT: (1, round(1 / (15 / 365), 4), None),
        None: (4, round(4 / (75 / 365), 4), None),
    }
    assert rates[DISTRICT][1] == pytest.approx(60 / 365, abs=1e-6) and rates[None][1] == pytest.approx(
        75 / 365, abs=1e-6
    )
    assert got["open_problems"] == {
        DISTRICT: (2, None, 2.0, None, None),
        OTHER_DISTRICT: (1, None, 1.0, None, None),
        None: (3, None, 3.0, None, None),
    }
    assert got["overdue_problems"] == {
        DISTRICT: (1, None, 1.0, 0.0, False),
        OTHER_DISTRICT: (0, None, 0.0, 0.0, True),
        None: (1, None, 1.0, 0.0, False),
    }
    # Findings first found in November per 1,000 cases active in November.
    assert got["findings_per_1000_cases"] == {
        DISTRICT: (1, 5, 200.0, None, None),
        OTHER_DISTRICT: (1, 2, 500.0, None, None),
        None: (2, 7, round(2 / 7 * 1000, 4), None, None),
    }


async def test_this_months_kpis_are_read_as_of_today(oversight: Oversight, keys: Path) -> None:
    await kpi_city(oversight)
    async with serve_on(TODAY, oversight, keys) as served:
        body = (await served.client.get("/v1/kpis?month=2026-12", headers=served.token("auditor"))).json()
    assert body["as_of"] == "2026-12-03"
    got = figures(body)
    assert got["coverage"][DISTRICT][:2] == (5, 6)  # e1 is not covered from December
    # December's payments are due by the 10th: none is judged on the 3rd.
    assert got["payment_timeliness"][None][:3] == (0, 0, None)
    assert got["care_rate"][DISTRICT][:2] == (1, 2)  # t3's full care is assessed on 15 December


async def test_a_year_end_period_spans_the_two_years(oversight: Oversight, keys: Path) -> None:
    await kpi_city(oversight)
    async with serve_on(date(2027, 1, 1), oversight, keys) as served:
        auditor = served.token("auditor")
        body = (await served.client.get("/v1/kpis?month=2026-11&through=2027-01", headers=auditor)).json()
    assert (body["first_day"], body["last_day"], body["as_of"]) == ("2026-11-01", "2027-01-31", "2027-01-01")
    got = figures(body)
    # November's and December's payments: a1, a2, t1 and a1 again in DISTRICT; p1 twice in OTHER_DISTRICT.
    assert got["payment_timeliness"][DISTRICT][:2] == (2, 4)
    assert got["payment_timeliness"][OTHER_DISTRICT][:2] == (1, 2)
    assert got["care_rate"][DISTRICT][:2] == (1, 3)  # t3 in full care by 1 January


async def test_district_staff_read_their_own_districts_only(oversight: Oversight, keys: Path) -> None:
    await kpi_city(oversight)
    async with serve_on(TODAY, oversight, keys) as served:
        caseworker = served.token("caseworker", DISTRICT)
        mine = (await served.client.get("/v1/kpis?month=2026-11", headers=caseworker)).json()
        for kpi in mine["kpis"]:
            assert [f["district_code"] for f in kpi["districts"]] == [DISTRICT]
            assert kpi["total"]["numerator"] == kpi["districts"][0]["numerator"]
        for path in (
            f"/v1/kpis?month=2026-11&district_code={OTHER_DISTRICT}",
            f"/v1/reports/monthly?month=2026-11&district_code={OTHER_DISTRICT}",
            f"/dashboard?month=2026-11&district_code={OTHER_DISTRICT}",
        ):
            refused = await served.client.get(path, headers=caseworker)
            assert refused.status_code == 403, path
            assert refused.json()["errors"][0]["field"] == "district_code"
        assert (await served.client.get("/v1/kpis?month=2026-11")).status_code == 401
        finance = await served.client.get(
            "/v1/kpis?month=2026-11", headers=served.token("finance_officer", DISTRICT)
        )
        assert finance.status_code == 403


async def test_an_admin_sets_a_districts_target_and_it_is_audited(oversight: Oversight, keys: Path) -> None:
    await kpi_city(oversight)
    target = {
        "kpi": "care_rate",
        "district_code": OTHER_DISTRICT,
        "effective_from": "2026-11-01",
        "target": 0.3,
    }
    async with serve_on(TODAY, oversight, keys) as served:
        admin = served.token("admin", subject="admin-1")
        assert (
            await served.client.put("/v1/kpi-targets", json=target, headers=served.token("auditor"))
        ).status_code == 403
        too_high = await served.client.put("/v1/kpi-targets", json={**target, "target": 30}, headers=admin)
        assert too_high.status_code == 422 and too_high.json()["errors"][0]["field"] == "target"
        later = {**target, "effective_from": "2026-12-01", "target": 0.9}
        for body in (target, later):
            assert (await served.client.put("/v1/kpi-targets", json=body, headers=admin)).status_code == 200
        got = figures((await served.client.get("/v1/kpis?month=2026-11", headers=admin)).json())
    # The target in force on 30 November; DISTRICT and the total keep DOMAIN.md's 50 %.
    assert got["care_rate"][OTHER_DISTRICT][3] == 0.3
    assert (got["care_rate"][DISTRICT][3], got["care_rate"][None][3]) == (0.5, 0.5)
    audited = await oversight.rows(
        "SELECT actor, action, subject_id FROM audit_log WHERE subject_type = 'kpi_target'"
    )
    assert audited == [
        ("admin-1", "kpis.target_set", f"care_rate/{OTHER_DISTRICT}/2026-11-01"),
        ("admin-1", "kpis.target_set", f"care_rate/{OTHER_DISTRICT}/2026-12-01"),
    ]


async def test_bad_kpi_requests_are_problems_naming_the_field(oversight: Oversight, keys: Path) -> None:
    async with serve_on(TODAY, oversight, keys) as served:
        auditor = served.token("auditor")

        async def refused(query: str) -> tuple[int, list[str]]:
            answer = await served.client.get(f"/v1/kpis?{query}", headers=auditor)
            return answer.status_code, [e["field"] for e in answer.json().get("errors", [])]

        assert await refused("") == (422, ["month"])
        assert await refused("month=2026-13") == (422, ["month"])
        assert await refused("month=2017-12") == (422, ["month"])
        assert await refused("month=2027-01") == (422, ["month"])  # after this month
        assert await refused("month=2026-11&through=2026-10") == (422, ["through"])
        assert await refused("month=2025-11&through=2026-11") == (422, ["through"])  # 13 months
        assert await refused("month=2026-11&district_code=5001") == (422, ["district_code"])
        assert (await refused("month=2025-12&through=2026-11"))[0] == 200  # 12 months


def test_periods_targets_and_verdicts() -> None:
    december = period(YearMonth(2026, 12), None, today=date(2027, 1, 1))
    assert (december.first, december.last, december.as_of) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
        date(2026, 12, 31),
    )
    this_month = period(YearMonth(2027, 1), None, today=date(2027, 1, 1))
    assert (this_month.as_of, this_month.as_of_month) == (date(2027, 1, 1), date(2027, 1, 1))
    with pytest.raises(InvalidInput):
        period(YearMonth(2027, 1), None, today=date(2026, 12, 31))
    assert default_target("care_rate", date(2018, 12, 30)) is None
    assert default_target("care_rate", date(2018, 12, 31)) == 0.25
    assert default_target("care_rate", date(2020, 12, 31)) == 0.5
    assert value_of("findings_per_1000_cases", 1, 3) == 333.3333
    assert value_of("coverage", 0, 0) is None
    assert (meets("care_rate", 0.5, 0.5), meets("overdue_problems", 1, 0), meets("claim_rate", 1, None)) == (
        True,
        False,
        None,
    )


async def test_the_kpis_read_models_replay_to_the_same_rows(
    oversight: Oversight, migrated_database: Any
) -> None:
    tables = {
        "care_levels": "SELECT * FROM care_levels ORDER BY case_id, person_id, assessed_on",
        "claims": "SELECT * FROM claims ORDER BY claim_id",
    }
    events = kpi_events()
    await oversight.deliver(events)
    first = {name: await oversight.rows(sql) for name, sql in tables.items()}
    assert (len(first["care_levels"]), len(first["claims"])) == (5, 5)
    await oversight.deliver(events, consumer="oversight-replay")
    assert {name: await oversight.rows(sql) for name, sql in tables.items()} == first
    async with bare_oversight(migrated_database) as fresh:
        await fresh.deliver(events)
        assert {name: await fresh.rows(sql) for name, sql in tables.items()} == first


def grant(district: str, applied: date | None, granted: date) -> TemporaryAidGranted:
    return TemporaryAidGranted(
        case_id=uuid4(),
        grant_id=uuid4(),
        household_id=uuid4(),
        kind="emergency",
        household_class="B",
        amount_fen=150_000,
        help_first=False,
        district_code=district,
        granted_on=granted,
        applied_on=applied,
    )


def decided(district: str, on: date, due: date | None) -> CaseApproved:
    return case_approved([uuid4()], on=on, district=district).model_copy(update={"decision_due": due})


async def test_decision_timeliness_and_temporary_response_time_from_the_days_eligibility_sends(
    oversight: Oversight, keys: Path
) -> None:
    """Approvals within their statutory deadline (on the day counts), and the mean days from the request to
    the grant of temporary assistance; events from before eligibility sent those days are left out. Read for
    December on 1 January, and for a period across the year end."""
    await oversight.deliver(
        [
            decided(DISTRICT, date(2026, 12, 10), date(2026, 12, 12)),
            decided(DISTRICT, date(2026, 12, 18), date(2026, 12, 16)),
            decided(DISTRICT, date(2026, 12, 20), None),  # sent before the deadline was
            decided(OTHER_DISTRICT, date(2026, 12, 31), date(2026, 12, 31)),
            decided(OTHER_DISTRICT, date(2026, 11, 30), date(2026, 11, 1)),  # November: not in December
            decided(OTHER_DISTRICT, date(2027, 1, 2), date(2027, 1, 3)),  # January
            grant(DISTRICT, date(2026, 12, 1), date(2026, 12, 4)),
            grant(DISTRICT, date(2026, 12, 20), date(2026, 12, 21)),
            grant(DISTRICT, None, date(2026, 12, 22)),
            grant(OTHER_DISTRICT, date(2026, 12, 28), date(2027, 1, 2)),  # granted in January
        ]
    )
    async with serve_on(date(2027, 1, 1), oversight, keys) as served:
        december = figures(
            (await served.client.get("/v1/kpis?month=2026-12", headers=served.token("auditor"))).json()
        )
    assert december["decision_timeliness"] == {
        DISTRICT: (1, 2, 0.5, 1.0, False),
        OTHER_DISTRICT: (1, 1, 1.0, 1.0, True),
        None: (2, 3, round(2 / 3, 4), 1.0, False),
    }
    assert december["temporary_response_days"] == {
        DISTRICT: (4, 2, 2.0, None, None),  # 3 days and 1 day
        OTHER_DISTRICT: (0, 0, None, None, None),  # its grant was made in January
        None: (4, 2, 2.0, None, None),
    }
    async with serve_on(date(2027, 1, 5), oversight, keys) as served:
        across = figures(
            (
                await served.client.get(
                    "/v1/kpis?month=2026-11&through=2027-01", headers=served.token("auditor")
                )
            ).json()
        )
    assert across["decision_timeliness"][None] == (3, 5, 0.6, 1.0, False)
    assert across["temporary_response_days"][None] == (9, 3, 3.0, None, None)
