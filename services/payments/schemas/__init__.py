"""HTTP shapes of the payments API, one module per resource."""
