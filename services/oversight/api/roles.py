"""Who may call what in the oversight API; docs/oversight.md (Access) has the table.

Municipal oversight (auditor) and admins act city-wide; district staff (reviewer, caseworker) see their own
districts only, enforced in the service's queries too."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

IMPORTERS = (Role.auditor, Role.admin)
CHECKERS = (Role.auditor, Role.admin, Role.reviewer)
READERS = (Role.auditor, Role.admin, Role.reviewer, Role.caseworker)
TARGET_SETTERS = (Role.admin,)
MUNICIPAL = (Role.auditor, Role.admin)
BUYERS = (Role.admin, Role.reviewer)
RECORDERS = (Role.admin, Role.reviewer, Role.caseworker)

Importer = Annotated[Principal, Depends(require_roles(*IMPORTERS))]
"""Loads and reads other departments' files: municipal oversight, city-wide data."""

Checker = Annotated[Principal, Depends(require_roles(*CHECKERS))]
"""Runs the checks: municipal oversight city-wide or for a district, a district reviewer for their own."""

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
"""Reads findings, KPIs, the dashboard and the monthly report: municipal oversight every district, district
staff their own."""

TargetSetter = Annotated[Principal, Depends(require_roles(*TARGET_SETTERS))]
"""Sets the KPIs' targets: admins only (each change audited)."""

Municipal = Annotated[Principal, Depends(require_roles(*MUNICIPAL))]
"""Escalates overdue problems and reads the municipal list of them: municipal oversight, city-wide."""

Buyer = Annotated[Principal, Depends(require_roles(*BUYERS))]
"""Registers providers, signs contracts and gives tasks (purchased services): a district reviewer for their
districts, admins."""

Recorder = Annotated[Principal, Depends(require_roles(*RECORDERS))]
"""Records a purchased-service task as completed, with its evidence: district staff for their districts, admins."""


def needs(roles: tuple[Role, ...]) -> str:
    """The sentence of a route's OpenAPI description naming the roles it needs."""
    return f"\n\n**Roles:** {', '.join(roles)}."
