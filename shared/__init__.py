"""Common library of the SafetyNet services: contracts, messaging, database, auth, settings, errors."""
