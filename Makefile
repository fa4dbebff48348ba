# Two commands on a fresh machine:
#   make site   sets up .venv and builds the handbook from plan/ into site/
#   make test   sets up .venv with the test tools, installs Chromium, runs the tests
# and a benchmark (about 7 minutes on 2 cores; RUNS=5 runs per size, SIZES=10,100 other plan sizes):
#   make bench  builds synthetic plans of 10, 100 and 1,000 teams, writes bench/results.md
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve check test bench screenshots chromium clean catalogs

site: $(VENV)/.installed
	$(BIN)/handbook build

serve: $(VENV)/.installed
	$(BIN)/handbook serve

check: $(VENV)/.installed
	$(BIN)/handbook check

test: $(VENV)/.installed-test chromium
	$(BIN)/pytest

# The handbook's words in gettext catalogs (docs/translating.md): extract every marked string from the code and
# templates (and the rules' phrases: say, say_plural) into the template catalog, then merge it into each language's catalog for translators to fill in.
LOCALE := generator/sales_handbook/site/locale
catalogs: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k say -k say_plural:1,2 --no-location --sort-output --omit-header \
	  -o $(LOCALE)/handbook.pot .
	$(BIN)/pybabel -q update -i $(LOCALE)/handbook.pot -d $(LOCALE) -D handbook --no-fuzzy-matching --ignore-obsolete

# Screenshots of home, a team, an objective and the map, light and dark, 1280 and 390 px, into screenshots/
# (not committed): for looking at the handbook as a reader does, in review.
screenshots: $(VENV)/.installed-test chromium
	$(BIN)/python -m tests.screenshots --out screenshots

bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(if $(RUNS),--runs $(RUNS)) $(if $(SIZES),--sizes $(SIZES))

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed

# Browser tests drive Debian's Chromium (a browser downloaded by Playwright is not used).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf site .cache .pytest_cache .hypothesis screenshots
