"""Use cases of the eligibility service; the only modules that commit."""
