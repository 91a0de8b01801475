"""Use cases of the oversight service; the only package that commits (event handlers commit with the inbox).

`read_models`: the households, cases, payments, placements, roster, care levels and claims kept from other
services' topics; `imports`: other departments' files, checked row by row; `checks`: runs of R1–R14 and 漏保
(on demand and on a schedule) and their findings; `problems`: the districts' problem lists, rectification,
sign-off and escalation; `supervision`: spot-check draws, teams and results; `purchased_services`: providers,
contracts, tasks and evaluations; `kpis` and `reports`: the district KPIs, the dashboard's figures and the
monthly information report.
"""
