# Two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: demo test lint types pytest bench samples schema clean system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

system-packages $(SYSTEM_STAMP): scripts/system-packages.sh | $(BIN)/python
	sh scripts/system-packages.sh
	touch $(SYSTEM_STAMP)

demo: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/reporter demo

test: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check reporter tests
	$(BIN)/ruff format --check reporter tests

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/python -m bench

samples: $(STAMP)
	$(BIN)/python -m reporter.emulator.samples samples

schema: $(STAMP)
	$(BIN)/reporter schema > docs/snapshot.schema.json

clean:
	rm -rf $(VENV) reports build dist .pytest_cache .mypy_cache .ruff_cache
