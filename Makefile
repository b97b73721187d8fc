# `make` sets up .venv from the hashed lock and builds every sheet into dist/; `make test` runs the suite;
# `make docs` draws the README's pictures again.
# `make lock` refreshes the locks from the ranges in pyproject.toml; `make test-latest` runs the suite on the
# newest versions those ranges allow, to catch a release that breaks cheatdeck before a user installs it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
UV_VERSION := 0.13.9
LOCK = uv pip compile --quiet --generate-hashes --universal --python-version 3.11 pyproject.toml requirements/setup.in

.PHONY: all build test test-latest bench lock clean bytecode docs focus-picture

all: build

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The lock is installed exactly (--require-hashes, --no-deps), then cheatdeck itself without its build isolation,
# so nothing is fetched that the lock does not name.
$(VENV)/.runtime: requirements/build.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements/build.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test: requirements/test.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements/test.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.runtime $@

# cheatdeck's own bytecode, written as `pip install` writes it for a wheel: an editable install leaves it to the
# first import, which writes nothing where PYTHONDONTWRITEBYTECODE is set, and every run then compiles the
# whole package again (about 100 ms of a 300 ms build). Up-to-date files are skipped.
bytecode: | $(VENV)/bin/python
	$(PY) -m compileall -q cheatdeck

build: $(VENV)/.runtime bytecode
	$(PY) build.py

test: $(VENV)/.test bytecode
	$(PY) -m pytest

# A venv of its own, rebuilt each time, so .venv keeps exactly what the lock names; .ci/run stays on the lock.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade --upgrade-strategy eager \
		-r requirements/setup.in \
		-e ".[sync,test]"
	.venv-latest/bin/python -m pip list --disable-pip-version-check --format=freeze
	.venv-latest/bin/python -m pytest

bench: $(VENV)/.test bytecode
	$(PY) benchmarks/run.py

# docs/focus-page1.png, the README's focus sheet, from a review history made with the engine (in the test venv).
focus-picture: $(VENV)/.test bytecode
	$(PY) docs/focus_page.py

# The README's picture: page 1 of the shipped sheet as a build prints it. A copy is built, so that source/ and
# its lock stay as they are.
docs: $(VENV)/.runtime bytecode
	rm -rf .docs-build && mkdir .docs-build
	cp source/mla-c01.yaml source/mla-c01.lock.json .docs-build/
	$(PY) build.py --source .docs-build/mla-c01.yaml --out .docs-build/out --png -q pdf
	cp .docs-build/out/mla-c01-page1.png docs/mla-c01-page1.png
	rm -rf .docs-build

# uv lives in a venv of its own so the project's venv holds exactly what the lock names.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	.venv-lock/bin/$(LOCK) --extra sync -o requirements/build.lock
	.venv-lock/bin/$(LOCK) --extra sync --extra test -o requirements/test.lock

clean:
	rm -rf dist .venv-lock .venv-latest
