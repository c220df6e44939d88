# Orbit — the commands a newcomer needs. `make demo` runs it, `make test` checks it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install demo test lint format messages compilemessages clean mutation

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Orbit needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Fresh clone -> running Orbit with demo data on the embedded SQLite database.
demo: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py demo seed --size small --if-empty
	@echo "Orbit runs at http://$(HOST)/  (Ctrl+C stops it). The background worker sends notifications and"
	@echo "escalations; the e-mails it would send are written to var/mail/."
	DEBUG=true EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend \
	$(PY) manage.py db_worker --no-reload --interval 2 -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver $(HOST)

# The whole suite on PostgreSQL (DATABASE_URL, default the local server), browser tests included.
test: install
	@bash scripts/run-tests $(ARGS)

# Mutation testing of the ownership ledger and the access policy (bench/mutation.toml, PostgreSQL); a few
# minutes. Report in var/mutation-report.md; ARGS="--target orbit/access/policy.py" or ARGS="--only ...".
mutation: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/orbit} $(PY) -m bench.mutation $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l ru -l en --ignore=.venv --ignore=bench --ignore=tests --ignore=var --no-obsolete

compilemessages: install
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
