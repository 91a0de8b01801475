# The two commands: `make run` and `make test`. Both create or update .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Reinstall whenever the dependency list changes.
INSTALLED := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test check asyncapi clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(INSTALLED)
	$(BIN)/safetynet run --port $(PORT)

check: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m shared.contracts.asyncapi --check

# Three workers on two cores (the tests wait on servers and subprocesses) share one PostgreSQL server and
# one Kafka broker; the broker's tests run on one of them.
# The dashboard's test drives Debian's Chromium (tests/oversight/test_dashboard.py).
test: check
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	$(BIN)/pytest -n 3 --dist loadgroup

asyncapi: $(INSTALLED)
	$(BIN)/python -m shared.contracts.asyncapi

clean:
	-$(BIN)/safetynet kafka stop
	rm -rf $(VENV) .safetynet .pytest_cache .mypy_cache .ruff_cache
