# The two ways in: `make run` starts the dashboard, `make test` runs every test.
# Both install what they need from the lock files (requirements*.txt, hashes checked).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(MARKETPULSE_DB),data/marketpulse.duckdb)
PORT   ?= 8501
UV     := uv==0.13.9
# What the browser tests need from the system: Debian's Chromium and a CJK font (which the 周报
# PDF embeds); the 周报 print test renders pages with poppler-utils and LibreOffice Calc;
# the Spark tests need a Java 17 runtime.
SYSTEM_PACKAGES := chromium fonts-noto-cjk poppler-utils libreoffice-calc openjdk-17-jre-headless

.PHONY: run test lint system demo bench lock clean

$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# First start: the simulated town, then its demand forecasts (so every page has data).
$(DB): | $(VENV)/.runtime
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse demo --scale town
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse forecast --origins 6

run: $(VENV)/.runtime $(DB)
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse user demo
	MARKETPULSE_DB=$(DB) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

# Installs the system packages the browser tests need when it may (root with apt-get);
# otherwise says in one line what to run.
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc"; \
	java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)' || missing="$$missing openjdk-17-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The browser tests need$$missing: run  sudo apt-get install -y$$missing  then make test"; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# pytest exits 5 when it collected no test; make fails on any non-zero exit.
test: $(VENV)/.dev system lint
	$(PY) -m pytest

demo: $(VENV)/.runtime
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse demo --scale town
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse forecast --origins 6

bench: $(VENV)/.dev
	$(PY) -m bench

# Re-pin the whole dependency tree with hashes after editing requirements*.in.
lock: $(VENV)/.runtime
	$(PY) -m pip install --quiet $(UV)
	$(VENV)/bin/uv pip compile requirements.in --generate-hashes --python-version 3.11 \
	  --index-url https://pypi.org/simple --custom-compile-command "make lock" -o requirements.txt
	$(VENV)/bin/uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 \
	  --index-url https://pypi.org/simple --custom-compile-command "make lock" -o requirements-dev.txt

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.* test-artifacts
