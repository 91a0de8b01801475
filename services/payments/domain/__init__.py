"""Pure rules of the payments service: no database, no web, no messaging."""
