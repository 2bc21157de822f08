# Two commands: `make run` (demo on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run PORT=8080` serves on another port; links in emails (SITE_URL) follow it.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL

.PHONY: run test install migrate demo worker lint check imports clean messages compilemessages

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The Welsh catalogue (locale/cy/LC_MESSAGES): `make messages` brings the .po files up to
# date with the code (then translate the new entries: docs/welsh.md); the .mo files are
# compiled by every run and test, never committed.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles \
	--ignore=var --ignore=node_modules --ignore=static/vendor
messages: install
	DJANGO_DEBUG=true $(PY) manage.py makemessages -l cy --no-location $(MESSAGES_IGNORE)
	DJANGO_DEBUG=true $(PY) manage.py makemessages -d djangojs -l cy --no-location $(MESSAGES_IGNORE)
	$(MAKE) compilemessages

compilemessages: install
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(PY) manage.py load_demo

# The embedded default: SQLite and a filesystem Celery broker under var/, with a worker
# (and beat) started beside the development server and stopped with it. Two-factor sign-in
# is optional in the demo (anyone can turn it on); production requires it for managers,
# performance officers and administrators.
run: demo compilemessages
	@echo "Starting the Celery worker (embedded filesystem broker) and the web server..."
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-true}; \
	export IFSS_TWO_FACTOR_ROLES=$${IFSS_TWO_FACTOR_ROLES-}; \
	export IFSS_TWO_FACTOR_FOR_ADMINS=$${IFSS_TWO_FACTOR_FOR_ADMINS:-false}; \
	$(PY) -m celery -A ifss worker --beat --pool=solo --loglevel=warning \
		--schedule var/celerybeat-schedule & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite runs on every core with pytest-xdist; each worker has its own test
# database, Redis database and data folder (tests/xdist_workers.py). `--dist load` hands
# each worker the tests in pytest-django's order (rolled-back tests, then transactional
# ones, whose flush empties the database), as one process runs them; `loadfile` would run a
# file's transactional tests before the next file's rolled-back ones. A targeted run
# (PYTEST_ARGS=...) runs in one process unless XDIST says how many workers:
# `make test XDIST=2 PYTEST_ARGS=tests/api`.
# The whole suite runs the browser tests in one process of their own, beside the xdist
# workers (IFSS_TEST_SLOT: its own Redis database and data folder; its test database is
# test_ifss, the workers' test_ifss_gwN), its output printed after theirs: a live server
# thread and Chromium per xdist worker, on two cores, made a page's last request outlive
# its test and deadlock the test's database flush.
# What keeps the suite inside CI's 15 minutes on two cores (tests/conftest.py): test
# databases copied from one migrated template (tests/template_db.py), the due-page check
# skipped after a test that changed nothing it reads (tests/due_store.py), a fast
# password hasher for the tests' users and sign-ins (PBKDF2's million rounds cost ~0.25 s of
# CPU each), and test databases that commit without waiting for the disk
# (synchronous_commit=off on the test database only); the browser tests load the demo once
# and copy it back (pg_dump/pg_restore) for each later test that starts from it. Each
# phase prints its 15 slowest tests.
XDIST ?= $(if $(PYTEST_ARGS),0,auto)
TEST_ENV = CELERY_TASK_ALWAYS_EAGER=true DJANGO_SECURE_COOKIES=false DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-secret-key}
test: install compilemessages
ifeq ($(PYTEST_ARGS),)
	@mkdir -p var; slot=$$($(PY) -c 'import os; print(os.cpu_count() or 1)'); \
	echo "The browser tests run beside the rest, in one process (slot $$slot); their output follows the rest's."; \
	IFSS_TEST_SLOT=$$slot $(TEST_ENV) $(PY) -m pytest -p tests.xdist_workers -n 0 tests/browser \
		> var/browser-tests.log 2>&1 & browser=$$!; \
	$(TEST_ENV) $(PY) -m pytest -p tests.xdist_workers -n $(XDIST) --dist load --ignore=tests/browser; \
	rest=$$?; wait $$browser; browser=$$?; \
	echo "== the browser tests (tests/browser), run beside the rest:"; cat var/browser-tests.log; \
	echo "== exit status: the rest $$rest, the browser tests $$browser"; \
	[ $$rest -eq 0 ] && [ $$browser -eq 0 ]
else
	$(TEST_ENV) $(PY) -m pytest -p tests.xdist_workers -n $(XDIST) --dist load $(PYTEST_ARGS)
endif

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# The layer order (README "Architecture: layers"), held by import-linter (.importlinter).
imports: install
	$(VENV)/bin/lint-imports

# mypy with django-stubs over the app packages ([tool.mypy] in pyproject.toml; the
# strictness and what comes next: README, "Developing").
.PHONY: typecheck
typecheck: install
	DJANGO_DEBUG=true $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
