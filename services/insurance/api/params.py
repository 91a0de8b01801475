"""Path and query parameters the insurance routes share."""

from typing import Annotated

from fastapi import Path, Query

from shared.params import DistrictFilter

Year = Annotated[int, Path(ge=2018, le=2100, description="the policy term (a calendar year)")]
Month = Annotated[str, Path(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
District = Annotated[DistrictFilter, Query(description="one district of your scope")]
