# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m aftersales demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict

# One worker per core (at most 4): the suite is CPU-bound and its stores are private per test (a temp
# file, a throw-away PostgreSQL schema), so workers never share state.
unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n auto --maxprocesses 4

test: lint typecheck unit

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e '.[bench]' || true
	$(BIN)/python benchmarks/scale_file.py  # the 1 M-ticket file: built once (benchmarks/.data), then reused
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
