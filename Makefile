# The two ways in: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(MARKETPULSE_DB),data/marketpulse.duckdb)
PORT   ?= 8501

.PHONY: run test demo bench clean

$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# First start: the simulated town, then its demand forecasts (so every page has data).
$(DB): | $(VENV)/.runtime
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse demo --scale town
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse forecast --origins 6

run: $(VENV)/.runtime $(DB)
	MARKETPULSE_DB=$(DB) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

test: $(VENV)/.dev
	$(PY) -m pytest

demo: $(VENV)/.runtime
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse demo --scale town
	MARKETPULSE_DB=$(DB) $(PY) -m marketpulse forecast --origins 6

bench: $(VENV)/.dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.* test-artifacts
