# caseroom: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install clean

$(BIN)/caseroom: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/caseroom

run: install
	$(BIN)/caseroom migrate
	$(BIN)/caseroom demo
	@echo "caseroom is serving on http://$(HOST):$(PORT)  (API docs: /docs, console: /console)"
	$(BIN)/caseroom serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) caseroom.db caseroom.db-* data .pytest_cache .mypy_cache .ruff_cache
