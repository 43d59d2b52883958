# The two commands of the README: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ROUNDS ?= 3

.PHONY: install run test lint bench compare clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# One real video on a fresh machine: the offline local provider renders it, the embedded SQLite
# database (videoforge-data/) records it. The demo user is on the enterprise plan so that
# repeated runs are not refused by the free plan's two videos a month.
VF := VIDEOFORGE_DEFAULT_PROVIDER=local VIDEOFORGE_USER_PLANS='{"demo-user": "enterprise"}' $(BIN)/videoforge
run: $(STAMP)
	$(VF) generate --user demo-user --prompt "A lighthouse at dawn, waves rolling in" --duration 5 --resolution 720p
	$(VF) assets list --user demo-user --limit 3
	$(VF) usage --user demo-user
	@echo "videoforge is installed in $(CURDIR)/$(BIN): run 'source $(BIN)/activate'" \
	      "(or export PATH=\"$(CURDIR)/$(BIN):\$$PATH\") to type 'videoforge' directly."

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# Performance figures (not tests; ROUNDS=1 for a quicker compare; the PostgreSQL ones need
# VIDEOFORGE_TEST_POSTGRES_URL): written to benchmarks/results/, summed up in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_pipeline_sql
	$(BIN)/python -m benchmarks.wavespeed
	$(BIN)/python -m benchmarks.bench_memory
	$(BIN)/python -m benchmarks.s3_storage
	$(BIN)/python -m benchmarks.queue_worker
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.compare --rounds $(ROUNDS)

# Issue 15's comparison alone (both tables, start-up, cost per job; ~4-6 min a round on a quiet machine).
compare: $(STAMP)
	$(BIN)/python -m benchmarks.compare --rounds $(ROUNDS)

clean:
	rm -rf $(VENV) videoforge-data .pytest_cache .ruff_cache
