# Two entry points, both safe on a fresh machine with Python 3.11 and make:
#   make run   - install the runtime into .venv (no torch, no dev tools) and serve the
#                assistant on http://127.0.0.1:8000
#   make test  - install the rest (dev tools, extras) into .venv and run lint, types and tests
# make test-faults runs the fault suite alone (real service and Chroma server processes).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.created
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-faults lint install install-dev clean eval eval-catalogue bench

$(VENV_STAMP):
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $(VENV_STAMP)

# the runtime only: what `serve` needs
$(RUN_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

# everything: the extras (sentence-transformers with torch, the eval baseline, the LLM
# client) and the dev tools
$(DEV_STAMP): pyproject.toml $(VENV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP) $(RUN_STAMP)

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

# listens at once; builds the index on first start in the background (/readyz says when it
# is ready), and prints where the demo page, console and API docs are; two malloc arenas keep
# memory from creeping up across reindexes (deploy/policy-assistant.env)
run: $(RUN_STAMP)
	MALLOC_ARENA_MAX=2 $(BIN)/policy-assistant serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	scripts/install-browser
	$(BIN)/python -m pytest -q

test-faults: $(DEV_STAMP)
	$(BIN)/python -m pytest -q -m faults

eval: $(DEV_STAMP)
	$(BIN)/policy-assistant eval

eval-catalogue: $(DEV_STAMP)
	$(BIN)/policy-assistant eval --catalogue

# CPU per answer by stage (load-independent), latency per route on one core, then real
# processes at c=1 and c=8 with 1 and 2 workers (wall-clock: indicative on a shared machine)
bench: $(DEV_STAMP)
	$(BIN)/python -m evals.cpu
	$(BIN)/python -m evals.benchmark --one-core
	$(BIN)/python -m evals.load --workers 1 2

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
