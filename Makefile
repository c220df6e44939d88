# Orbit — the commands a newcomer needs. `make demo` runs it, `make test` checks it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install demo test lint typecheck format messages compilemessages clean mutation

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Orbit needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Fresh clone -> running Orbit with demo data on the embedded SQLite database, run as in production: DEBUG
# off (Orbit's own error pages in the user's language), static files collected into var/static and served by
# WhiteNoise, and a random secret key made once and kept in var/secret-key (never a fixed, published one).
DEMO_ENV = SECRET_KEY="$$(cat var/secret-key)"

demo: install var/secret-key
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(PY) manage.py demo seed --size small --if-empty
	@echo "Orbit runs at http://$(HOST)/  (Ctrl+C stops it). The background worker sends notifications and"
	@echo "escalations; the e-mails it would send are written to var/mail/."
	$(DEMO_ENV) EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend \
	$(PY) manage.py db_worker --no-reload --interval 2 -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST)

var/secret-key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# The whole suite on PostgreSQL (DATABASE_URL, default the local server), browser tests included.
test: install
	@bash scripts/run-tests $(ARGS)

# Mutation testing of the ownership ledger and the access policy (bench/mutation.toml, PostgreSQL); a few
# minutes. Report in var/mutation-report.md; ARGS="--target orbit/access/policy.py" or ARGS="--only ...".
mutation: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/orbit} $(PY) -m bench.mutation $(ARGS)

# ruff, unused or undeclared dependencies (deptry), and the type check.
lint: install typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/deptry .

# mypy with django-stubs on the services, selectors and the access policy ([tool.mypy] in pyproject.toml).
typecheck: install
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	DEBUG=true $(PY) manage.py makemessages -l ru -l en --ignore=.venv --ignore=bench --ignore=tests --ignore=var --no-obsolete

compilemessages: install
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
