# Everything a fresh machine needs, from Python alone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test up production-settings install messages lint axe backup restore bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Django's compilemessages needs GNU gettext; Babel does the same from Python alone.
messages: install
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(BIN)/python manage.py compilemessages --ignore=$(VENV) --verbosity 0; \
	else \
		$(BIN)/pybabel --quiet compile --directory locale --domain django; \
	fi

run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Le site est sur http://127.0.0.1:8000 (Ctrl+C pour l'arrêter)."
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# axe-core for the accessibility crawl, from the npm registry at the version package-lock.json pins.
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

axe: $(AXE)

test: messages axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The production-like stack on one machine: gunicorn, one Celery worker and Celery beat.
up: export DEBUG ?= 0
up: production-settings messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile

production-settings:
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL n'est pas défini (PostgreSQL)."; exit 1; }
	@test -n "$$REDIS_URL" || { echo "REDIS_URL n'est pas défini (Redis)."; exit 1; }
	@test "$$DEBUG" = 1 || test -n "$$SECRET_KEY" || { echo "SECRET_KEY n'est pas défini."; exit 1; }

# The whole site (PostgreSQL and uploaded files) into one archive, and back (README, "Backups").
backup: install
	$(BIN)/python manage.py backup $(ARCHIVE)

restore: install
	@test -n "$(ARCHIVE)" || { echo "Indiquez la sauvegarde : make restore ARCHIVE=backups/….tar"; exit 1; }
	$(BIN)/python manage.py restore $(ARCHIVE) $(if $(FORCE),--force)

# The bench: a generated regional network on PostgreSQL (databases incubator_bench and incubator_bench_small on
# the server of DATABASE_URL), each measure beside its reference; writes bench/results.json (README, "Performance").
bench: messages
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL n'est pas défini (PostgreSQL)."; exit 1; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)
