"""Matching people across files without holding their resident IDs: the match key (docs/oversight.md).

Eligibility announces each member's match key, `BlindIndex.digest(id, context=MATCH_CONTEXT)`: HMAC-SHA256
under the key that eligibility's blind-index key derives for that one context. Oversight is given that
derived key only (`OversightSettings.matching_key`), hashes the resident IDs of an imported row the same way
and keeps the digest and a mask; the ID itself is never written.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


class MatchingIndex:
    """The match key of a canonical resident ID (as `shared.resident_id.validate_resident_id` returns it)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a matching key is 32 bytes")
        self._key = key

    def digest(self, resident_id: str) -> bytes:
        # The same bytes eligibility's BlindIndex hashes: the NFC form of the canonical ID.
        return hmac.digest(self._key, unicodedata.normalize("NFC", resident_id).encode(), hashlib.sha256)
