# ggzy — two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV    := $(VENV)/.dev-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
JOBS   ?= auto

.PHONY: help run serve install dev lint fmt test test-pg test-browser migrate demo bench chromium clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(DEPS): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@rm -f $(VENV)/.deps-*; touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.dev-* $(VENV)/.deps-*; touch $@ $(DEPS)

install: $(DEPS) ## create .venv and install the platform

dev: $(DEV) ## install the platform with the development tools

run: install ## migrate, load the demo city if the database is empty, serve on http://127.0.0.1:8000
	$(BIN)/ggzy db upgrade
	$(BIN)/ggzy demo --if-empty
	$(BIN)/ggzy serve --host 127.0.0.1 --port 8000

migrate: install ## apply database migrations
	$(BIN)/ggzy db upgrade

demo: install ## load the demo city (idempotent)
	$(BIN)/ggzy demo

lint: dev ## ruff, ruff format --check, mypy, import-linter
	$(BIN)/ruff check ggzy tests bench
	$(BIN)/ruff format --check ggzy tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: dev ## format and autofix
	$(BIN)/ruff format ggzy tests bench
	$(BIN)/ruff check --fix ggzy tests bench

chromium: ## install Debian's Chromium (and a Chinese font, for the screenshots) if missing
	@missing=; test -x /usr/bin/chromium || missing=chromium; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get install -y $$missing || { $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; }; \
	fi

test: lint chromium ## lint, then the whole suite on SQLite (browser tests included)
	$(BIN)/pytest -n $(JOBS)

test-pg: dev chromium ## the whole suite on the local PostgreSQL (a fresh database per worker)
	GGZY_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(JOBS)

bench: dev ## benchmarks: print their figures (see docs/benchmarks.md)
	$(BIN)/python -m bench

clean: ## remove the virtualenv and local data (var/ holds keys and the database!)
	rm -rf $(VENV) .mypy_cache .ruff_cache
