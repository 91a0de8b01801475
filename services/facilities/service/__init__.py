"""Use cases of the facilities service; the only package that commits (event handlers commit with the inbox).

`persons`: the read model kept from eligibility's case events, and the requests it raises; `facilities`:
the register, beds and status; `placements`: the queue, admissions, transfers, discharges; `relocation`:
emptying a closing facility; `safety`: rectification items; `plan`: 5-year plan actions; `kpis`: care rate
and occupancy.
"""
