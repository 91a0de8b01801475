"""The demo city: households in every state, loaded through the API as the people who run the system would
load them, so every rule, event and audit record is the real one.

In each of three districts: applications at each statutory step; approved dibao cases (one with the
disability and student add-ons); 特困 cases with their care levels, one supported at home with a carer and
one admitted to the district's care home from the placement queue; a temporary grant paid at once; a
terminated case; a relatives' case (filed, visited by the district, approved by a second reviewer). Then the
district's month is paid (a run prepared, released by a second officer, its bank file written; the care
home paid for its resident), the insurer has claims in each state, and oversight has imported the vehicle
registry's file (one row rejected) and run the district's checks: a car found (R1). Names and resident IDs are drawn from a fixed seed: valid, plausible, never real people.

Loading it again adds nothing: a household whose head is already registered is skipped, and so is the
rest of its district's story.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from safetynet.tour import (
    AUDITOR,
    CASEWORKER,
    CHECKER,
    INSURER,
    PREPARER,
    REVIEWER,
    SURNAMES,
    Caller,
    DemoRole,
    accident_claim,
    resident,
)
from shared.contracts.types import YearMonth

DISTRICTS = ("500103", "500106", "500112")  # 渝中区, 沙坪坝区, 渝北区
SEED = 2026
SECOND_REVIEWER = DemoRole("second reviewer", REVIEWER.role, "demo-reviewer-2")
INVESTIGATION = ("accepted", "data_cross_checked", "home_visited", "township_reviewed", "notice_posted")
"""The steps before the decision, in order; the scenarios stop after some of them."""


class DemoCity:
    def __init__(self, caller: Caller, *, today: date) -> None:
        self._caller, self._today = caller, today

    async def load(self) -> int:
        """Load every district's story; returns how many households it registered (0 when already loaded)."""
        added = 0
        for number, district in enumerate(DISTRICTS):
            added += await District(self._caller, district, self._today, random.Random(SEED + number)).load()  # noqa: S311 - demo names and IDs
        return added


class District:
    """One district's story, told by its own staff (tokens for this district)."""

    def __init__(self, caller: Caller, code: str, today: date, random_: random.Random) -> None:
        self._caller, self._code, self._today, self._random = caller, code, today, random_
        self._applied = today - timedelta(days=14)
        self._people: list[str] = []  # beneficiaries of approved cases, in the order approved
        self._insured: list[str] = []  # those approved today: on this year's roster, whatever the date
        self._car_owner = ""  # the resident ID oversight's vehicle import names

    def _as(self, role: DemoRole) -> DemoRole:
        return role.of(self._code)

    async def _call(self, role: DemoRole, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        return await self._caller.call(self._as(role), method, path, expected, **kwargs)

    async def load(self) -> int:
        scenarios: list[Callable[[], Awaitable[bool]]] = [
            *(lambda steps=steps: self._in_progress(steps) for steps in range(len(INVESTIGATION) + 1)),
            self._dibao_with_add_ons,
            self._dibao_couple,
            self._tekun_at_home,
            self._tekun_waiting_for_a_care_home,
            self._temporary_grant,
            self._terminated,
            self._relatives_case,
        ]
        registered = [await scenario() for scenario in scenarios]
        if not any(registered):
            return 0  # loaded before: the care home, the month and the claims are there too
        await self._care_home()
        await self._pay_the_month()
        await self._claims()
        await self._oversight()
        return sum(registered)

    # ------------------------------------------------------------------ households and their applications

    async def _household(
        self, members: list[dict[str, Any]], income_fen: int, area: str = "urban"
    ) -> str | None:
        """The household registered; None when its head already is (the demo was loaded before)."""
        body = {
            "district_code": self._code,
            "area": area,
            "members": members,
            "monthly_income_fen": income_fen,
        }
        response = await self._caller.request(
            self._as(CASEWORKER), "POST", "/eligibility/v1/households", json=body
        )
        if response.status_code == 409:
            return None
        if response.status_code != 201:
            raise RuntimeError(
                f"the demo household was refused ({response.status_code}): {response.text[:2000]}"
            )
        return str(response.json()["id"])

    def _member(self, born: date, relation: str, surname: str, **facts: Any) -> dict[str, Any]:
        return resident(self._random, self._code, born, surname, relation, **facts)

    def _surname(self) -> str:
        return self._random.choice(SURNAMES)

    async def _apply(
        self, household: str, program: str = "dibao", *, applied: date | None = None, **extra: Any
    ) -> str:
        body = {
            "household_id": household,
            "program": program,
            "applied_on": (applied or self._applied).isoformat(),
            **extra,
        }
        return str(
            (await self._call(CASEWORKER, "POST", "/eligibility/v1/applications", 201, json=body))["id"]
        )

    async def _steps(self, application: str, kinds: tuple[str, ...], applied: date | None = None) -> None:
        for offset, kind in enumerate(kinds):
            step: dict[str, Any] = {
                "kind": kind,
                "on": ((applied or self._applied) + timedelta(days=offset)).isoformat(),
            }
            if kind == "data_cross_checked":
                step["details"] = {"findings": ["tax: no income", "vehicles: none", "real estate: one home"]}
            if kind == "home_visited":
                step["details"] = {"investigators": ["demo-caseworker", "demo-investigator"]}
            await self._call(
                CASEWORKER, "POST", f"/eligibility/v1/applications/{application}/steps", 200, json=step
            )

    async def _approved(
        self,
        application: str,
        reviewer: DemoRole = REVIEWER,
        *,
        applied: date | None = None,
        on: date | None = None,
    ) -> str:
        await self._steps(application, INVESTIGATION, applied)
        return await self._decided(application, reviewer, on)

    async def _decided(self, application: str, reviewer: DemoRole, on: date | None = None) -> str:
        """Approved by `reviewer` (today unless `on`): the case, its beneficiaries noted for the month's run and
        the claims."""
        decided = await self._call(
            reviewer,
            "POST",
            f"/eligibility/v1/applications/{application}/steps",
            200,
            json={"kind": "approved", "on": (on or self._today).isoformat()},
        )
        case = await self._call(CASEWORKER, "GET", f"/eligibility/v1/cases/{decided['case_id']}", 200)
        self._people += [b["person_id"] for b in case["beneficiaries"]]
        if on is None:
            self._insured += [b["person_id"] for b in case["beneficiaries"]]
        return str(case["id"])

    # ------------------------------------------------------------------ the scenarios

    async def _in_progress(self, steps: int) -> bool:
        """An application stopped after `steps` of the investigation's steps (0: just received)."""
        surname = self._surname()
        household = await self._household(
            [
                self._member(date(1968, 5, 2), "head", surname),
                self._member(date(1995, 8, 9), "child", surname),
            ],
            income_fen=70_000,
        )
        if household is None:
            return False
        await self._steps(await self._apply(household), INVESTIGATION[:steps])
        return True

    async def _dibao_with_add_ons(self) -> bool:
        surname = self._surname()
        household = await self._household(
            [
                self._member(
                    date(1950, 3, 1), "head", surname, disability_grade=2, disability_kind="physical"
                ),
                self._member(date(2014, 9, 1), "grandchild", surname, student=True),
            ],
            income_fen=60_000,
        )
        if household is None:
            return False
        await self._approved(await self._apply(household))
        return True

    async def _dibao_couple(self) -> bool:
        """A rural couple, approved last month; the vehicle registry says the husband owns a car (oversight's R1)."""
        surname = self._surname()
        head = self._member(date(1958, 1, 20), "head", surname)
        household = await self._household(
            [head, self._member(date(1960, 6, 11), "spouse", self._surname())],
            income_fen=50_000,
            area="rural",
        )
        if household is None:
            return False
        # Decided last month, so paid from this one: covered on the day oversight's checks look.
        decided = YearMonth.of(self._today).first_day - timedelta(days=1)
        applied = decided - timedelta(days=14)
        await self._approved(await self._apply(household, applied=applied), applied=applied, on=decided)
        self._car_owner = str(head["id_number"])
        return True

    async def _tekun(self, born: date, adl_failed: int, mode: dict[str, Any]) -> bool:
        household = await self._household([self._member(born, "head", self._surname())], income_fen=0)
        if household is None:
            return False
        case = await self._approved(await self._apply(household, "tekun"))
        person = self._people[-1]
        await self._call(
            CASEWORKER,
            "POST",
            f"/eligibility/v1/cases/{case}/care-assessments",
            200,
            json={"person_id": person, "adl_failed": adl_failed, "on": self._today.isoformat()},
        )
        await self._call(
            CASEWORKER,
            "POST",
            f"/eligibility/v1/cases/{case}/support-mode",
            200,
            json={"person_id": person, "chosen_on": self._today.isoformat(), **mode},
        )
        return True

    async def _tekun_at_home(self) -> bool:
        carer = {"name": self._surname() + "秀英", "phone": f"138{self._random.randrange(10**8):08d}"}
        return await self._tekun(date(1942, 4, 18), 4, {"support_mode": "dispersed", "carer": carer})

    async def _tekun_waiting_for_a_care_home(self) -> bool:
        return await self._tekun(date(1949, 10, 1), 1, {"support_mode": "centralised"})

    async def _temporary_grant(self) -> bool:
        surname = self._surname()
        household = await self._household(
            [
                self._member(date(1979, 2, 14), "head", surname),
                self._member(date(2010, 7, 7), "child", surname),
            ],
            income_fen=90_000,
        )
        if household is None:
            return False
        temporary = {"kind": "emergency", "household_class": "B", "persons": 2, "cause": "fire"}
        application = await self._apply(household, "temporary", emergency=True, temporary=temporary)
        await self._call(
            CASEWORKER,
            "POST",
            f"/eligibility/v1/applications/{application}/steps",
            200,
            json={
                "kind": "help_first_paid",
                "on": self._applied.isoformat(),
                "details": {"amount_fen": 200_000},
            },
        )
        return True

    async def _terminated(self) -> bool:
        household = await self._household(
            [self._member(date(1962, 12, 8), "head", self._surname())], income_fen=40_000
        )
        if household is None:
            return False
        case = await self._approved(await self._apply(household))
        await self._call(
            REVIEWER,
            "POST",
            f"/eligibility/v1/cases/{case}/termination",
            200,
            json={"reason": "income", "on": self._today.isoformat()},
        )
        self._people.pop()  # off the payroll and the roster from next month
        self._insured.pop()
        return True

    async def _relatives_case(self) -> bool:
        """A village cadre's parent: filed in the register, visited by the district, decided by another reviewer."""
        surname = self._surname()
        head = self._member(date(1947, 11, 30), "head", surname)
        response = await self._caller.request(
            self._as(REVIEWER),
            "POST",
            "/eligibility/v1/relatives",
            json={
                "id_number": head["id_number"],
                "staff_id": f"cadre-{self._code}",
                "relation": "parent",
                "district_code": self._code,
            },
        )
        if response.status_code not in {201, 409}:
            raise RuntimeError(f"the relative was not filed ({response.status_code}): {response.text[:2000]}")
        household = await self._household([head], income_fen=30_000)
        if household is None:
            return False
        application = await self._apply(household)
        await self._steps(application, INVESTIGATION)
        after_notice = (self._applied + timedelta(days=len(INVESTIGATION))).isoformat()
        for step in (
            {"kind": "relative_filed", "on": after_notice},
            {
                "kind": "home_visited",
                "on": after_notice,
                "details": {"investigators": ["demo-district-1", "demo-district-2"], "district_level": True},
            },
        ):
            await self._call(
                REVIEWER, "POST", f"/eligibility/v1/applications/{application}/steps", 200, json=step
            )
        await self._decided(application, SECOND_REVIEWER)
        return True

    # ------------------------------------------------------------------ the care home, the month paid, the claims

    async def _care_home(self) -> None:
        """The district's care home, with beds; the person who chose centralised support is admitted from the
        queue, and payments pays the home for them from next month, into its account."""
        facility = await self._call(
            REVIEWER,
            "POST",
            "/facilities/v1/facilities",
            201,
            json={
                "district_code": self._code,
                "kind": "district_home",
                "name": f"演示区福利院 {self._code}",
                "address": f"演示街道 {self._random.randrange(1, 200)} 号",
                "cares_for_disabled": True,
                "staff_count": 12,
                "safety_grade": "B",
                "beds": [
                    {"label": f"1-10{n}-{side}", "room": f"1-10{n}", "disabled_suitable": n < 3}
                    for n in range(1, 5)
                    for side in "AB"
                ],
            },
        )
        queue = await self._caller.until(
            self._as(REVIEWER), "/facilities/v1/placement-requests", {"district_code": self._code}, bool
        )
        await self._call(
            REVIEWER,
            "POST",
            f"/facilities/v1/placement-requests/{queue[0]['id']}/admission",
            201,
            json={"facility_id": facility["id"]},
        )
        account = {
            "holder_name": facility["name"],
            "account_number": f"62220219{self._random.randrange(10**11):011d}",
            "bank_code": "102653000015",
            "reason": "account opened for residents' support",
        }
        deadline = time.monotonic() + 60
        while True:  # payments knows the home once the admission has reached it
            response = await self._caller.request(
                self._as(PREPARER), "PUT", f"/payments/v1/facility-accounts/{facility['id']}", json=account
            )
            if response.status_code == 200:
                return
            if response.status_code != 404 or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the care home's account was refused ({response.status_code}): {response.text}"
                )
            await asyncio.sleep(0.1)

    async def _pay_the_month(self) -> None:
        """Accounts for everyone approved, the fund, the next month's run prepared and released, its bank file."""
        entitlements: list[dict[str, Any]] = []
        for person in self._people:
            entitlements += await self._caller.until(
                self._as(PREPARER),
                "/payments/v1/entitlements",
                {"person_id": person},
                lambda rows: len(rows) >= 1,
            )
        for entitlement in entitlements:
            await self._call(
                CASEWORKER,
                "PUT",
                f"/payments/v1/payee-accounts/person/{entitlement['person_id']}",
                200,
                json={
                    "holder_name": "演示账户",
                    "account_number": f"62220219{self._random.randrange(10**11):011d}",
                    "bank_code": "102653000015",
                    "reason": "opened at enrolment",
                },
            )
        await self._call(
            PREPARER,
            "POST",
            f"/payments/v1/ledger/{self._code}/allocations",
            201,
            json={
                "amount_fen": 5_000_000,
                "reference": f"DEMO-{self._code}-{uuid4().hex[:6]}",
                "memo": "the month's funds",
            },
            idempotent=True,
        )
        month = YearMonth.of(self._today).next()
        started = await self._call(
            PREPARER,
            "POST",
            "/payments/v1/runs",
            202,
            json={"district_code": self._code, "month": str(month)},
            idempotent=True,
        )
        run = await self._caller.until(
            self._as(PREPARER), f"/payments/v1/runs/{started['id']}", {}, lambda r: r["status"] != "preparing"
        )
        await self._call(CHECKER, "POST", f"/payments/v1/runs/{run['id']}/release", 200, idempotent=True)
        await self._call(PREPARER, "POST", f"/payments/v1/runs/{run['id']}/bank-files", 201, idempotent=True)

    async def _claims(self) -> None:
        """One claim in each state, each for another insured person of the district."""
        year = self._today.year
        for person in self._insured[:5]:
            await self._caller.until(
                self._as(REVIEWER),
                f"/insurance/v1/terms/{year}/roster",
                {"person_id": person},
                lambda page: bool(page["entries"]),
            )
        steps: list[list[tuple[str, dict[str, Any]]]] = [
            [],
            [("documents", {})],
            [("documents", {}), ("assessment", {"assessed_fen": 90_000})],
            [
                ("documents", {}),
                ("assessment", {"assessed_fen": 90_000}),
                ("settlement", {"paid_fen": 90_000}),
            ],
            [
                (
                    "rejection",
                    {
                        "reason_code": "not_covered",
                        "reason": "the injury happened at work: work-injury insurance pays",
                    },
                )
            ],
        ]
        for person, path in zip(self._insured[:5], steps, strict=True):
            incident = (
                self._today
            )  # cover runs from the 1st of the month approved, so today is always covered
            claim = await self._call(
                CASEWORKER, "POST", "/insurance/v1/claims", 201, json=accident_claim(person, incident)
            )
            for step, body in path:
                payload = {"received": claim["documents_missing"]} if step == "documents" else body
                claim = await self._call(
                    INSURER, "POST", f"/insurance/v1/claims/{claim['id']}/{step}", 200, json=payload
                )

    async def _oversight(self) -> None:
        """The vehicle registry's file imported (its good rows: one row is malformed), then the district's
        checks run: the couple's car is a finding (R1)."""
        rows = [
            "id_number,vehicle_type,value_yuan",
            f"{self._car_owner},car,80000",
            f"{self._car_owner},boat,12000",  # not a vehicle type: rejected, and named in the report
        ]
        response = await self._caller.request(
            AUDITOR,
            "POST",
            "/oversight/v1/imports",
            params={
                "source": "vehicles",
                "mode": "good_rows_only",
                "file_name": f"vehicles-{self._code}.csv",
            },
            content=("\n".join(rows) + "\n").encode(),
            headers={"Content-Type": "text/csv"},
        )
        if response.status_code != 201:
            raise RuntimeError(
                f"the vehicle import was refused ({response.status_code}): {response.text[:2000]}"
            )
        parameters = {
            "urban_standard_fen": 77_000,
            "rural_standard_fen": 63_000,
            "housing_guarantee_area_m2": 13,
        }
        await self._call(
            REVIEWER,
            "POST",
            "/oversight/v1/check-runs",
            201,
            json={"district_code": self._code, "parameters": parameters},
        )
