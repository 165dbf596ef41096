# Concierge billing: `make run` starts the app with demo data, `make test` runs every check.
# Both do all the set-up themselves on a fresh Debian machine that has python3, node and npm.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN_DIR := .tools/bun
BUN := $(BUN_DIR)/node_modules/.bin/bun
BUN_VERSION ?= 1.4.5
CHROMIUM ?= /usr/bin/chromium
PORT ?= 3000

# Reflex must use the bun installed from npm (it cannot download its own here), stay quiet
# about telemetry and update checks, and find bun on PATH.
export PATH := $(CURDIR)/$(BUN_DIR)/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := 0
# Reflex would otherwise time the npm registries (npmjs and a mirror) before its first install;
# use the registry npm itself is configured with.
ifeq ($(origin NPM_CONFIG_REGISTRY),undefined)
NPM_CONFIG_REGISTRY := $(or $(shell npm config get registry 2>/dev/null),https://registry.npmjs.org/)
endif
export NPM_CONFIG_REGISTRY
export PYTHONUNBUFFERED := 1

# Runs apt-get as root, or through sudo when there is one.
SUDO := $(shell if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then echo sudo; fi)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: help install run test lint e2e soak chromium clean month-end direct-debit catalogs i18n
# A half-made target (e.g. a venv without pip) is removed, so the next run builds it again.
.DELETE_ON_ERROR:

help:
	@echo "make run      install everything, migrate, load the demo data and start the app"
	@echo "make run EMPTY=1  the same on a new platform's own empty database (data/platform.db)"
	@echo "make test     install everything (Chromium too), then lint and the whole test suite"
	@echo "make lint     ruff, mypy and the import contracts (import-linter) only"
	@echo "make month-end  issue the monthly commission invoices (the month before today)"
	@echo "make direct-debit  collect open invoices of partners paying by direct debit"
	@echo "make e2e      only the browser tests"
	@echo "make soak     the ledger machines with faults injected, SOAK_EXAMPLES (10000) per machine"
	@echo "make install  Python packages into $(VENV), bun into $(BUN_DIR), compiled catalogs"
	@echo "make i18n     extract the guest side's strings and update every language's catalog"
	@echo "make clean    remove build output (.web, caches); keeps $(VENV), $(BUN_DIR) and data/"

install: $(VENV)/.installed $(BUN) catalogs

$(VENV)/bin/python:
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: installing python3-venv"; \
	  $(SUDO) apt-get update && $(APT_INSTALL) python3-venv && $(PYTHON) -m venv --clear $(VENV); }
	@$(PY) -m pip --version >/dev/null

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(BUN):
	mkdir -p $(BUN_DIR)
	npm install --prefix $(BUN_DIR) --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)
	$(BUN) --version

# The guest side's languages (concierge_app/locale): `make i18n` extracts the strings of the
# guest's pages (T("…"), domain `portal`) and of the server's words (gettext(locale, "…"),
# domain `messages`) and merges them into every language's .po; the build compiles the .mo files.
LOCALE_DIR := concierge_app/locale
PO_FILES := $(wildcard $(LOCALE_DIR)/*/LC_MESSAGES/*.po)
catalogs: $(PO_FILES:.po=.mo)

$(LOCALE_DIR)/%.mo: $(LOCALE_DIR)/%.po | $(VENV)/.installed
	@$(PY) -c "import sys; from babel.messages.pofile import read_po; from babel.messages.mofile import write_mo; \
	  catalog = read_po(open(sys.argv[1], 'rb')); write_mo(open(sys.argv[2], 'wb'), catalog)" $< $@

i18n: $(VENV)/.installed
	$(VENV)/bin/pybabel extract --no-default-keywords -k T --sort-by-file \
	  -o $(LOCALE_DIR)/portal.pot concierge_app
	$(VENV)/bin/pybabel extract --no-default-keywords -k N_ -k gettext:2 -k ngettext:2,3 \
	  -k translated:2 -k _t -k _ --sort-by-file -o $(LOCALE_DIR)/messages.pot concierge_app
	@for lang in es fr de it ja pt nl; do for domain in portal messages; do \
	  po=$(LOCALE_DIR)/$$lang/LC_MESSAGES/$$domain.po; \
	  if [ -f $$po ]; then $(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -D $$domain -l $$lang -i $(LOCALE_DIR)/$$domain.pot -d $(LOCALE_DIR); \
	  else $(VENV)/bin/pybabel init -D $$domain -l $$lang -i $(LOCALE_DIR)/$$domain.pot -d $(LOCALE_DIR); fi; \
	done; done

# Chromium for the browser tests; a CJK font so partner invoice PDFs print Japanese names.
CJK_FONT := /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
chromium:
	@if [ ! -x "$(CHROMIUM)" ] || [ ! -f "$(CJK_FONT)" ]; then \
	  echo "Installing Chromium and fonts from Debian for the browser and PDF tests"; \
	  $(SUDO) apt-get update && $(APT_INSTALL) chromium chromium-driver fonts-dejavu-core \
	    fonts-liberation fonts-droid-fallback; \
	fi
	@"$(CHROMIUM)" --version 2>/dev/null

# `make run` serves the demo database (data/concierge.db, demo data loaded). `make run EMPTY=1`
# serves a new platform's own database instead — data/platform.db unless DATABASE_URL says
# otherwise — migrated and left empty: no demo bookings, partners or logins. Create its first
# admin with `.venv/bin/concierge create-admin`.
ifeq ($(EMPTY),1)
export DATABASE_URL ?= sqlite:///$(CURDIR)/data/platform.db
endif

run: install
	mkdir -p data
	$(PY) -m concierge_app.cli migrate
ifeq ($(EMPTY),1)
	@echo "An empty database: create the first admin with .venv/bin/concierge create-admin"
else
	$(PY) -m concierge_app.cli seed-demo
endif
	@echo
	@echo "Building the frontend, then serving app and API on one port."
	@echo ">>> Open http://localhost:$(PORT) once Reflex prints 'App running'. Ctrl-C stops it."
	@echo
	$(VENV)/bin/reflex run --env prod --single-port --frontend-port $(PORT)

# The monthly commission invoices for the month before today (on DATABASE_URL or data/).
month-end: install
	$(PY) -m concierge_app.cli month-end

# Direct debits of the open documents of partners with a mandate (on DATABASE_URL or data/).
direct-debit: install
	$(PY) -m concierge_app.cli direct-debit

# bench/ is linted once it exists (git keeps no empty folder).
lint: install
	$(VENV)/bin/ruff check concierge_app tests alembic $(wildcard bench)
	$(VENV)/bin/mypy concierge_app/domain concierge_app/services
	$(VENV)/bin/lint-imports

test: install chromium lint
	$(VENV)/bin/pytest

e2e: install chromium
	$(VENV)/bin/pytest -m e2e tests/e2e

# The fault soak (issue 19): the guest and partner ledger machines with provider, SMTP and crash
# faults, SOAK_EXAMPLES examples per machine (default 10,000: hours; CI runs 3 of each).
# SOAK_ARGS passes options, e.g. SOAK_ARGS="--machine partner" or "--backend postgres".
SOAK_EXAMPLES ?= 10000
soak: install
	$(PY) -m bench.soak --examples $(SOAK_EXAMPLES) $(SOAK_ARGS)

clean:
	rm -rf .web .states .tools/e2e-web .tools/e2e-states test-artifacts .pytest_cache .mypy_cache .ruff_cache
