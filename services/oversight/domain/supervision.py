"""Supervision spot checks (抽查): which cases a draw takes, reproducibly from a recorded seed.

A draw samples two pools of a district's cases: its *new* cases (approved within the period) at the new-case
rate (30% by default) and its *relatives'* cases (a household member is in the staff-relatives register) at
the relatives' rate (100% by default). A sample's size is the rate of its pool rounded **up**, so "at least
30%" holds for any pool: 30% of 7 cases is 3 (2.1 rounded up). The pool is sorted by case id before a
`random.Random(seed)` picks from it, so the same seed, district and period (and the same cases) always give
the same sample."""

from __future__ import annotations

import random
from collections.abc import Iterable
from uuid import UUID

DEFAULT_NEW_CASE_RATE_PCT = 30
DEFAULT_RELATIVES_RATE_PCT = 100
MAX_SEED = 2**31 - 1
"""Seeds are 0 to 2³¹ − 1: plenty to draw from, and exact as a JSON number in every client (and in schema
validators that compare bounds as floats, where 2⁶³ − 1 is not)."""


def sample_size(pool: int, rate_pct: int) -> int:
    """`rate_pct` percent of `pool`, rounded up (integer arithmetic: no float rounding at the edges)."""
    return -(-pool * rate_pct // 100)


def draw(pool: Iterable[UUID], *, rate_pct: int, seed: int) -> list[UUID]:
    """The sampled ids, sorted: `sample_size` of them picked by a generator seeded with `seed` from the pool
    in id order (the order the database returned them in does not matter)."""
    ordered = sorted(set(pool))
    # Not a secret: a draw must be redone from its recorded seed, which is what a seeded PRNG is for.
    picker = random.Random(seed)  # noqa: S311
    return sorted(picker.sample(ordered, sample_size(len(ordered), rate_pct)))
