# Franko: `make run` serves the app on the embedded SQLite database; `make test` runs every test,
# `make test-fast` all but the browser, migration and slow ones (on WORKERS, FAST_WORKERS parallel pytest-xdist workers).
VENV    := .venv
PYTHON  := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app app
PORT    ?= 5000
WORKERS ?= auto
# test-fast's tests wait on threads, fake servers and commits about half the time: two workers a core fill it.
FAST_WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
# The tests' databases and files on a RAM disk when there is one (SQLite's commits then cost no disk flush).
test test-fast: export TMPDIR = $(shell test -d /dev/shm -a -w /dev/shm && mkdir -p /dev/shm/franko-tests \
	&& echo /dev/shm/franko-tests || echo $${TMPDIR:-/tmp})

.PHONY: run test test-fast lint install install-dev chromium redis nginx squawk bench clean

# `make run` needs only what production runs; `make test` adds the test and lint tools.
install: $(VENV)/.installed

# Test-only JavaScript (axe-core for the browser tests' accessibility checks), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install-dev: $(VENV)/.installed-dev node_modules/.installed

# The pinned requirements are the lock; then Franko itself (franko and migrations, editable: pyproject.toml).
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium, never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The rate-limit tests start Debian's redis-server on a port of their own.
redis:
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The deployment test (tests/operating/test_nginx.py) runs Debian's nginx with deploy/nginx/franko.conf.
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# The server and the job queue's worker (emails, summaries, themes, notifications, webhooks) together;
# Ctrl-C stops both.
run: install
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) franko seed-demo
	FLASK_DEBUG=1 $(FLASK) franko worker & worker=$$!; trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	FLASK_DEBUG=1 $(FLASK) run --port $(PORT)

# The import contracts (pyproject.toml's [tool.importlinter]): layers, the queue and the CLI group as leaves, no cycles.
lint: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports

# The browser tests share one worker (and its Chromium): --dist loadgroup, set in pytest.ini.
test: install-dev chromium redis nginx lint
	$(PYTHON) -m pytest -n $(WORKERS)

test-fast: install-dev lint
	$(PYTHON) -m pytest -n $(FAST_WORKERS) -m "not browser and not migrations and not slow"

# The PostgreSQL upgrade script, linted (see bench/README.md and migrations/README for findings).
squawk: install-dev
	bash scripts/squawk.sh

clean:
	rm -rf $(VENV) instance/franko.sqlite tests/artifacts .pytest_cache
