# Everything a developer or CI needs: `make run` and `make test` set up what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run serve test bench lint clean seed upgrade

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Brings the database at MONITOR_DB_URL (or data/monitor.sqlite) to the schema of this code.
upgrade: install
	$(BIN)/python -m db upgrade

seed: upgrade
	$(BIN)/python -m sample_data.seed

run: seed
	bash .ci/report-libraries
	$(BIN)/python -m dashboard --demo

# Production: several workers, no state in a worker; debug off. Put it behind a TLS-terminating proxy.
# Never seeds: the sample data is for `make run` only (dashboard.wsgi also refuses active demo accounts).
serve: upgrade
	$(BIN)/gunicorn --workers $${WORKERS:-4} --bind $${BIND:-127.0.0.1:8050} dashboard.wsgi:server

test: install
	bash .ci/services
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.ingest_bench
	$(BIN)/python -m bench.callback_bench
	$(BIN)/python -m bench.minimal_load_bench
	$(BIN)/python -m bench.growth_bench
	$(BIN)/python -m bench.startup_bench
	$(BIN)/python -m bench.page_bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
