"""Personal data at rest and on screen: field encryption, a blind index to find it, masks to show it."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.settings import PII_KEY_BYTES, PiiSettings, decode_pii_key

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
DEV_PII_KEYS_NAME = "pii.json"
_INDEX_DOMAIN = b"safetynet.blind-index.v1\x00"
_MIN_HIDDEN = 4  # a mask that hides fewer characters than this hides the whole value


class DecryptionError(Exception):
    """A stored ciphertext could not be opened: tampered, truncated, another column's, or an unknown key."""


class FieldCipher:
    """AES-256-GCM for one column value at a time.

    Blob layout: version (1 byte) | key-id length (1 byte) | key id (ASCII) | nonce (12) | ciphertext+tag.
    The associated data is the header plus `context` (e.g. "persons.id_number"), so a blob copied
    into another column, or relabelled with another key id, fails authentication.
    """

    def __init__(self, settings: PiiSettings) -> None:
        self._active_key_id = settings.active_key_id
        self._keys = {
            key_id: AESGCM(decode_pii_key(key_id, key)) for key_id, key in settings.encryption_keys.items()
        }

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        _require_context(context)
        header = _header(self._active_key_id)
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._active_key_id].encrypt(nonce, plaintext.encode(), header + context.encode())
        return header + nonce + sealed

    def decrypt(self, blob: bytes, *, context: str) -> str:
        _require_context(context)
        key_id, header, body = _split(blob)
        key = self._keys.get(key_id)
        if key is None:
            raise DecryptionError(f"no key {key_id!r} is configured for {context}; was it retired too early?")
        try:
            plaintext = key.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], header + context.encode())
        except InvalidTag:
            raise DecryptionError(
                f"ciphertext failed authentication for {context}: tampered, or stored for another column"
            ) from None
        return plaintext.decode()

    def needs_reencryption(self, blob: bytes) -> bool:
        """True when `blob` was sealed with a key other than the active one (rotation backlog)."""
        return _split(blob)[0] != self._active_key_id


class BlindIndex:
    """A keyed hash (HMAC-SHA256) to find encrypted values by equality without decrypting them.

    Each context gets its own derived key, so equal values in two columns do not share a digest.
    Callers pass canonical values (a validated resident ID, a compacted account number); only
    Unicode NFC normalisation is applied here, as it never changes what a value means.
    """

    def __init__(self, settings: PiiSettings) -> None:
        self._key = decode_pii_key("blind_index_key", settings.blind_index_key)
        self._context_keys: dict[str, bytes] = {}

    def digest(self, value: str, *, context: str) -> bytes:
        return hmac.digest(
            self.context_key(context), unicodedata.normalize("NFC", value).encode(), hashlib.sha256
        )

    def context_key(self, context: str) -> bytes:
        """The key derived for one context: what another service is given to compute that context's digests
        (oversight's matching key) without holding this index's key."""
        _require_context(context)
        context_key = self._context_keys.get(context)
        if context_key is None:
            context_key = hmac.digest(self._key, _INDEX_DOMAIN + context.encode(), hashlib.sha256)
            self._context_keys[context] = context_key
        return context_key


def generate_pii_settings(key_id: str | None = None) -> PiiSettings:
    """Fresh random keys for development and tests; production keys come from the secret store."""
    active = key_id or f"dev-{secrets.token_hex(4)}"
    return PiiSettings.model_validate(
        {
            "encryption_keys": {active: _random_key()},
            "active_key_id": active,
            "blind_index_key": _random_key(),
        }
    )


def ensure_dev_pii_keys(directory: Path) -> PiiSettings:
    """The development PII keys in `directory/pii.json` (mode 0600), created on the first call only."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / DEV_PII_KEYS_NAME
    if not target.exists():
        fresh = generate_pii_settings()
        document = {
            "encryption_keys": {
                key_id: key.get_secret_value() for key_id, key in fresh.encryption_keys.items()
            },
            "active_key_id": fresh.active_key_id,
            "blind_index_key": fresh.blind_index_key.get_secret_value(),
        }
        # Written whole to a 0600 temp file, then linked into place: a concurrent reader never sees
        # half a file, and of two processes starting at once exactly one set of keys wins.
        fd, temp_name = tempfile.mkstemp(dir=directory, prefix=".pii-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(document, out)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temp_name, target)
        finally:
            os.unlink(temp_name)
    return PiiSettings.model_validate_json(target.read_text())


def mask_resident_id(value: str) -> str:
    """First 3 and last 4 characters: `110***********002X`. The birth date and most of the region stay hidden."""
    return _mask(value, keep_start=3, keep_end=4)


def mask_bank_account(value: str) -> str:
    """Last 4 digits only: `***************0123` (one star per hidden character)."""
    return _mask(value, keep_start=0, keep_end=4)


def mask_phone(value: str) -> str:
    """First 3 and last 4 digits, the usual Chinese mobile mask: `138****5678`."""
    return _mask(value, keep_start=3, keep_end=4)


def mask_name(value: str) -> str:
    """张三丰 → 张**: the family name and the length, nothing more."""
    value = value.strip()
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*" * len(value)


class PersonalData:
    """The two tools a repository needs for a personal-data column: encryption and its blind index."""

    def __init__(self, settings: PiiSettings) -> None:
        self.cipher = FieldCipher(settings)
        self.index = BlindIndex(settings)


def _mask(value: str, *, keep_start: int, keep_end: int) -> str:
    # Total by design: separators are dropped, and a value too short to hide at least four
    # characters is hidden entirely rather than shown nearly whole.
    compact = "".join(character for character in value if not character.isspace() and character != "-")
    hidden = len(compact) - keep_start - keep_end
    if hidden < _MIN_HIDDEN:
        return "*" * len(compact)
    return compact[:keep_start] + "*" * hidden + compact[len(compact) - keep_end :]


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(PII_KEY_BYTES)).decode()


def _require_context(context: str) -> None:
    if not context:
        raise ValueError("a PII context such as 'persons.id_number' is required")


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return bytes((FORMAT_VERSION, len(encoded))) + encoded


def _split(blob: bytes) -> tuple[str, bytes, bytes]:
    """(key id, header, nonce+ciphertext+tag) of a blob, or `DecryptionError` if it is malformed."""
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise DecryptionError("not a field ciphertext of a known format version")
    header_end = 2 + blob[1]
    body = blob[header_end:]
    if blob[1] == 0 or len(body) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("field ciphertext is truncated")
    try:
        key_id = blob[2:header_end].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("field ciphertext has a malformed key id") from None
    return key_id, blob[:header_end], body
