# Palabra — the two commands of the README, and a few more.
#   make demo   creates .venv, installs Palabra and runs the demo on the embedded SQLite store
#   make test   creates .venv with the dev tools, makes sure PostgreSQL is up, runs every test
#   make graphiql  rebuilds the GraphiQL files the package serves, from the npm packages
#                  pinned in ui/graphiql (package-lock.json); the result is checked in
#   make ui     also rebuilds the dashboard served at /app, from ui/dashboard (its sources
#               and package-lock.json) into api/http/static/app/; the result is checked in

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PIP     := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo docs test lint check install install-dev clean graphiql ui

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/palabra demo

test: $(VENV)/.installed-dev
	bash .ci/ensure-postgres
	$(BIN)/python -m pytest

# run every example of README.md and docs/*.md and write what it produces into the doc
docs: $(VENV)/.installed-dev
	$(BIN)/python -m tests.support.docs --update

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

GRAPHIQL_UI     := ui/graphiql
GRAPHIQL_VENDOR := api/graphql/static/graphiql/vendor
GRAPHIQL_FILES  := graphiql/graphiql.min.js graphiql/graphiql.min.css \
                   react/umd/react.production.min.js react-dom/umd/react-dom.production.min.js \
                   graphql-ws/umd/graphql-ws.min.js

graphiql:
	cd $(GRAPHIQL_UI) && npm ci --no-audit --no-fund
	rm -rf $(GRAPHIQL_VENDOR) && mkdir -p $(GRAPHIQL_VENDOR)
	for file in $(GRAPHIQL_FILES); do \
	  sed '/sourceMappingURL=/d' $(GRAPHIQL_UI)/node_modules/$$file > $(GRAPHIQL_VENDOR)/$$(basename $$file); \
	done
	for package in graphiql react react-dom graphql-ws; do \
	  cp $(GRAPHIQL_UI)/node_modules/$$package/LICENSE* $(GRAPHIQL_VENDOR)/$$package.LICENSE; \
	done

DASHBOARD_UI := ui/dashboard

ui: graphiql
	cd $(DASHBOARD_UI) && npm ci --no-audit --no-fund && npm run build
