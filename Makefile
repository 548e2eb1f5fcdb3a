# Atelier territoires — les deux commandes qui font tout sur une machine neuve :
#   make demo   crée .venv, installe, lance le travail principal sur le territoire de démonstration
#   make test   crée .venv, installe, lance tous les tests (lint, types, doctests, tests, données réelles)
#   make test-fast  les tests rapides seulement (ni notebooks, ni navigateur, ni tests lents)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installe
SORTIE ?= sortie/demo
# pytest en parallèle (pytest-xdist) : les tests qui partagent une fixture coûteuse ou un
# fichier restent sur le même processus (unités de travail de tests/conftest.py)
TRAVAILLEURS ?= 2
PARALLELE := -n $(TRAVAILLEURS) --dist loadfile
RAPIDES   := -m "not notebook and not browser and not slow"

.PHONY: demo test test-fast lint format bench clean

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
	$(BIN)/pytest $(PARALLELE)

test-fast: $(STAMP)
	$(BIN)/pytest $(PARALLELE) $(RAPIDES) tests geo diagnostics

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
