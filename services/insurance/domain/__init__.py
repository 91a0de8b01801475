"""Pure rules of 民政惠民济困保 (civil-affairs insurance): who is on a term's roster and from when, which
claims a cover admits, and the KPI formulas. No database, web or Kafka here.

`months`: month arithmetic; `terms`: policy terms and their default covers; `roster`: a person's entry
from their cover windows; `claims`: which claims a cover admits and the claim lifecycle; `kpis`: a
term's figures.
"""
