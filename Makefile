# The two commands everyone needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve bench loadtest backup restore screenshots lint format messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Compiled catalogues, with Babel instead of GNU gettext so no system tools are needed.
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --domain django --directory locale --statistics

run: export DEBUG ?= true
run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddata demo
	$(BIN)/python manage.py ensure_local_admin
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production server: gunicorn, DEBUG off, static files from WhiteNoise. It listens on
# plain HTTP on 127.0.0.1, behind the TLS proxy, so it does not redirect to HTTPS itself
# unless SECURE_SSL_REDIRECT says so. No gunicorn access log: it would record visitors' IP
# addresses, and the site logs every request itself (raise_site/requestlog.py).
WEB_CONCURRENCY ?= 2
serve: export SECURE_SSL_REDIRECT ?= false
serve: messages
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn raise_site.wsgi --bind $(HOST):$(PORT) --workers $(WEB_CONCURRENCY) \
		--forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# Figures for the README: requests per second and latency, cached and uncached. With
# SIZE=S|M|L, every kind of request's CPU, queries and memory at that size of site instead,
# on SQLite or, with BENCH_DATABASE=postgresql, on PostgreSQL (DATABASE_URL's server).
bench: messages
	$(if $(SIZE),$(BIN)/python scripts/scale_bench.py --size $(SIZE) \
		--database $(or $(BENCH_DATABASE),sqlite),$(BIN)/python scripts/bench.py)

# Page views and feedback posts against the production server on 127.0.0.1 for a bounded
# time (LOADTEST_SECONDS, default 15); fails on any error or any feedback not stored.
loadtest: messages
	$(BIN)/python scripts/loadtest.py

# The database and the uploaded media, into a new folder (README: Backup and restore).
backup: BACKUP_DIR ?= backups/$(shell date +%Y-%m-%d-%H%M%S)
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup $(BACKUP_DIR)

# Replace the database and media with a backup: make restore BACKUP_DIR=backups/…
restore: $(VENV)/.installed
	$(if $(BACKUP_DIR),,$(error Name the backup: make restore BACKUP_DIR=backups/...))
	$(BIN)/python manage.py restore $(BACKUP_DIR)

# Pictures of the main pages at 1280 and 375 px wide, in docs/screenshots/.
screenshots: messages
	$(BIN)/python scripts/screenshots.py

test: messages
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 locale/*/LC_MESSAGES/*.mo
