"""Event contracts: frozen, versioned, past-tense pydantic models, one module per producing service."""
