"""Use cases of the payments service; the only modules that commit (event handlers commit with the inbox)."""
