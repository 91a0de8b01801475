"""Insurance service: the 民政惠民济困保 policy years, insured roster, claims and KPIs; the insurer's event feed `insurance.enrollment.v1` and `insurance.claim.v1`."""
