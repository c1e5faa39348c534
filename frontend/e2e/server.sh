#!/usr/bin/env bash
# The real backend for the end-to-end tests, started (and stopped) by Playwright's webServer:
# a fresh PostgreSQL database, migrated and seeded with the demo bank, served by gunicorn
# together with the built app (frontend/dist), exactly as `make run` serves it.
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${E2E_DATABASE_URL:?set E2E_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/bankingsystem_e2e}"
: "${E2E_PORT:=18508}"
VENV=${VENV:-.venv}

if [[ ! -f frontend/dist/index.html ]]; then
  echo "frontend/dist is missing: run 'npm run build' in frontend/ (make frontend-e2e does)" >&2
  exit 1
fi

db_name=${E2E_DATABASE_URL##*/}
maintenance_url=${E2E_DATABASE_URL%/*}/postgres
psql "$maintenance_url" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)"
psql "$maintenance_url" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$db_name\""

# Embedded Celery (no REDIS_URL): the browser tests exercise the web tier, not the workers.
unset REDIS_URL
export DATABASE_URL=$E2E_DATABASE_URL DEBUG=false LOG_LEVEL=${LOG_LEVEL:-WARNING} SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
export FRONTEND_DIST_DIR="$PWD/frontend/dist"
# Production settings (DEBUG off) but served over plain HTTP on loopback: without these the
# server would redirect every request to https:// and mark its cookies Secure.
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
# Every test signs in from 127.0.0.1: the per-IP sign-in limit (20/min in production) would
# refuse the suite's own logins, so it is raised here (the limit has its own API tests).
export THROTTLE_AUTH=${THROTTLE_AUTH:-600/min}
"$VENV/bin/python" manage.py migrate --noinput -v0
"$VENV/bin/python" manage.py seed_demo >/dev/null
# Loan applications are scored by the credit model: a quick one (logistic regression only,
# seconds) into a git-ignored var/ dir, kept between runs.
export LOAN_MODEL_DIR="$PWD/var/e2e-loan-model"
"$VENV/bin/python" manage.py train_loan_model --if-missing --only logistic_regression --output-dir "$LOAN_MODEL_DIR" >/dev/null
exec "$VENV/bin/gunicorn" bankingsystem.wsgi --bind "127.0.0.1:$E2E_PORT" --workers 2 --log-level warning
