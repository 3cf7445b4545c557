# All set-up happens here: `make run` and `make test` create .venv and install what they need.
PYTHON ?= python3
# Extra pip arguments for torch, e.g. the CPU wheel index in a container image.
TORCH_PIP_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench bench-service clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch first, pinned: it takes the CPU wheel instead of a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install -q -e '.[dev]'
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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
