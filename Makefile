# ggzy — two commands on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEPS   := $(VENV)/.deps-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV    := $(VENV)/.dev-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
REDIS_URL ?= redis://127.0.0.1:6379/15
JOBS   ?= auto
PYTEST_FLAGS ?=
LOCALE := ggzy/locale
POT    := $(LOCALE)/messages.pot
CATALOGS := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)
MOS    := $(CATALOGS:.po=.mo)

.PHONY: help run serve install dev lint fmt test test-pg test-browser migrate demo bench chromium servers clean \
        messages compile-messages docs-api

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

install: $(DEPS) $(MOS) ## create .venv and install the platform

dev: $(DEV) $(MOS) ## install the platform with the development tools

# Chinese is the source language (msgids); each ggzy/locale/<lang>/LC_MESSAGES/messages.po is kept in git, the
# .mo compiled from it is not (see docs/i18n.md). `make test` and `make run` compile it first.
messages: $(DEPS) ## extract the texts to translate (babel.cfg) and update the catalogs (messages.po)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --width=120 --project=ggzy \
	  --copyright-holder="ggzy contributors" -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d $(LOCALE) -D messages --no-fuzzy-matching --ignore-obsolete --width=120 \
	  --ignore-pot-creation-date
	@rm -f $(POT)

compile-messages: $(MOS) ## compile the catalogs (messages.po → messages.mo)

%.mo: %.po | $(DEPS)
	$(BIN)/pybabel compile -i $< -o $@ --statistics

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

test: lint chromium compile-messages ## lint, then the whole suite on SQLite (browser tests included; needs no server)
	$(BIN)/pytest -n $(JOBS) $(PYTEST_FLAGS)

servers: ## start the local PostgreSQL and Redis if they are not running (test-pg and .ci/run need them)
	@pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 || \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break; sleep 1; done
	@pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "PostgreSQL is not up on 127.0.0.1:5432"; exit 1; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
	@for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis is not up on 127.0.0.1:6379"; exit 1; }

test-pg: dev chromium servers compile-messages ## the whole suite on the local PostgreSQL, with the Redis and multi-node tests
	GGZY_TEST_DATABASE_URL=$(PG_URL) GGZY_TEST_REDIS_URL=$(REDIS_URL) $(BIN)/pytest -n $(JOBS) -m "not conformance" $(PYTEST_FLAGS)

bench: dev ## benchmarks: print their figures (see docs/benchmarks.md)
	$(BIN)/python -m bench

clean: ## remove the virtualenv and local data (var/ holds keys and the database!)
	rm -rf $(VENV) .mypy_cache .ruff_cache

docs-api: dev ## re-record the API examples shown on /docs from their tests (ggzy/web/api_examples/)
	GGZY_WRITE_API_EXAMPLES=1 $(BIN)/pytest -q -n 2 tests/test_api_examples.py \
	  $$($(BIN)/python -c "from tests.apiexamples import SCENARIOS; print(' '.join(SCENARIOS))")
