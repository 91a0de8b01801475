"""All queries of the eligibility service, one module per aggregate."""
