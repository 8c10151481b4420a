# Palabra — the two commands of the README, and a few more.
#   make demo   creates .venv, installs Palabra and runs the demo on the embedded SQLite store
#   make test   creates .venv with the dev tools, makes sure PostgreSQL is up, runs every test

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PIP     := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo docs test lint check install install-dev clean

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
