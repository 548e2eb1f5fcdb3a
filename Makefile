# Atelier territoires — les deux commandes qui font tout sur une machine neuve :
#   make demo   crée .venv, installe, lance le travail principal sur le territoire de démonstration
#   make test   crée .venv, installe, lance tous les tests (lint, types, doctests, tests, données réelles)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe
SORTIE ?= sortie/demo

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,browser,workshop]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/territoire demo --sortie $(SORTIE)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy geo diagnostics
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy geo diagnostics

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) sortie .pytest_cache .ruff_cache .mypy_cache
