"""All queries of the facilities service, one module per aggregate; every read is limited to the caller's
districts (`shared.db.in_scope`)."""
