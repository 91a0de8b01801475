"""The `safetynet` command: the embedded default, one service in distributed mode, and dev tooling."""
