# newsdesk: `make run` to see the site, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit postgres-tests browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsdesk init
	$(BIN)/newsdesk run --host $(HOST) --port $(PORT)

browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# Django reads its settings before any conftest runs, so the test home is set here.
unit: $(STAMP)
	NEWSDESK_HOME=$$(mktemp -d) $(BIN)/pytest -p no:cacheprovider -n 2

# the storage and pipeline tests again, against a real PostgreSQL (skipped when none answers,
# required when CI=true)
postgres-tests: $(STAMP)
	NEWSDESK_HOME=$$(mktemp -d) $(BIN)/python tests/postgres_pass.py

test: lint typecheck browser-deps unit postgres-tests

clean:
	rm -rf $(VENV) .newsdesk .pytest_cache .mypy_cache .ruff_cache
