# envnb — the two commands a fresh machine needs are `make demo` and `make test`.
# Everything installs itself into .venv (Python packages from pyproject.toml) and, for the
# browser tests, Debian's chromium via apt-get when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-installed
# The demo needs envnb and its notebook extra only (JupyterLab, matplotlib, papermill);
# the test tools (pytest, playwright, ruff, mypy, ...) are installed by `make test`.
DEMO_STAMP := $(VENV)/.stamp-demo
CHROMIUM := /usr/bin/chromium
SINCE  ?= 2026-11-01

.PHONY: venv demo test lint typecheck pytest chromium posthog-cli report soak bench mutation clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[notebook,test]'
	touch $@

venv: $(STAMP)

$(DEMO_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[notebook]'
	touch $@

# Sandbox + JupyterLab on notebooks/, pointed at the sandbox.
demo: $(DEMO_STAMP)
	$(PY) -m envnb.cli demo

# Debian's chromium for the real-browser tests (playwright drives it; it never downloads one),
# and an emoji font so the panels' 💭 ⚙ marks show in the screenshots.
BROWSER_DEBS := chromium fonts-noto-color-emoji
chromium:
	@test -x $(CHROMIUM) -a -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_DEBS); }

# PostHog's own CLI (npm @posthog/cli; its API tools are lib/posthog-api-cli.mjs, run by node)
# in a project-local folder, for tests/contract/test_posthog_cli.py, which skips without it.
# --ignore-scripts: the package's postinstall downloads a native binary the API tools do not
# use. Not part of `make test` (it needs the npm registry); .ci/run calls it.
POSTHOG_CLI_VERSION := 0.18.3
POSTHOG_CLI_DIR := .cache/posthog-cli
posthog-cli:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm install --prefix $(POSTHOG_CLI_DIR) --ignore-scripts --no-audit --no-fund \
	  --save-exact @posthog/cli@$(POSTHOG_CLI_VERSION)

# src/envnb/_sync/ is generated from _async/: fail when it is stale or a rename went unused.
lint: venv
	$(VENV)/bin/ruff check src tests bench conftest.py scripts
	$(VENV)/bin/ruff format --check src tests bench conftest.py scripts
	$(PY) scripts/unasync.py --check

typecheck: venv
	$(VENV)/bin/mypy

# One pytest run: unit, contract, widgets, reliability (short soak), browser, and nbval
# over every notebook. The tests run in a random order (pytest-randomly prints the seed;
# `make pytest PYTEST_ARGS=--randomly-seed=N` repeats one, and
# PYTEST_ARGS="-p no:randomly" runs in file order); notebook cells and the browser tests keep
# their order (conftest.py).
PYTEST_ARGS ?=
pytest: venv chromium
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider $(PYTEST_ARGS)

test: lint typecheck pytest

# A reproducible report: papermill injects parameters, nbconvert renders HTML.
report: $(DEMO_STAMP)
	mkdir -p reports
	$(PY) -m papermill notebooks/05-report.ipynb reports/05-report.ipynb -p since $(SINCE) -k python3
	$(PY) -m jupyter nbconvert --to html --no-input reports/05-report.ipynb --output-dir reports

soak: venv
	ENVNB_SOAK_SECONDS=$${ENVNB_SOAK_SECONDS:-300} $(PY) -m pytest tests/reliability -k soak -s -p no:cacheprovider

bench: venv
	$(PY) bench/list_df.py
	$(PY) bench/list_df_latency.py
	$(PY) bench/chat_stream.py
	$(PY) bench/stream_linear.py

# Mutation check (not part of `make test`): each mutation in tests/mutations.toml is applied
# to a temporary copy of src/ and only the tests that cover it run; prints caught/missed.
mutation: venv
	$(PY) scripts/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) reports test-artifacts .pytest_cache .mypy_cache .ruff_cache
