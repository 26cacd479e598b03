# Zhibu — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
# The suite runs on both cores of the target machines (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
# The first Python >= 3.11 on PATH builds the virtual environment.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: help setup demo serve test lint fmt check-python messages bench worker clean

help:
	@echo "make demo    set up everything and serve the demo organisation on http://$(HOST):$(PORT)/"
	@echo "make test    set up everything and run lint (ruff, mypy) and the whole test suite"
	@echo "make fmt     format the code (ruff)"
	@echo "make messages  refresh the English catalogue (needs GNU gettext)"
	@echo "make bench   run the benchmarks and write docs/benchmarks.md (long)"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "Zhibu needs Python 3.11 or newer (python3 on PATH)." >&2; exit 1; fi
	@command -v npm >/dev/null 2>&1 || { echo "Zhibu needs Node.js and npm for its front-end assets." >&2; exit 1; }

$(VENV)/.installed: requirements/dev.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	@touch $@

node_modules/.installed: package-lock.json | check-python
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

zhibu/static/vendor/.copied: node_modules/.installed scripts/vendor-assets.sh
	./scripts/vendor-assets.sh
	@touch $@

setup: $(VENV)/.installed zhibu/static/vendor/.copied
	@$(PY) manage.py i18n_compile

demo: setup
	@mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data
	@ZHIBU_DEBUG=$${ZHIBU_DEBUG:-0} $(PY) manage.py demo_banner --url "http://$(HOST):$(PORT)/"
	ZHIBU_DEBUG=$${ZHIBU_DEBUG:-0} $(PY) manage.py runserver --noreload "$(HOST):$(PORT)"

serve: setup
	$(PY) manage.py runserver "$(HOST):$(PORT)"

worker: setup
	$(PY) manage.py imports_recover --minutes 1
	$(PY) manage.py db_worker

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	ZHIBU_ENV=test $(VENV)/bin/mypy

fmt: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	@./scripts/ensure-chromium.sh || true
	ZHIBU_ENV=test $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

messages: setup
	$(PY) manage.py makemessages -l en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --no-obsolete
	$(PY) scripts/po_fill.py
	$(PY) manage.py i18n_compile

bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules zhibu/static/vendor var/staticfiles
