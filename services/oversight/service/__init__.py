"""Use cases of the oversight service; the only package that commits (event handlers commit with the inbox).

`read_models`: the households, cases, payments, placements and roster kept from other services' topics;
`imports`: other departments' files, checked row by row; `checks`: runs of R1–R14 and 漏保 and their findings.
"""
