"""Who may call what: the role guards the insurance routes share."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.caseworker, Role.reviewer, Role.insurer, Role.auditor, Role.admin))
]
Builder = Annotated[Principal, Depends(require_roles(Role.reviewer, Role.admin))]
Overseer = Annotated[Principal, Depends(require_roles(Role.reviewer, Role.auditor, Role.admin))]
KpiReader = Annotated[
    Principal, Depends(require_roles(Role.reviewer, Role.insurer, Role.auditor, Role.admin))
]
Reporter = Annotated[Principal, Depends(require_roles(Role.caseworker, Role.reviewer, Role.insurer))]
Insurer = Annotated[Principal, Depends(require_roles(Role.insurer))]
