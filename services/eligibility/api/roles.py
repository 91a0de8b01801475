"""Who may call what: the role guards the eligibility routes share."""

from typing import Annotated

from fastapi import Depends

from shared.auth import Principal, Role, require_roles

Staff = Annotated[
    Principal,
    Depends(require_roles(Role.caseworker, Role.reviewer, Role.finance_officer, Role.auditor, Role.admin)),
]
Caseworker = Annotated[Principal, Depends(require_roles(Role.caseworker, Role.admin))]
Assessor = Annotated[Principal, Depends(require_roles(Role.caseworker, Role.reviewer, Role.admin))]
Reviewer = Annotated[Principal, Depends(require_roles(Role.reviewer, Role.admin))]
Reader = Annotated[
    Principal,
    Depends(require_roles(Role.applicant, Role.caseworker, Role.reviewer, Role.auditor, Role.admin)),
]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Overseer = Annotated[Principal, Depends(require_roles(Role.admin, Role.auditor))]
Insurer = Annotated[Principal, Depends(require_roles(Role.insurer))]
