# The two commands a new machine needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Tests and benchmarks use the real services on this machine (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bankingsystem
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2

.PHONY: run test bench lint fmt schema migrate seed check clean help loan-model bench-interest

help:
	@echo "make run    - install, migrate, seed the demo bank, serve http://$(HOST):$(PORT) (SQLite, no Redis needed)"
	@echo "make test   - install test dependencies and run the whole suite on PostgreSQL and Redis"
	@echo "make bench  - the benchmark suite against PostgreSQL (BENCH_ARGS=--quick for a smoke run); writes docs/benchmarks.md"
	@echo "make lint   - ruff check and format check"
	@echo "make schema - write the OpenAPI schema to openapi.yaml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# A random SECRET_KEY for this checkout, written once, never committed (.gitignore).
.env:
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "DEBUG=true" >> .env
	@echo "wrote .env with a fresh SECRET_KEY"

migrate: $(VENV)/.installed-run .env
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed loan-model
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving on http://$(HOST):$(PORT)/  (API /api/v1/, docs /api/docs/, admin /admin/)"
	@# Celery beat runs the schedule (django-celery-beat tables). With no REDIS_URL there is no
	@# broker: beat runs each task eagerly in its own process (see README, "Interest").
	$(BIN)/celery -A bankingsystem beat --loglevel=info & beat=$$!; trap 'kill $$beat 2>/dev/null' EXIT; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(MAKE) frontend-test frontend-e2e

# wrk (Debian) drives the HTTP scenario; pgbench comes with PostgreSQL's client tools.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(VENV)/.installed-run .env
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file openapi.yaml

# The loan risk model (loans/ml): trained from the shipped CSV when none is present.
loan-model: migrate
	$(BIN)/python manage.py train_loan_model --if-missing

# Interest accrual over N accounts (one day, set-based) and the month's posting of them
# (INTEREST_BENCH_POSTING_ACCOUNTS of them, default all); prints figures. Its own scratch
# database: the command empties it. BENCH_REDIS_URL queues the notifications as production
# does (without it they run inside the measured posting).
INTEREST_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bankingsystem_interest_bench
INTEREST_BENCH_ACCOUNTS ?= 100000
INTEREST_BENCH_POSTING_ACCOUNTS ?= $(INTEREST_BENCH_ACCOUNTS)

bench-interest: $(VENV)/.installed-run
	psql "$(INTEREST_BENCH_DATABASE_URL)" -c 'select 1' >/dev/null 2>&1 || \
		psql "$(dir $(INTEREST_BENCH_DATABASE_URL))postgres" -c 'create database $(notdir $(INTEREST_BENCH_DATABASE_URL))'
	SECRET_KEY=bench-$$RANDOM DATABASE_URL=$(INTEREST_BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
		$(BIN)/python manage.py bench_interest \
		--accounts $(INTEREST_BENCH_ACCOUNTS) --posting-accounts $(INTEREST_BENCH_POSTING_ACCOUNTS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache

# --- Operations (issue 9): monitoring, containers, Kubernetes; see README "Operations" -------
OVERLAY ?= dev
IMAGE_TAG ?= dev
OPS_TESTS := bankingsystem/tests/test_ops_configs.py bankingsystem/tests/test_observability_e2e.py

.PHONY: ops-check monitoring-generate k8s-render k8s-deploy

ops-check: $(VENV)/.installed-dev  ## promtool, kubectl kustomize + schemas, compose, hadolint, dashboards (also inside `make test`)
	SECRET_KEY=test-$$RANDOM$$RANDOM DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest -n 0 $(OPS_TESTS) $(PYTEST_ARGS)

monitoring-generate: $(VENV)/.installed-run  ## rewrite the SLO rules and dashboard JSON from their sources
	$(BIN)/python monitoring/prometheus/sloth.py --write
	$(BIN)/python monitoring/grafana/dashboards.py --write

k8s-render:  ## print the manifests of OVERLAY (dev or prod)
	kubectl kustomize k8s/overlays/$(OVERLAY)

# Deploy OVERLAY with the image IMAGE_TAG: migrations first (a Job's template is immutable,
# so the previous one goes), then the rollout, waiting for each.
k8s-deploy:
	@tmp=$$(mktemp -d) && cp -r k8s $$tmp/ && mkdir -p $$tmp/release \
		&& printf 'resources: [../k8s/overlays/%s]\nimages: [{name: registry.example.com/bank/bankingsystem, newTag: "%s"}]\n' \
			"$(OVERLAY)" "$(IMAGE_TAG)" > $$tmp/release/kustomization.yaml \
		&& kubectl -n bank-$(OVERLAY) delete job migrate --ignore-not-found \
		&& kubectl apply -k $$tmp/release \
		&& kubectl -n bank-$(OVERLAY) wait --for=condition=complete job/migrate --timeout=15m \
		&& for d in web worker beat; do kubectl -n bank-$(OVERLAY) rollout status deployment/$$d --timeout=10m || exit 1; done

# --- Customer web app (frontend/): React + Vite, served by Django --------------------------
# `make run` builds it when Node.js 20+ is here; `make test` runs its unit tests, the check
# that the committed OpenAPI schema and generated client match the Django code
# (frontend-test), and the Playwright tests in Debian's Chromium against a real server on
# PostgreSQL (frontend-e2e, alias e2e). JUnit reports go to reports/ (Jenkins reads them).
NPM ?= npm
FRONTEND := frontend
E2E_DATABASE_URL ?= $(TEST_DATABASE_URL)_e2e
NODE_OK := $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' >/dev/null 2>&1 && echo yes)
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(addprefix $(FRONTEND)/,index.html vite.config.ts tsconfig.json package.json)

.PHONY: frontend-app frontend-build frontend-api frontend-drift frontend-lint frontend-unit frontend-e2e e2e frontend-test frontend-node

run: frontend-app

frontend-node:
	@test "$(NODE_OK)" = yes || { echo "Node.js 20 or newer is needed for the web app (frontend/)"; exit 1; }

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json | frontend-node
	cd $(FRONTEND) && $(NPM) ci --no-audit --no-fund
	touch $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd $(FRONTEND) && $(NPM) run build

frontend-build: $(FRONTEND)/dist/index.html

# The app in `make run`: built when Node.js 20+ is present; otherwise the API still serves.
frontend-app:
ifeq ($(NODE_OK),yes)
	@$(MAKE) --no-print-directory frontend-build
else
	@echo "Node.js 20+ not found: serving the API and admin; / explains how to build the web app"
endif

# Regenerate the committed schema and the TypeScript client after changing the API.
frontend-api: $(VENV)/.installed-run $(FRONTEND)/node_modules/.package-lock.json
	SECRET_KEY=schema DEBUG=false $(BIN)/python manage.py spectacular --validate --fail-on-warn --file $(FRONTEND)/openapi.yaml
	cd $(FRONTEND) && $(NPM) run --silent api:generate

# Fails when the committed schema or client differ from what the code generates now.
frontend-drift: $(VENV)/.installed-run $(FRONTEND)/node_modules/.package-lock.json
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	SECRET_KEY=schema DEBUG=false $(BIN)/python manage.py spectacular --validate --fail-on-warn --file "$$tmp/openapi.yaml" && \
	(cd $(FRONTEND) && npx --no-install openapi-typescript "$$tmp/openapi.yaml" -o "$$tmp/schema.d.ts" >/dev/null) && \
	if diff -u $(FRONTEND)/openapi.yaml "$$tmp/openapi.yaml" && diff -u $(FRONTEND)/src/lib/api/schema.d.ts "$$tmp/schema.d.ts"; then \
		echo "frontend API client: schema and generated client match the code"; \
	else \
		echo "frontend API client is stale: run 'make frontend-api' and commit the result" >&2; exit 1; \
	fi

frontend-lint: $(FRONTEND)/node_modules/.package-lock.json
	cd $(FRONTEND) && $(NPM) run --silent typecheck

frontend-unit: frontend-lint
	cd $(FRONTEND) && $(NPM) test

frontend-e2e: frontend-build $(VENV)/.installed-run
	cd $(FRONTEND) && E2E_DATABASE_URL=$(E2E_DATABASE_URL) VENV=$(abspath $(VENV)) npx --no-install playwright test

e2e: frontend-e2e

frontend-test: frontend-drift frontend-unit

# --- Backups (issue 12): pg_dump's custom format, restored into a fresh database -------------
# make backup  DATABASE_URL=postgres://...            -> var/backups/bank-<UTC time>.dump
# make restore DATABASE_URL=postgres://.../new_db BACKUP=var/backups/bank-....dump
# restore refuses a database that already has tables: restore into a new one, check it
# (`ledger_check`, `audit_verify`), then point the app at it.
BACKUP_DIR ?= var/backups
.PHONY: backup restore

backup:
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL (PostgreSQL) to back up"; exit 1; }
	@mkdir -p $(BACKUP_DIR)
	pg_dump --format=custom --no-owner --no-privileges --file "$(BACKUP_DIR)/bank-$$(date -u +%Y%m%dT%H%M%SZ).dump" "$(DATABASE_URL)"
	@ls -1t $(BACKUP_DIR)/bank-*.dump | head -n 1

restore:
	@test -n "$(DATABASE_URL)" -a -n "$(BACKUP)" || { echo "set DATABASE_URL (the new database) and BACKUP (a .dump file)"; exit 1; }
	psql "$(dir $(DATABASE_URL))postgres" -v ON_ERROR_STOP=1 -qc 'create database "$(notdir $(DATABASE_URL))"' 2>/dev/null || true
	@test "$$(psql "$(DATABASE_URL)" -Atc "select count(*) from pg_tables where schemaname = 'public'")" = 0 || \
		{ echo "$(notdir $(DATABASE_URL)) already has tables: restore into a new database"; exit 1; }
	pg_restore --exit-on-error --no-owner --no-privileges --dbname "$(DATABASE_URL)" "$(BACKUP)"

# --- The bank workload under faults (issue 12) ----------------------------------------------
# Its own throwaway PostgreSQL cluster and Redis; prints a summary, exit 1 on any anomaly.
CHAOS_DURATION ?= 180
.PHONY: chaos
chaos: $(VENV)/.installed-dev
	$(BIN)/python -m chaos --duration $(CHAOS_DURATION) $(CHAOS_ARGS)
