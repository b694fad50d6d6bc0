# Two commands set everything up on a fresh machine:
#   make run    installs what GridLink needs and runs the bot
#   make test   installs what GridLink needs, starts a throwaway PostgreSQL and Redis, runs
#               every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
FORMATS := $(CATALOGS:LC_MESSAGES/messages.po=formats.pickle)

.PHONY: install run test lint catalogs

install: $(INSTALLED) $(COMPILED) $(FORMATS)
	@scripts/install-fonts.sh

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# The part of Babel's locale data that bot/formatting.py needs (see scripts/locale_formats.py).
locales/%/formats.pickle: scripts/locale_formats.py bot/formatting.py $(INSTALLED)
	PYTHONPATH=. $(BIN)/python scripts/locale_formats.py $* $@

run: install
	$(BIN)/python -m bot

test: install
	eval "$$(scripts/test-postgres.sh)" && eval "$$(scripts/test-redis.sh)" && $(BIN)/python -m pytest -n 2

lint: install
	$(BIN)/ruff check .

# After changing user-facing strings: refresh the template and the three catalogs.
catalogs: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext --add-comments=Translators: \
		--no-location --sort-output --project=GridLink -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete
