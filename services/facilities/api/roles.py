"""Who may call what in the facilities API.

Tokens carry districts but no facility: a facility manager is scoped to the districts of the token
until the identity provider issues a facility claim (docs/facilities.md, Access)."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

Registrar = Annotated[Principal, Depends(require_roles(Role.reviewer, Role.admin))]
"""District staff who register facilities, set their status and keep the 5-year plan."""

Placer = Annotated[Principal, Depends(require_roles(Role.facility_manager, Role.reviewer))]
"""Admits, transfers and discharges residents; relocates a closing facility's residents."""

Inspector = Annotated[
    Principal, Depends(require_roles(Role.facility_manager, Role.reviewer, Role.caseworker))
]
"""Opens and closes safety items, manages beds (the closer must not be the opener)."""

Reader = Annotated[
    Principal,
    Depends(require_roles(Role.facility_manager, Role.caseworker, Role.reviewer, Role.auditor, Role.admin)),
]
"""Reads facilities, queues, items, plans and KPIs of the token's districts (auditors: every district)."""
