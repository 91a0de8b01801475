"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation to one canonical form, and what they encode."""

from __future__ import annotations

from datetime import date

from shared.errors import FieldIssue, InvalidInput

LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# An explicit set: str.isdigit(), int() and regex \d also accept full-width and other scripts' digits.
_ASCII_DIGITS = frozenset("0123456789")


def check_character(body: str) -> str:
    """The check character (0-9 or X) for the first 17 digits of a resident ID."""
    if len(body) != LENGTH - 1 or not _ascii_digits(body):
        raise ValueError("a resident ID body is 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def validate_resident_id(value: str, *, field: str = "id_number", today: date | None = None) -> str:
    """The canonical form of a resident ID (surrounding whitespace removed, final `x` upper-cased).

    Raises `InvalidInput` with one `FieldIssue` whose rule is `length`, `charset`, `birth_date` or
    `check_digit`. A birth date after `today` is rejected only when `today` is given: the caller
    passes its business date, so this function never reads a clock.
    """
    candidate = value.strip()
    if len(candidate) != LENGTH:
        raise _invalid(field, "length", f"a resident ID has {LENGTH} characters")
    if candidate[-1] == "x":
        candidate = candidate[:-1] + "X"
    if not _ascii_digits(candidate[:-1]) or not (candidate[-1] == "X" or candidate[-1] in _ASCII_DIGITS):
        raise _invalid(field, "charset", "a resident ID is 17 ASCII digits and a final digit or X")
    born = _birth_date(candidate)
    if born is None:
        raise _invalid(field, "birth_date", "characters 7-14 are not a real date (YYYYMMDD)")
    if today is not None and born > today:
        raise _invalid(field, "birth_date", "the birth date in characters 7-14 is in the future")
    # The expected character is deliberately not named: the message must not help anyone forge a number.
    if candidate[-1] != check_character(candidate[:-1]):
        raise _invalid(field, "check_digit", "the check character does not match; check the number for typos")
    return candidate


def birth_date_of(id_number: str) -> date:
    """The birth date a resident ID encodes (characters 7-14); raises `InvalidInput` if the ID is invalid."""
    born = _birth_date(validate_resident_id(id_number))
    assert born is not None  # validation has checked the date
    return born


def district_code_of(id_number: str) -> str:
    """The six-digit administrative division code of the place of first registration."""
    return validate_resident_id(id_number)[:6]


def _ascii_digits(text: str) -> bool:
    return all(character in _ASCII_DIGITS for character in text)


def _birth_date(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def _invalid(field: str, rule: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field} is not a valid resident ID", errors=[FieldIssue(field, rule, message)])
