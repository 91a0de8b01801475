"""Query parameters the facilities routes share: bounded paging and the district filter."""

from typing import Annotated

from fastapi import Query

from shared.params import DistrictFilter

Limit = Annotated[int, Query(ge=1, le=500, description="at most this many rows")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="rows to skip")]
District = Annotated[DistrictFilter, Query(description="one district of your scope")]
