"""HTTP shapes of the oversight API."""
