# Atelier territoires — les deux commandes qui font tout sur une machine neuve :
#   make demo   crée .venv, installe, lance le travail principal sur le territoire de démonstration
#   make test   crée .venv, installe, lance tous les tests (lint, types, doctests, tests, données réelles)
#   make test-fast  les tests rapides seulement (ni notebooks, ni navigateur, ni tests lents)
#   make lab    crée .venv, installe, ouvre les notebooks (notebooks/) dans JupyterLab

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

.PHONY: demo test test-fast lab lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Toutes les extras de pyproject.toml (un test y veille), JupyterLab compris ; le noyau des
# notebooks (python3) est enregistré dans .venv : le Python de .venv, affiché « atelier territoires »
$(STAMP): pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,browser,workshop,notebooks]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (atelier territoires)"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/territoire demo --sortie $(SORTIE)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy geo diagnostics
	$(BIN)/pytest $(PARALLELE)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks

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
