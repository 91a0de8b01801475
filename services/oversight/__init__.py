"""Oversight service: external data imports, checks and findings, problem lists, rectifications, spot checks, service contracts and district KPIs. Publishes `oversight.finding.v1`."""
