# Two commands on a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test typecheck install clean bench schema

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/incidentdesk --config samples/demo.toml --log-level WARNING demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q

# mypy, configured in pyproject.toml ([tool.mypy]: strict for workflow/ and models/)
typecheck: $(VENV)/.installed
	$(BIN)/mypy

# Regenerate the initial migration from the models (before the first release only).
schema: $(VENV)/.installed
	$(BIN)/python -m models.regenerate

clean:
	rm -rf var .pytest_cache
