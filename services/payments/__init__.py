"""Payments service: payee accounts, entitlements, monthly runs, bank files and returns, recoveries, the district-fund ledger. Publishes `payments.payment.v1`."""
