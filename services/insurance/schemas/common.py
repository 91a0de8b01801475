"""What the insurance API's request bodies share: unknown fields are refused; documents are named briefly."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

DocumentName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
"""One document of a claim's checklist, as the term names it (e.g. 身份证明)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
