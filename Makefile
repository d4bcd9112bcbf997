# The two commands of the README: `make demo` and `make test`.
# Both create .venv from nothing with the pinned versions in requirements/constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE := examples/shop

.PHONY: demo test fuzz lint-code clean bench

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev,probes,example]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wiremap demo --docs $(EXAMPLE)/docs/integrations

test: $(STAMP)
	$(BIN)/python -m pytest

# Property tests with random examples, 10x as many as `make test` (whose profile is derandomized);
# what this finds becomes an explicit @example.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:cacheprovider $$(grep -rl 'from hypothesis' tests)

# Every benchmark in its --quick form, one table of figures against their goals (bench/all.py).
bench: $(STAMP)
	$(BIN)/python bench/all.py

lint-code: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
