# The README's two commands: `make run` and `make test`.
# Django 6 needs Python 3.12+; use the first one found (pyenv installs count too).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null); do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# Links printed by the demo and sent in emails follow HOST in development
# (`make run HOST=127.0.0.1:9000`); an explicit SITE_URL wins.
SITE_URL ?= http://$(HOST)

.PHONY: run test lint format venv migrate demo bench loadrun idp system-packages test-tools gettext messages compilemessages

# Debian packages the app needs beyond Python: Pango (and its fonts) for WeasyPrint's PDFs.
# Installed when missing and when run as root with apt-get; otherwise it says what to install.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

$(BIN)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (Django 6). Install it and retry."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(BIN)/.installed

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "System packages present: $(SYSTEM_PACKAGES)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $$missing"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "PDF downloads need: $$missing (apt-get install, as root)"; fi

# Translations (locale/): GNU gettext's msgfmt compiles the catalogues (.mo files are build
# output, not in git) and xgettext/msgmerge refresh them. Installed from Debian when missing and
# we are root; otherwise say what to install.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing GNU gettext (msgfmt) from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "GNU gettext is needed to compile the translations: apt-get install gettext (Debian/Ubuntu), brew install gettext (macOS)"; exit 1; fi; }

# The flags every refresh of the catalogues uses (tests/test_translations.py uses the same).
MESSAGES_FLAGS := --add-location=file --no-wrap --no-obsolete --ignore='tests/*' --ignore='bench/*' \
	--ignore='staticfiles/*' --ignore='screenshots/*' --ignore='test-artifacts/*' --ignore='static/*'

compilemessages: venv gettext
	$(BIN)/python manage.py compilemessages --ignore='.*' --ignore='staticfiles' --verbosity 0

# Refresh locale/{fr,es,ar}/LC_MESSAGES/django.po from the code and templates, then compile.
# New or changed strings come in untranslated (or fuzzy): translate them, remove the fuzzy flags.
messages: venv gettext
	$(BIN)/python manage.py makemessages -l fr -l es -l ar $(MESSAGES_FLAGS)
	$(BIN)/python manage.py compilemessages --ignore='.*' --ignore='staticfiles' --verbosity 0

migrate: venv compilemessages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py loaddata compass gender_responsive_leadership

demo: migrate
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo

run: system-packages demo
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_ENV=production SECRET_KEY=check-deploy-only-$$(date +%s)-not-a-real-key-0123456789abcdef \
		ALLOWED_HOSTS=compass.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# The test suite's OpenID provider (tests/idp: panva's oidc-provider, Node.js 20+), installed
# from its lock file. Without Node.js the tests that need it are skipped, and say why.
IDP := tests/idp
$(IDP)/node_modules/.package-lock.json: $(IDP)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(IDP) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else echo "Node.js/npm not found: the OpenID Connect tests will be skipped (apt-get install nodejs npm)."; fi

idp: $(IDP)/node_modules/.package-lock.json

# What the suite needs beyond Python, installed from Debian when missing and we are root:
# Chromium for the browser tests, Node.js for the test OpenID provider. Without them those tests
# are skipped and say why.
test-tools: system-packages
	@need=""; command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v npm >/dev/null 2>&1 || need="$$need nodejs npm"; \
	if [ -n "$$need" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing$$need for the browser and sign-in tests"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	elif [ -n "$$need" ]; then echo "Not installed:$$need (their tests will be skipped)"; fi

test: lint test-tools idp compilemessages
	$(BIN)/python -m pytest

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Performance figures (README, "Performance"), in a throw-away database beside the one
# DATABASE_URL names: `make bench`, or `make bench ARGS="--participants 1000 --raters 12"`.
bench: venv
	$(BIN)/python manage.py benchmark $(ARGS)

# Raters answering at once against gunicorn on 127.0.0.1, next to a minimal view (needs wrk).
loadrun: venv
	bash bench/loadrun.sh
