# The two commands of the README: `make run` and `make test`. Everything they need, they install.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
WEB_PORT ?= 8000
export HOST WEB_PORT

.DEFAULT_GOAL := help
.PHONY: help run test bench bench-quick install install-test system-deps messages vendor check-python clean

help:
	@echo "make run    set up everything (venv, database, demo data) and start web + workers + beat"
	@echo "make test   install the test tools and run the whole suite against the local Postgres and Redis"
	@echo "make bench  run every benchmark at full size in a throwaway database (make bench-quick: small sizes)"
	@echo "make messages  extract and compile translations (needs GNU gettext)"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Set PYTHON=/path/to/python3.11.")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing the project into $(VENV) ..."
	$(BIN)/python -m pip install -q --progress-bar on -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@echo "Installing the test tools into $(VENV) ..."
	$(BIN)/python -m pip install -q --progress-bar on -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Local development runs with DEBUG on unless the environment says otherwise.
RUN_ENV = DEBUG=$${DEBUG:-1}

run: install
	@scripts/system-deps ocr
	@$(RUN_ENV) $(BIN)/python manage.py preflight
	@echo "Applying database migrations ..."
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	@$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Loading demo data ..."
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Open http://$(HOST):$(WEB_PORT)/   (health: http://$(HOST):$(WEB_PORT)/healthz, API docs: http://$(HOST):$(WEB_PORT)/api/docs/)"
	@echo "  Press Ctrl-C to stop the web server, the workers and beat."
	@echo ""
	@mkdir -p var && $(RUN_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

# The suite runs in TEST_WORKERS parallel processes (pytest-xdist; 0 runs it in this one), whole files to a worker
# in the order collected (browser tests last: see tests/conftest.py).
TEST_WORKERS ?= 2

test: install-test
	@scripts/system-deps
	$(BIN)/ruff check .
	@$(BIN)/python manage.py preflight --settings=support.settings.test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Benchmarks run in a throwaway database of their own, with production settings (DEBUG off).
BENCH_ENV = DEBUG=0 SECRET_KEY=bench-only-secret-key-not-for-production \
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/support_bench}

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	@echo "Installing the benchmark tools into $(VENV) ..."
	$(BIN)/python -m pip install -q --progress-bar on -e '.[bench]'
	@touch $@

bench: $(VENV)/.installed-bench
	@$(BENCH_ENV) $(BIN)/python manage.py preflight
	@$(BENCH_ENV) $(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: $(VENV)/.installed-bench
	@$(BENCH_ENV) $(BIN)/python manage.py preflight
	@$(BENCH_ENV) $(BIN)/python -m bench --quick $(BENCH_ARGS)

# Chromium, the CJK fonts, Tesseract with its six language packs and GNU gettext (Debian's packages, as root).
system-deps:
	@scripts/system-deps

messages: install
	@scripts/system-deps gettext
	DEBUG=1 $(BIN)/python manage.py makemessages -l en -l zh_Hans -l es -l ru -l ja -l ko --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages -i '.venv' -i 'var'

# Refresh the front-end libraries from the npm registry (versions in package.json); the results are committed.
vendor:
	npm install --no-save --no-audit --no-fund
	mkdir -p static/vendor/jquery-ui
	cp node_modules/jquery-ui/dist/jquery-ui.min.js node_modules/jquery-ui/LICENSE.txt static/vendor/jquery-ui/
	mkdir -p static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE static/vendor/echarts/
	mkdir -p tests/browser/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/browser/vendor/axe-core/

clean:
	rm -rf $(VENV) var .pytest_cache
