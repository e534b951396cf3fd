# Maharat: the two commands of the README are `make demo` and `make test`.
# Only Python 3.11+ and Debian's standard tools are needed: uv is installed into .tools/ from PyPI,
# then it installs the locked dependencies into .venv/.

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PEOPLE ?= 400
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test install lint typecheck translations messages ci clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --people $(DEMO_PEOPLE)
	@echo "Starting Maharat on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy maharat config

messages: install
	$(PY) manage.py makemessages -l ar --no-obsolete --add-location file
	$(PY) manage.py compilemessages -l ar --ignore ".venv/*" --ignore ".tools/*"

translations: install
	$(PY) scripts/check_translations.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) $(TOOLS) var/maharat.sqlite3*
