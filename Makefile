# qtrail: `make up` runs the whole system locally with a demo project; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
BASE_URL ?= http://$${QTRAIL_HTTP_HOST:-127.0.0.1}:$${QTRAIL_HTTP_PORT:-8000}

.PHONY: venv prereqs prereqs-test up down status test unit lint bench bench-scale schemas messages clean

prereqs:
	deploy/prerequisites.sh

prereqs-test:
	deploy/prerequisites.sh --test

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

up: prereqs venv
	deploy/stack.sh up
	deploy/services.sh up
	@$(VENV)/bin/qtrail demo --base-url $(BASE_URL)
	@echo
	@echo "qtrail is up:"
	@echo "  API      $(BASE_URL)   (health: $(BASE_URL)/healthz, metrics: $(BASE_URL)/metrics)"
	@echo "  OpenAPI  $(BASE_URL)/docs"
	@echo "  Kafka    127.0.0.1:$${QTRAIL_KAFKA_PORT:-19092}   PostgreSQL 127.0.0.1:$${QTRAIL_PG_PORT:-55432}"
	@echo "  logs     .state/logs/   stop with: make down"

down:
	-deploy/services.sh down
	deploy/stack.sh down

status:
	-deploy/stack.sh status
	-deploy/services.sh status

test: prereqs-test venv
	deploy/stack.sh up
	$(VENV)/bin/ruff check services events tests
	$(VENV)/bin/mypy services events
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

unit: venv
	$(PY) -m pytest tests/unit

lint: venv
	$(VENV)/bin/ruff check services events tests
	$(VENV)/bin/ruff format --check services events tests
	$(VENV)/bin/mypy services events
	$(VENV)/bin/lint-imports

# The bench's peer baseline (the eventsourcing library) is a bench-only dependency: `.[bench]`.
$(BENCH_STAMP): $(STAMP)
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[bench]'
	touch $(BENCH_STAMP)

# Smaller runs: QTRAIL_BENCH_EVENTS, _BATCH_EVENTS, _PAGE_EVENTS, _RAW, _PEER_EVENTS, _CHAIN_EVENTS.
bench: prereqs venv $(BENCH_STAMP)
	deploy/stack.sh up
	$(PY) -m tests.bench

# 1,000,000 events over 1,000 projects by default: QTRAIL_BENCH_SCALE_EVENTS, _SCALE_PROJECTS.
bench-scale: prereqs venv
	deploy/stack.sh up
	$(PY) -m tests.bench.scale

schemas: venv
	$(VENV)/bin/qtrail schemas

# The pages' msgids (templates, and N_ in services/http) into the zh_CN catalog: translate each new
# entry (empty or fuzzy ones fail tests/unit/http/test_i18n.py). Keywords as in services/http/i18n.py.
LOCALE_DIR := services/http/locale
messages: venv
	pot=$$(mktemp --suffix=.pot) && trap 'rm -f "$$pot"' EXIT && \
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k bi -k bi_plain -k N_ --no-wrap --sort-by-file \
	  --project=qtrail -o "$$pot" . && \
	$(VENV)/bin/pybabel -q update -i "$$pot" -d $(LOCALE_DIR) -D messages -l zh_CN --no-wrap \
	  --ignore-obsolete

clean: down
	rm -rf .state .bench .artifacts
