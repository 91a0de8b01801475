"""A demo district's story: households in every state, each brought there through the API by its staff."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from safetynet.demo.wide import DistrictWide
from safetynet.tour import (
    CASEWORKER,
    REVIEWER,
    SURNAMES,
    DemoRole,
    resident,
)
from shared.contracts.types import YearMonth

SECOND_REVIEWER = DemoRole("second reviewer", REVIEWER.role, "demo-reviewer-2")
INVESTIGATION = ("accepted", "data_cross_checked", "home_visited", "township_reviewed", "notice_posted")
"""The steps before the decision, in order; the scenarios stop after some of them."""


class District(DistrictWide):
    """One district's story, told by its own staff."""

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
