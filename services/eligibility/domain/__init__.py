"""Pure eligibility rules: standards, people and the dibao, 特困 and temporary-assistance means tests."""
