"""HTTP shapes of the insurance API, one module per resource."""
