"""The demo city: households in every state, loaded through the API as the people who run the system would
load them, so every rule, event and audit record is the real one.

In each of three districts: applications at each statutory step; approved dibao cases (one with the
disability and student add-ons); 特困 cases with their care levels, one supported at home with a carer and
one admitted to the district's care home from the placement queue; a temporary grant paid at once; a
terminated case; a relatives' case (filed, visited by the district, approved by a second reviewer). Then the
district's month is paid (a run prepared, released by a second officer, its bank file written; the care
home paid for its resident), the insurer has claims in each state, and oversight has imported the vehicle
registry's file (one row rejected) and run the district's checks: a car found (R1). Names and resident IDs
are drawn from a fixed seed: valid, plausible, never real people.

Loading it again adds nothing: a household whose head is already registered is skipped, and so is the
rest of its district's story.
"""

from __future__ import annotations

import random
from datetime import date

from safetynet.demo.district import District
from safetynet.tour import Caller

DISTRICTS = ("500103", "500106", "500112")  # 渝中区, 沙坪坝区, 渝北区
SEED = 2026


class DemoCity:
    def __init__(self, caller: Caller, *, today: date) -> None:
        self._caller, self._today = caller, today

    async def load(self) -> int:
        """Load every district's story; returns how many households it registered (0 when already loaded)."""
        added = 0
        for number, district in enumerate(DISTRICTS):
            added += await District(self._caller, district, self._today, random.Random(SEED + number)).load()  # noqa: S311 - demo names and IDs
        return added
