"""Exact money arithmetic (DOMAIN.md, Dibao, "Arithmetic"): integer fen in and out, exact fractions between.

An amount formula is evaluated with `Fraction`s and rounded once, at the end, half up to the fen
(`round_half_up`); no intermediate figure is rounded. A figure rounded for display (a per-capita income
in a breakdown or a message) is named `..._display_fen` and never fed back into a computation.

The recalculation after a standard change evaluates the same formulas in SQL, in integers
(`services/eligibility/repository/standards.py`): `floor((2p + q) / 2q)` is `round_half_up(p / q)` for
`p >= 0, q > 0`, and the split below is `q + (rank <= r)` with `q, r = divmod(total, n)`.
"""

from __future__ import annotations

import math
from fractions import Fraction


def round_half_up(value: Fraction) -> int:
    """To the nearest fen; exactly half a fen goes up (toward +∞): 1/2 → 1, 5/2 → 3, 1/3 → 0."""
    return math.floor(value + Fraction(1, 2))


def split_evenly(total_fen: int, parts: int) -> tuple[int, ...]:
    """`total_fen` in `parts` shares that add up to it exactly, in order of precedence.

    Every share is `total_fen // parts`; the first `total_fen % parts` shares get one fen more. The
    exact shares are all equal, so this is the largest-remainder method with ties broken by order.
    Share `i` is `(total_fen + parts - 1 - i) // parts`, which never falls when the total rises: a
    raise gives no share less than before, so per-share differences (back pay) add up to the total's.
    """
    if parts < 1:
        raise ValueError("a split needs at least one part")
    if total_fen < 0:
        raise ValueError("only a non-negative amount is split")
    each, extra = divmod(total_fen, parts)
    return tuple(each + 1 if i < extra else each for i in range(parts))
