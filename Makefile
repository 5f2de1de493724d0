# Two commands do everything on a fresh machine: `make handout` and `make test`.
# Each creates .venv and installs the project on the way; a stamp file makes re-runs cheap.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: handout pack test lint bench bench-pack tools clean

handout: $(STAMP)
	$(BIN)/handout build slides/

# The example workshop pack (examples/pack/workshop.toml) into out/pack.pdf, and as a booklet. The
# bundled deck it names lives outside the pack's folder, so the pack is given --root . (the user's
# word: a pack file alone may only name parts inside its own folder).
pack: $(STAMP)
	$(BIN)/handout pack examples/pack/workshop.toml --root .
	$(BIN)/handout pack examples/pack/workshop.toml --root . --booklet -o out/pack-booklet.pdf

# The suite runs on every core (pytest-xdist), whole test files to a worker so that the tests of a
# file share their builds; `$(BIN)/pytest tests/x.py` runs one file in this process.
test: $(STAMP) tools
	$(BIN)/ruff check handout tests bench
	$(BIN)/pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-pack: $(STAMP)
	$(BIN)/python bench/pack.py

# qpdf and Ghostscript check the booklet in the tests (which skip, saying so, without them):
# installed from Debian when missing and possible, never a failure.
tools:
	@command -v qpdf >/dev/null && command -v gs >/dev/null || \
	  { (apt-get install -y qpdf ghostscript || sudo -n apt-get install -y qpdf ghostscript) \
	    >/dev/null 2>&1 || echo "note: qpdf/ghostscript not installed; the booklet checks will skip"; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out/*.pdf .pytest_cache
