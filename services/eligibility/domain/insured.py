"""When an insurer may read an insured person's identity (民政惠民济困保), and what the ID number says."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

CLAIM_YEARS_AFTER_POLICY = 1
"""Claims for a policy year are reported, assessed and settled into the following calendar year."""


def identity_readable_until(policy_year: int) -> date:
    """The last day an insurer may read the identity of a person it insured in `policy_year`.

    A removal from the roster ends cover, not the claims for incidents within cover: a death-from-
    illness claim is settled after the person left the roster for that very death. So a removed
    entry opens the identity as long as a current one, and both close a year after the policy year.
    """
    return date(policy_year + CLAIM_YEARS_AFTER_POLICY, 12, 31)


def may_read_identity(policy_years: Iterable[int], today: date) -> bool:
    """True when at least one of the insurer's roster entries for the person is within its claim window."""
    return any(today <= identity_readable_until(year) for year in policy_years)


def sex_of(id_number: str) -> Literal["male", "female"]:
    """GB 11643: the 17th character (the sequence number's last digit) is odd for men, even for women."""
    return "male" if int(id_number[16]) % 2 else "female"
