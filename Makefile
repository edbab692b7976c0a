# Franko: `make run` serves the app on the embedded SQLite database; `make test` runs every test.
VENV    := .venv
PYTHON  := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app app
PORT    ?= 5000

.PHONY: run test install chromium squawk bench clean

install: $(VENV)/.installed node_modules/.installed

# Test-only JavaScript (axe-core for the browser tests' accessibility checks), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

$(VENV)/.installed: requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

# Browser tests drive Debian's Chromium, never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) franko seed-demo
	FLASK_DEBUG=1 $(FLASK) run --port $(PORT)

test: install chromium
	$(PYTHON) -m pytest

# The PostgreSQL upgrade script, linted (see bench/README.md and migrations/README for findings).
squawk: install
	bash scripts/squawk.sh

clean:
	rm -rf $(VENV) instance/franko.sqlite tests/artifacts .pytest_cache
