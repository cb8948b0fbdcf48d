# raadhuis — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PYTEST_ARGS ?=
# Modules checked by mypy: the write and read layers (services, selectors) and the permission helper.
TYPED := $(wildcard */services.py */selectors.py */home.py) core/permissions.py core/analysis.py core/roles.py core/mail.py core/search.py core/search_index.py \
	core/exports.py members/importing.py members/invitations.py library/engine.py library/spelling.py \
	library/importing.py library/extract.py library/output.py library/structure.py \
	core/uploads.py core/files.py core/middleware.py core/replicas.py \
	core/heartbeat.py core/logs.py core/backup.py api/auth.py api/ratelimit.py api/errors.py api/common.py api/views.py \
	$(wildcard api/routers/*.py)

.PHONY: demo serve test test-quick lint typecheck otp messages bench clean-demo

# --- installation (re-runs only when a lock file or native/ changes) --------------------------------
# native/: the word loop of the search analysis in C (core/analysis.py), built here with the
# machine's C compiler (gcc and the Python headers); rebuilt when its source changes.
$(VENV)/.runtime: requirements.txt native/raadhuis_native.c native/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q uv
	$(UV) pip install -q --python $(PY) -r requirements.txt
	$(UV) pip install -q --python $(PY) --no-cache --reinstall-package raadhuis-native ./native
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(UV) pip install -q --python $(PY) -r requirements-dev.txt
	@touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- demo --------------------------------------------------------------------------------------
# The demo runs with DEBUG off (raadhuis/settings/demo.py): the real error pages, as in production.
demo serve otp: export DJANGO_SETTINGS_MODULE ?= raadhuis.settings.demo

demo: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_bodies
	$(PY) manage.py load_demo
	@$(MAKE) --no-print-directory serve

serve:
	@echo "Serving on http://127.0.0.1:8000 (worker running in the background; Ctrl-C stops both)"
	@$(PY) manage.py run_worker >var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

otp: $(VENV)/.runtime
	@$(PY) manage.py demo_otp

clean-demo:
	rm -f var/raadhuis.sqlite3 var/raadhuis.sqlite3-wal var/raadhuis.sqlite3-shm

# --- quality gates -----------------------------------------------------------------------------
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy $(TYPED)

# The whole suite: lint, types, unit + integration + browser tests. SQLite unless DATABASE_URL is set.
test: lint typecheck node_modules/.installed
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

# Without the browser: for a quick check on another database.
test-quick: $(VENV)/.dev
	$(PY) -m pytest -n auto -m "not browser" $(PYTEST_ARGS)

messages: $(VENV)/.dev
	$(PY) manage.py makemessages -l nl -l en --no-location --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore="*/tests/*"
	$(PY) manage.py compilemessages --ignore=.venv

# bench/relevance.py: search quality on the judged relevance set (bench/relevance/), app vs. BM25.
# The newsletter and library benches at full size (20k recipients, 100k/1M documents, 100k
# records) take half an hour the first time: `make bench BENCH_SIZE=` (docs/PERFORMANCE.md).
# bench/pages.py and bench/load.py start a redis-server of their own (the production cache).
BENCH_SIZE ?= --quick
# Every benchmark runs; each exits 1 when a check fails or a result is below its target, and the
# target fails at the end naming them.
BENCHES = bench/relevance.py bench/pages.py bench/registration.py \
	"bench/newsletter.py $(BENCH_SIZE)" "bench/search.py --reuse $(BENCH_SIZE)" "bench/import_bench.py $(BENCH_SIZE)"
bench: $(VENV)/.dev
	@failed=""; for b in $(BENCHES); do \
		echo "$(PY) $$b $(BENCH_ARGS)"; $(PY) $$b $(BENCH_ARGS) || failed="$$failed\n  $$b"; \
	done; \
	if [ -n "$$failed" ]; then printf "below target or failed:$$failed\n"; exit 1; fi

# The mixed load test on a production-like server (docs/PERFORMANCE.md); --reuse keeps its database.
.PHONY: bench-load
bench-load: $(VENV)/.dev
	$(PY) bench/load.py $(BENCH_ARGS)
