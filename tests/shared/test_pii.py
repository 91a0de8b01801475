"""Field encryption, blind index and masks: sealed to a column, rotatable, deterministic where it must be."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from shared.pii import (
    BlindIndex,
    DecryptionError,
    FieldCipher,
    ensure_dev_pii_keys,
    generate_pii_settings,
    mask_bank_account,
    mask_phone,
    mask_resident_id,
)
from shared.settings import PiiSettings

ID_COLUMN = "persons.id_number"


def key(byte: int) -> str:
    return base64.b64encode(bytes(range(byte, byte + 32))).decode()


def settings(active: str = "a", **overrides: Any) -> PiiSettings:
    fields: dict[str, Any] = {
        "encryption_keys": {"a": key(0), "b": key(40)},
        "active_key_id": active,
        "blind_index_key": key(80),
    }
    return PiiSettings.model_validate(fields | overrides)


def test_a_value_round_trips_and_each_encryption_uses_a_fresh_nonce() -> None:
    cipher = FieldCipher(settings())
    first = cipher.encrypt("11010519491231002X", context=ID_COLUMN)
    second = cipher.encrypt("11010519491231002X", context=ID_COLUMN)
    assert first != second and first[3 : 3 + 12] != second[3 : 3 + 12]
    assert b"11010519491231002X" not in first
    assert cipher.decrypt(first, context=ID_COLUMN) == "11010519491231002X"
    assert cipher.decrypt(cipher.encrypt("", context=ID_COLUMN), context=ID_COLUMN) == ""
    assert cipher.decrypt(cipher.encrypt("张三", context="persons.name"), context="persons.name") == "张三"


def test_a_blob_moved_to_another_column_does_not_decrypt() -> None:
    cipher = FieldCipher(settings())
    blob = cipher.encrypt("6222021234567890123", context="payees.bank_account")
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(blob, context=ID_COLUMN)


def test_any_tampered_byte_is_detected() -> None:
    cipher = FieldCipher(settings())
    blob = cipher.encrypt("11010519491231002X", context=ID_COLUMN)
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            cipher.decrypt(bytes(tampered), context=ID_COLUMN)
    for truncated in (b"", blob[:1], blob[:20], blob[:-1]):
        with pytest.raises(DecryptionError):
            cipher.decrypt(truncated, context=ID_COLUMN)


def test_relabelling_a_blob_with_another_key_id_fails_authentication() -> None:
    cipher = FieldCipher(settings())
    blob = cipher.encrypt("secret", context=ID_COLUMN)
    assert blob[1:3] == b"\x01a"
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(blob[:2] + b"b" + blob[3:], context=ID_COLUMN)


def test_rotation_keeps_old_blobs_readable_and_seals_new_ones_with_the_active_key() -> None:
    old_blob = FieldCipher(settings(active="a")).encrypt("old", context=ID_COLUMN)
    rotated = FieldCipher(settings(active="b"))
    new_blob = rotated.encrypt("new", context=ID_COLUMN)
    assert rotated.decrypt(old_blob, context=ID_COLUMN) == "old"
    assert new_blob[1:3] == b"\x01b"
    assert rotated.needs_reencryption(old_blob) and not rotated.needs_reencryption(new_blob)
    retired = FieldCipher(settings(active="b", encryption_keys={"b": key(40)}))
    with pytest.raises(DecryptionError, match="no key 'a'"):
        retired.decrypt(old_blob, context=ID_COLUMN)


def test_the_module_does_not_import_sqlalchemy() -> None:
    probe = "import sys, shared.pii; sys.exit('sqlalchemy' in sys.modules)"
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=Path(__file__).parents[2])


def test_a_context_is_required() -> None:
    with pytest.raises(ValueError):
        FieldCipher(settings()).encrypt("x", context="")
    with pytest.raises(ValueError):
        BlindIndex(settings()).digest("x", context="")


def test_the_blind_index_is_deterministic_and_separated_by_context_and_key() -> None:
    index = BlindIndex(settings())
    digest = index.digest("11010519491231002X", context=ID_COLUMN)
    assert len(digest) == 32
    assert digest == BlindIndex(settings()).digest("11010519491231002X", context=ID_COLUMN)
    assert digest != index.digest("11010519491231002X", context="relatives.id_number")
    assert digest != index.digest("110105194912310021", context=ID_COLUMN)
    assert digest != BlindIndex(settings(blind_index_key=key(120))).digest(
        "11010519491231002X", context=ID_COLUMN
    )
    # NFC: the same text in composed and decomposed form finds the same row.
    assert index.digest("\u00e9", context="persons.name") == index.digest("e\u0301", context="persons.name")


def test_settings_refuse_a_missing_active_key() -> None:
    with pytest.raises(ValidationError, match="active_key_id 'c'"):
        settings(active="c")


@pytest.mark.parametrize(
    "overrides",
    [
        {"encryption_keys": {"a": base64.b64encode(bytes(16)).decode()}},
        {"encryption_keys": {"a": "not base64!"}},
        {"encryption_keys": {"a": base64.b64encode(bytes(32)).decode()}},  # all zeros: a placeholder
        {"encryption_keys": {"bad id": key(0)}, "active_key_id": "bad id"},
        {"blind_index_key": base64.b64encode(bytes(range(33))).decode()},
        {"blind_index_key": key(0)},  # the same as encryption key "a"
    ],
)
def test_settings_refuse_unusable_keys(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        settings(**overrides)


def test_settings_have_no_default_secrets_and_do_not_print_them() -> None:
    with pytest.raises(ValidationError):
        PiiSettings.model_validate({})
    shown = repr(settings())
    assert key(0) not in shown and key(80) not in shown
    assert isinstance(settings().blind_index_key, SecretStr)


def test_generated_settings_are_random_and_valid() -> None:
    first, second = generate_pii_settings(), generate_pii_settings("k2026")
    assert second.active_key_id == "k2026"
    assert first.blind_index_key != second.blind_index_key
    cipher = FieldCipher(first)
    assert cipher.decrypt(cipher.encrypt("x", context=ID_COLUMN), context=ID_COLUMN) == "x"


def test_dev_keys_are_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    created = ensure_dev_pii_keys(directory)
    reused = ensure_dev_pii_keys(directory)
    assert created == reused
    key_file = directory / "pii.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert [path.name for path in directory.iterdir()] == ["pii.json"]  # no temp file left behind
    blob = FieldCipher(created).encrypt("x", context=ID_COLUMN)
    assert FieldCipher(reused).decrypt(blob, context=ID_COLUMN) == "x"


@pytest.mark.parametrize(
    ("masker", "value", "masked"),
    [
        (mask_resident_id, "11010519491231002X", "110***********002X"),
        (mask_resident_id, "110105491231002", "110********1002"),  # a 15-digit first-generation ID
        (mask_resident_id, "1234567", "*******"),
        (mask_resident_id, "", ""),
        (mask_bank_account, "6222021234567890123", "***************0123"),
        (mask_bank_account, "6222 0212 3456 7890", "************7890"),
        (mask_bank_account, "1234567", "*******"),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "138-1234-5678", "138****5678"),
        (mask_phone, "1234567890", "**********"),
        (mask_phone, "  ", ""),
    ],
)
def test_masks_keep_only_the_agreed_characters_and_never_raise(masker: Any, value: str, masked: str) -> None:
    assert masker(value) == masked
