"""The five SafetyNet services; none imports another (see the import-linter contracts)."""
