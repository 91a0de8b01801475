"""Eligibility service: persons and households, means tests, applications and cases, standards, reviews. Publishes `eligibility.case.v1`."""
