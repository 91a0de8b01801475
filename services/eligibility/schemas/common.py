"""Field types and the strict base every request shape shares."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DistrictCode = Field(pattern=r"^[0-9]{6}$", description="GB/T 2260 district code (区/县)")


Relation = Literal["head", "spouse", "child", "parent", "sibling", "grandparent", "grandchild", "other"]


DisabilityKind = Literal["physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
