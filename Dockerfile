# syntax=docker/dockerfile:1.7
# One image for web (gunicorn), worker and beat (celery): docker-compose.yml and k8s/ pick
# the command. Multi-stage: the React app and the Python dependencies are built in their
# own stages; the runtime stage has no compilers, no npm and runs as an unprivileged user.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG NODE_IMAGE=node:20.19-bookworm-slim

# --- 1. The React app (frontend/, issue 8), when the checkout has it ---------------------
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
RUN --mount=type=bind,target=/context \
    mkdir -p /src/dist \
    && if [ -f /context/frontend/package.json ]; then \
         cp -a /context/frontend/. /src/ \
         && npm ci --no-audit --no-fund \
         && npm run build; \
       fi

# --- 2. Python dependencies in a virtualenv ------------------------------------------------
FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /venv && /venv/bin/pip install --requirement /tmp/requirements.txt

# --- 3. Runtime -----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=bankingsystem.settings \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system --gid 10001 bank \
    && useradd --system --uid 10001 --gid bank --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin bank
WORKDIR /app
COPY --from=python-deps /venv /venv
COPY . /app
COPY --from=frontend /src/dist /app/frontend/dist
# Static files are baked in (whitenoise serves them); the key is a throwaway for this step.
RUN SECRET_KEY=collectstatic-only-not-secret python manage.py collectstatic --noinput --verbosity 0
# Code and static files stay root-owned and read-only to the process.
USER 10001:10001
EXPOSE 8000 9808
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "bankingsystem.wsgi"]
