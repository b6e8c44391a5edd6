# Two entry points, both safe on a fresh machine with Python 3.11 and make:
#   make run   - install into .venv and run the assistant
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

run: $(STAMP)
	$(BIN)/policy-assistant index
	$(BIN)/policy-assistant documents
	$(BIN)/policy-assistant ask "谁负责岸电建设？"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/policy-assistant eval

bench: $(STAMP)
	$(BIN)/python -m evals.benchmark

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
