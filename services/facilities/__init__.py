"""Facilities service: care facilities, beds, safety rectification, 5-year plan actions, placements and the care-rate KPI. Publishes `facilities.placement.v1`."""
