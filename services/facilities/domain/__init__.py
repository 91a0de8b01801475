"""Pure rules of the facilities service: no database, web or messaging imports.

`placements`: the queue's order and who a bed suits; `facilities`: status steps; `safety`: rectification
rules; `relocation`: matching the residents of a closing facility to free beds; `kpis`: rates and targets.
"""
