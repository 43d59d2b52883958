# The two commands of the README: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo user is on the enterprise plan: usage persists across runs (SQLite in videoforge-data/).
run: $(STAMP)
	VIDEOFORGE_FAKE_PROVIDERS=true VIDEOFORGE_DEFAULT_PROVIDER=wavespeed VIDEOFORGE_USER_PLANS='{"demo-user": "enterprise"}' \
		$(BIN)/python -m bootstrap.demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) videoforge-data .pytest_cache .ruff_cache
