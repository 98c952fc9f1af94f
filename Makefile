# caseroom: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SMTP_PORT ?= 2525

.PHONY: run test test-lowest lint bench install clean

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
	@echo "inbound mail: smtp://$(HOST):$(SMTP_PORT)  (mailbox support@demo.caseroom.dev)"
	CASEROOM_SMS_DEMO_PROVIDER=true CASEROOM_SMTP_PORT=$(SMTP_PORT) CASEROOM_SMTP_HOST=$(HOST) \
		$(BIN)/caseroom serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Test files run on two workers (a file's tests stay together); the tests that
# stop the shared Redis run alone afterwards.
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not serial"
	$(BIN)/pytest -q -m serial

# The unit, integration and contract tests on the lowest version of every direct
# dependency that pyproject.toml allows: the floors there are ones the code works with.
test-lowest: install
	$(BIN)/pip install --quiet "uv>=0.5"
	rm -rf .venv-lowest
	$(BIN)/uv venv --quiet --python $(BIN)/python .venv-lowest
	$(BIN)/uv pip install --quiet --python .venv-lowest/bin/python --resolution lowest-direct -e ".[test]"
	.venv-lowest/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile -m "not serial" tests/unit tests/integration tests/contract

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .venv-lowest caseroom.db caseroom.db-* data .pytest_cache .mypy_cache .ruff_cache
