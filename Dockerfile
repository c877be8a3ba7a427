# motcua workers and webapp (and the one-shot deployment) for docker-compose.yml.
# Installs the project the way `make` does: a virtual environment in .venv, pip upgraded, then
# the project itself in editable mode, so settings.PROJECT_ROOT is /app and bpmn/, forms/ and
# catalog/ are found beside the code exactly as in a `make run` checkout. The `test` extra that
# `make` adds is left out: the image runs the system, it does not test it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/app/.venv/bin:$PATH \
    MOTCUA_DATA_DIR=/var/lib/motcua \
    MOTCUA_WEB_HOST=0.0.0.0 \
    MOTCUA_WEB_PORT=8000

RUN groupadd --system --gid 10001 motcua \
 && useradd --system --uid 10001 --gid motcua --home-dir /app --no-create-home motcua \
 && mkdir -p /var/lib/motcua \
 && chown motcua:motcua /var/lib/motcua

WORKDIR /app

# Code first, then dependencies; the process assets change most often and come last.
COPY pyproject.toml README.md ./
COPY motcua/ motcua/
COPY engine/ engine/
COPY workers/ workers/
COPY webapp/ webapp/
RUN python -m venv .venv \
 && .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip \
 && .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.'

COPY bpmn/ bpmn/
COPY forms/ forms/
COPY catalog/ catalog/

USER motcua
EXPOSE 8000
CMD ["motcua", "web", "--host", "0.0.0.0", "--port", "8000"]
