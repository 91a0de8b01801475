"""Use cases of the insurance service; the only package that commits (event handlers commit with the inbox).

`terms`: insurers and policy terms; `beneficiaries`: the read model kept from eligibility's case events;
`enrolment`: bringing people's roster entries up to date with it; `roster`: the January build and reading
the roster; `claims`: reporting and deciding claims; `kpis`: a term's figures.
"""
