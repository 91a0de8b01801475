"""Use cases of the insurance service; the only package that commits (event handlers commit with the inbox).

`terms`: insurers and policy terms; `roster`: the beneficiaries read model and the roster it yields;
`claims`: reporting and deciding claims; `kpis`: a term's figures.
"""
