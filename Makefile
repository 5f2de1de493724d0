# Two commands do everything on a fresh machine: `make handout` and `make test`.
# Each creates .venv and installs the project on the way; a stamp file makes re-runs cheap.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: handout test lint bench clean

handout: $(STAMP)
	$(BIN)/handout build slides/

# The suite runs on every core (pytest-xdist), whole test files to a worker so that the tests of a
# file share their builds; `$(BIN)/pytest tests/x.py` runs one file in this process.
test: $(STAMP)
	$(BIN)/ruff check handout tests bench
	$(BIN)/pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out/*.pdf .pytest_cache
