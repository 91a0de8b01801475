"""All SQL of the oversight service."""
