"""HTTP shapes of the facilities API: bounded request bodies (unknown fields refused) and responses."""
