"""Path and query parameters every service's routes declare alike.

A route that describes the parameter nests the alias: `Annotated[DistrictFilter, Query(description=...)]`
(FastAPI keeps the last `Query`/`Path`; the type, and with it the pattern, comes from here)."""

from typing import Annotated

from fastapi import Path, Query

from shared.contracts.types import DistrictCode

DistrictInPath = Annotated[DistrictCode, Path()]
"""A district (区/县) named in the path: `/…/{district_code}`."""

DistrictFilter = Annotated[DistrictCode | None, Query()]
"""An optional district to narrow a list or a report to: `?district_code=`."""

MAX_PAGE = 100_000
"""The last page a list may be asked for: far past any real list, and its offset stays well within BIGINT."""
