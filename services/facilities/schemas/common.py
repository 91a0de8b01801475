"""What the facilities API's request bodies share: unknown fields are refused, texts are bounded (the NUL
character is refused for every route by `shared.screening`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Text60 = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text1000 = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
