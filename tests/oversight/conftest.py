"""A migrated oversight database per test, fed events through its inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.kit.oversight import Oversight, bare_oversight


@pytest.fixture
async def oversight(migrated_database: Any) -> AsyncIterator[Oversight]:
    async with bare_oversight(migrated_database) as bare:
        yield bare
