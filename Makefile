# Two commands do everything on a fresh machine: `make handout` and `make test`.
# Each creates .venv and installs the project on the way; a stamp file makes re-runs cheap.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Debian packages handout uses when they are there (installed on the way where this user may,
# skipped otherwise, and checked once per machine):
#   libharfbuzz-subset0  WeasyPrint subsets fonts with it, ten times faster than with fontTools
#   chromium             the web edition's tests open the page in it (they skip without it)
#   qpdf, ghostscript,   the pack's, the archive's and the tagged edition's tests check their PDFs
#   poppler-utils        with them (they skip without)
#   fonts-noto-cjk       Japanese, Chinese and Korean (Noto Sans CJK, 39 MB of the package's 91 MB
#                        are used) and colour emoji (Noto Color Emoji, 11 MB): styles/fonts.conf
#   fonts-noto-color-emoji  names these files and no other font of the machine (handout/fonts.py)
#   graphviz             draws ```dot blocks (3 MB; without it they print as their source)
DEBIAN_PACKAGES := libharfbuzz-subset0 chromium qpdf ghostscript poppler-utils \
	fonts-noto-cjk fonts-noto-color-emoji graphviz

.PHONY: handout compiled pack test lint bench bench-pack clean system

handout: $(STAMP) compiled
	$(BIN)/handout build slides/

# The code's .pyc files, the compiled templates and cffi's reading of WeasyPrint's declarations,
# written now as pip writes an installed package's .pyc files (an editable install leaves them to
# the first run, which does not write them under PYTHONDONTWRITEBYTECODE): every target that runs
# handout makes them; cheap when they are up to date.
compiled: $(STAMP)
	@$(BIN)/python -m compileall -q handout
	@$(BIN)/python -m handout.compiled >/dev/null

# The example workshop pack (examples/pack/workshop.toml) into out/pack.pdf, and as a booklet. The
# bundled deck it names lives outside the pack's folder, so the pack is given --root . (the user's
# word: a pack file alone may only name parts inside its own folder).
pack: $(STAMP) compiled
	$(BIN)/handout pack examples/pack/workshop.toml --root .
	$(BIN)/handout pack examples/pack/workshop.toml --root . --booklet -o out/pack-booklet.pdf

# The suite runs on every core (pytest-xdist), whole test files to a worker so that the tests of a
# file share their builds; `$(BIN)/pytest tests/x.py` runs one file in this process.
test: $(STAMP) compiled
	$(BIN)/ruff check handout tests bench
	$(BIN)/pytest -n auto --dist loadfile

bench: $(STAMP) compiled
	$(BIN)/python bench/run.py
	$(BIN)/python bench/slides.py

bench-pack: $(STAMP) compiled
	$(BIN)/python bench/pack.py

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Best effort: a package that cannot be installed here is reported, and what needs it is slower
# (or its tests are skipped with the reason), never broken.
system:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages: $$missing"; \
	    (apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && \
	      apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1)) || \
	    echo "note: could not install $$missing; handout works without them, only slower"; \
	  else \
	    echo "note: Debian packages $$missing are missing; as root: apt-get install $$missing"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) out/*.pdf .pytest_cache
