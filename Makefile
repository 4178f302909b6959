# Backprop Lab: `make run` serves the app with demo data; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install translations run test lint bench lock clean

# The locked versions first (what CI runs with), then the project itself, editable.
$(VENV)/.installed: pyproject.toml setup.py requirements-test.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.lock
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

# Compiled catalogs are build output (not committed); compiling takes a fraction of a second.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d exercises/translations -D messages

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Backprop Lab is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

test: install
	$(PY) -m pytest

# ruff with pyproject.toml's configuration; CI runs it before the tests (tests/test_lint.py too).
lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/storage.py
	$(PY) benchmarks/grading.py
	$(PY) benchmarks/submit.py
	$(PY) benchmarks/join.py
	$(PY) benchmarks/publish.py

# The versions CI runs with: requirements.lock (the app, the Docker image) and
# requirements-test.lock (the suite); .ci/run installs from the latter. Refresh after changing
# dependencies in pyproject.toml, and commit both.
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet 'uv>=0.5'
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --no-header --annotation-style line \
		--output-file requirements.lock pyproject.toml
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --no-header --annotation-style line \
		--extra test --output-file requirements-test.lock pyproject.toml

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis test-artifacts
