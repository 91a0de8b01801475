"""Resident IDs: the GB 11643-1999 check character, one canonical form, and a named rule for every rejection."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from shared.errors import InvalidInput
from shared.resident_id import birth_date_of, check_character, district_code_of, validate_resident_id

VECTOR = "11010519491231002X"


def with_check(body: str) -> str:
    return body + check_character(body)


def rule_of(value: str, *, today: date | None = None) -> str:
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(value, today=today)
    [issue] = caught.value.errors
    return issue.rule


def test_the_published_test_vector_is_valid() -> None:
    assert check_character(VECTOR[:17]) == "X"
    assert validate_resident_id(VECTOR) == VECTOR


def test_an_id_built_with_its_computed_check_digit_is_valid() -> None:
    built = with_check("44030519900307123")
    assert validate_resident_id(built) == built
    assert birth_date_of(built) == date(1990, 3, 7)
    assert district_code_of(built) == "440305"


def test_lower_case_x_and_surrounding_whitespace_give_the_canonical_form() -> None:
    assert validate_resident_id("11010519491231002x") == VECTOR
    assert validate_resident_id(f"  {VECTOR}\n") == VECTOR


@pytest.mark.parametrize("value", [VECTOR[:17], VECTOR + "0", "", "1101051949 1231002X"])
def test_wrong_length_is_rule_length(value: str) -> None:
    assert rule_of(value) == "length"


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100XX",  # X only as the last character
        "11010519491231002Y",
        "A1010519491231002X",
        "11010519491231 02X",  # an inner space
        "１1010519491231002X",  # full-width digit one
        "١1010519491231002X",  # Arabic-Indic digit one
        "11010519491231002\u0661",  # Arabic-Indic digit as the check character
        "11010519491231002１",  # full-width digit as the check character
    ],
)
def test_anything_but_ascii_digits_and_a_final_x_is_rule_charset(value: str) -> None:
    assert len(value) == 18
    assert rule_of(value) == "charset"


def test_a_wrong_check_character_is_rule_check_digit_without_revealing_the_right_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id("110105194912310021", field="members.0.id_number")
    [issue] = caught.value.errors
    assert (issue.field, issue.rule) == ("members.0.id_number", "check_digit")
    assert "X" not in issue.message and "110105194912310021" not in caught.value.detail


@pytest.mark.parametrize("body", ["11010519490231002", "11010519491301002", "11010519490000002"])
def test_an_impossible_birth_date_is_rule_birth_date(body: str) -> None:
    assert rule_of(with_check(body)) == "birth_date"


def test_a_future_birth_date_is_rule_birth_date_only_when_today_is_given() -> None:
    today = date(2024, 6, 1)
    tomorrow = with_check(f"110105{(today + timedelta(days=1)):%Y%m%d}001")
    born_today = with_check(f"110105{today:%Y%m%d}001")
    assert rule_of(tomorrow, today=today) == "birth_date"
    assert validate_resident_id(tomorrow) == tomorrow
    assert validate_resident_id(born_today, today=today) == born_today


def test_check_character_refuses_a_body_that_is_not_17_ascii_digits() -> None:
    for body in ["1101051949123100", "1101051949123100２", "1101051949123100a"]:
        with pytest.raises(ValueError):
            check_character(body)


def test_birth_date_of_and_district_code_of_validate_first() -> None:
    with pytest.raises(InvalidInput):
        birth_date_of("110105194912310021")
    with pytest.raises(InvalidInput):
        district_code_of("１1010519491231002X")


def test_agrees_with_python_stdnum_on_generated_ids() -> None:
    rng = random.Random(11643)
    agreed = {"valid": 0, "invalid": 0}
    for _ in range(600):
        district = rng.choice(["110105", "310104", "110101"])
        born = f"{rng.randint(1920, 2023)}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
        body = f"{district}{born}{rng.randint(0, 999):03d}"
        last = check_character(body) if rng.random() < 0.5 else rng.choice("0123456789X")
        number = body + last
        ours = _accepts(number)
        assert ours == ric.is_valid(number), number
        agreed["valid" if ours else "invalid"] += 1
        if ours:
            assert birth_date_of(number) == ric.get_birth_date(number)
    assert min(agreed.values()) > 100  # both outcomes were exercised


def _accepts(number: str) -> bool:
    try:
        validate_resident_id(number)
    except InvalidInput:
        return False
    return True
