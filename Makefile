# Two entry points, both safe on a fresh machine with Python 3.11 and make:
#   make run   - install into .venv and serve the assistant on http://127.0.0.1:8000
#   make test  - install into .venv (with dev tools) and run lint, types and tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean eval bench

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# builds the index on first start, then prints where the demo page, console and API docs are
run: $(STAMP)
	$(BIN)/policy-assistant serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	scripts/install-browser
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/policy-assistant eval

bench: $(STAMP)
	$(BIN)/python -m evals.benchmark

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
