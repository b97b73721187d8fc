# `make` sets up .venv and builds every sheet into dist/; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: all build test bench clean

all: build

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.runtime $@

build: $(VENV)/.runtime
	$(PY) build.py

test: $(VENV)/.test
	$(PY) -m pytest

bench: $(VENV)/.test
	$(PY) benchmarks/run.py

clean:
	rm -rf dist
