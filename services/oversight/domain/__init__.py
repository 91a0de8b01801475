"""Pure rules of the oversight service: matching people across files, reading other departments' rows, and what
each check finds."""
