"""All queries of the insurance service, one module per aggregate; `visibility` is the scope every read of
the roster and claims is limited to."""
