"""Path and query parameters the insurance routes share."""

from typing import Annotated

from fastapi import Path, Query

from shared.contracts.types import Month as MonthLabel
from shared.params import DistrictFilter

Year = Annotated[int, Path(ge=2018, le=2100, description="the policy term (a calendar year)")]
Month = Annotated[MonthLabel, Path(description="YYYY-MM")]
District = Annotated[DistrictFilter, Query(description="one district of your scope")]
