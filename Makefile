# motcua: `make run` and `make test` do all set-up themselves (idempotent, quick when done).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
STAMP_SYSTEM := var/.system-packages
VENDOR := webapp/static/vendor
STAMP_VENDOR := $(VENDOR)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: run test lint bench install clean

install: $(STAMP_PY) $(STAMP_NODE) $(STAMP_SYSTEM) $(STAMP_VENDOR)

$(STAMP_PY): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# bpmn-js's viewer for the operations pages, served from webapp/static/vendor/ (not in git).
$(STAMP_VENDOR): $(STAMP_NODE)
	@mkdir -p $(VENDOR)
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css $(VENDOR)/
	@touch $@

# Debian packages the tests need (PostgreSQL, Chromium); skipped when present.
$(STAMP_SYSTEM): scripts/system-packages.sh
	@mkdir -p var
	bash scripts/system-packages.sh
	@touch $@

run: install
	$(VENV)/bin/motcua up

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP_PY)
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache
