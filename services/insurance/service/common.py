"""What the use cases share: who sees what."""

from __future__ import annotations

from uuid import UUID

from services.insurance.repository import Visibility
from shared.auth import Principal, Role
from shared.errors import Forbidden


def insurer_of(caller: Principal) -> UUID | None:
    """The insurer an insurer client acts for; None for bureau staff."""
    if not caller.has_any(Role.insurer):
        return None
    try:
        return UUID(str(caller.insurer_id))
    except ValueError:
        raise Forbidden("the token's insurer_id is not an insurer id") from None


def visibility(caller: Principal, district_code: str | None = None) -> Visibility:
    """An insurer sees its own terms in every district; staff their districts; auditors and admins all.

    `district_code` narrows it to one district the caller may see (403 for one it may not).
    """
    insurer_id = insurer_of(caller)
    districts = None if insurer_id is not None else caller.district_scope
    if district_code is not None:
        if districts is not None and district_code not in districts:
            raise Forbidden(f"district {district_code} is outside the caller's scope")
        districts = frozenset({district_code})
    return Visibility(districts=districts, insurer_id=insurer_id)
