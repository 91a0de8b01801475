"""All queries of the facilities service, one module per aggregate; every read is limited to the caller's
districts and, for a facility manager, to its facilities (`reach.within`)."""
