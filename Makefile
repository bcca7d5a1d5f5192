# Credstack: the two commands are `make run` and `make test` (README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# two npm projects: the JS reference (tests/interop) and the wallet clients (tests/interop/wallets), kept apart
NODE_STAMP := tests/interop/node_modules/.installed tests/interop/wallets/node_modules/.installed

.PHONY: run test lint typecheck layers unit bench install install-node contexts clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

%/node_modules/.installed: %/package.json %/package-lock.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install-node: $(NODE_STAMP)

run: $(STAMP)
	$(BIN)/credstack db upgrade
	$(BIN)/credstack serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

test: lint typecheck layers unit

bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python bench/proofs.py
	$(BIN)/python bench/issue_http.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/stacks.py

contexts: $(STAMP)
	$(BIN)/python scripts/fetch_contexts.py

clean:
	rm -rf $(VENV) tests/interop/node_modules tests/interop/wallets/node_modules var .mypy_cache .ruff_cache .pytest_cache
