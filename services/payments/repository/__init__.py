"""All queries of the payments service, one module per concern."""
