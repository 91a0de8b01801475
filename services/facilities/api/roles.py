"""Who may call what in the facilities API; docs/facilities.md (Access) has the table.

District staff act on every facility of the token's districts (auditors and admins: every district). A
facility manager acts on the facilities of the token's `facility_ids` only, in the service's queries
(`service.common.scope`): another facility answers 404, and lists leave it out."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

REGISTRARS = (Role.reviewer, Role.admin)
PLACERS = (Role.facility_manager, Role.reviewer)
MOVERS = (Role.reviewer,)
INSPECTORS = (Role.facility_manager, Role.reviewer, Role.caseworker)
VERIFIERS = (Role.reviewer, Role.caseworker)
READERS = (Role.facility_manager, Role.caseworker, Role.reviewer, Role.auditor, Role.admin)
DISTRICT_READERS = (Role.caseworker, Role.reviewer, Role.auditor, Role.admin)

Registrar = Annotated[Principal, Depends(require_roles(*REGISTRARS))]
"""District staff who register facilities, set their status and keep the 5-year plan."""

Placer = Annotated[Principal, Depends(require_roles(*PLACERS))]
"""Admits from the district's queue and discharges residents (a facility manager: into and from their own
facilities)."""

Mover = Annotated[Principal, Depends(require_roles(*MOVERS))]
"""Moves residents between facilities: transfers, and the relocation of a closing facility."""

Inspector = Annotated[Principal, Depends(require_roles(*INSPECTORS))]
"""Records safety items and manages beds (a facility manager: of their own facilities)."""

Verifier = Annotated[Principal, Depends(require_roles(*VERIFIERS))]
"""Closes a safety item with evidence: district staff, so a facility never lifts its own admission stop."""

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
"""Reads facilities, queues, residents, items, plans and occupancy (a facility manager: of their own
facilities, and the district's queue)."""

DistrictReader = Annotated[Principal, Depends(require_roles(*DISTRICT_READERS))]
"""Reads what spans a district's facilities: the care rate and a closing facility's relocation plan."""


def needs(roles: tuple[Role, ...]) -> str:
    """The sentence of a route's OpenAPI description naming the roles it needs."""
    named = ", ".join(
        "facility_manager (own facilities)" if role is Role.facility_manager else str(role) for role in roles
    )
    return f"\n\n**Roles:** {named}."
