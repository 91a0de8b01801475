"""HTTP shapes of the eligibility API, one module per resource."""
