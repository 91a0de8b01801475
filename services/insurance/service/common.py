"""What the use cases share: who sees what."""

from __future__ import annotations

from services.insurance.repository.visibility import Visibility
from shared.auth import Principal
from shared.errors import Forbidden


def visibility(caller: Principal, district_code: str | None = None) -> Visibility:
    """An insurer sees its own terms in every district; staff their districts; auditors and admins all.

    `district_code` narrows it to one district the caller may see (403 for one it may not).
    """
    insurer_id = caller.insurer
    districts = None if insurer_id is not None else caller.district_scope
    if district_code is not None:
        if districts is not None and district_code not in districts:
            raise Forbidden(f"district {district_code} is outside the caller's scope")
        districts = frozenset({district_code})
    return Visibility(districts=districts, insurer_id=insurer_id)
