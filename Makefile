# All set-up happens here: `make run` and `make test` create .venv and install what they need.
PYTHON ?= python3
# Extra pip arguments for torch, e.g. the CPU wheel index in a container image.
TORCH_PIP_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench bench-service bench-batch bench-startup bench-scaleout clean

$(STAMP): pyproject.toml web/package-lock.json
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned: it takes the CPU wheel instead of a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install -q -e '.[dev]'
	# KaTeX for the web pages, pinned by the lockfile; the service serves it itself. Without
	# npm the pages still work and show math as TeX source.
	if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the web pages will show math as TeX source" >&2; \
	fi
	touch $(STAMP)

# The service on DLGRADE_HOST:DLGRADE_PORT (127.0.0.1:8000), data in DLGRADE_DATA_DIR (./data).
run: $(STAMP)
	$(BIN)/dlgrade serve

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.grading

bench-service: $(STAMP)
	$(BIN)/python -m benchmarks.service

# `dlgrade batch` on a generated 1,000-student class, end to end, first run and unchanged rerun.
bench-batch: $(STAMP)
	$(BIN)/python -m benchmarks.batch

# The commands' start-up, cold (no cache) and warm.
bench-startup: $(STAMP)
	$(BIN)/python -m benchmarks.startup

# Scale-out: a surge through 2 server processes on PostgreSQL, Celery workers, a SIGKILL.
# Needs a PostgreSQL server (--database-url) and redis-server on the PATH.
bench-scaleout: $(STAMP)
	$(BIN)/python -m benchmarks.scaleout

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
