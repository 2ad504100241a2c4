# Một Cửa: `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-8)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages migrate demo browser-deps pdf-deps nginx-deps vnu clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

migrate: messages
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Một Cửa: http://$(HOST):$(PORT)/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests."; fi; }

# poppler's pdfsig checks the signed PDFs independently of pyHanko in the tests.
pdf-deps:
	@command -v pdfsig >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null; \
	  else echo "Install Debian's poppler-utils package (sudo apt-get install poppler-utils) for the signature tests."; fi; }

# Debian's nginx fronts two app instances in tests/deploy/test_two_instances.py (started by the test, never as a
# service: the package's own start is left to the machine's policy).
nginx-deps:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "Install Debian's nginx package (sudo apt-get install nginx) for the two-instance test."; fi; }

# The W3C Nu HTML validator (vnu-jar from the npm registry, run with the machine's Java) checks public pages.
vnu:
	sh tests/tools/get_vnu.sh

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) messages browser-deps pdf-deps nginx-deps vnu lint
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
