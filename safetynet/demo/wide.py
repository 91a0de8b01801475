"""What a demo district does once its households are in: its care home, its month paid, the insurer's
claims, and oversight's import and checks; the common ground of a district's story (`District`)."""

from __future__ import annotations

import asyncio
import random
import time
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
    Caller,
    DemoRole,
    accident_claim,
)
from safetynet.tour import (
    CLAIM_DECISIONS as DECISIONS,
)
from shared.contracts.types import YearMonth


class DistrictWide:
    """A district's staff (tokens for this district) and what the story has noted so far."""

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
                    INSURER,
                    "POST",
                    f"/insurance/v1/claims/{claim['id']}/{step}",
                    200,
                    json=payload,
                    idempotent=step in DECISIONS,
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
