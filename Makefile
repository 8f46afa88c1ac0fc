# The plan-evaluation pipeline. `make` alone lists the targets.
# Every step is a subcommand of `python -m analysis`; the targets below only call it.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SYSTEM_PACKAGES := $(shell cat system-packages.txt | tr "\n" " ")
MANIFEST := data/processed/manifest.json

.DEFAULT_GOAL := help
.PHONY: help setup system-packages data evaluate templates gaps calibrate backtest bench batch-plan reports notebooks lint test clean

help: ## List every target with one line each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

setup: system-packages $(INSTALLED) ## Create .venv with the pinned dependencies and check the Debian packages

system-packages: ## Install the Debian packages in system-packages.txt (as root), or name the missing ones
	@bash scripts/system-packages.sh $(SYSTEM_PACKAGES)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

data: $(MANIFEST) ## Validate data/raw and write the tidy datasets to data/processed

# Always asked, never trusted to modification times: a raw file copied with `cp -p` keeps an old
# one. The command compares checksums with manifest.json and exits at once when nothing changed,
# leaving the manifest untouched, so nothing after it is rebuilt.
$(MANIFEST): $(INSTALLED) FORCE
	$(PY) -m analysis data

FORCE:

EVALUATIONS := data/processed/evaluations.parquet

evaluate: $(EVALUATIONS) ## Judge every target at its cut-off: data/processed/evaluations

$(EVALUATIONS): $(MANIFEST)
	$(PY) -m analysis evaluate

templates: data ## Write one Excel workbook per plan for bureau staff (reports/templates/)
	$(PY) -m analysis templates

gaps: data ## Count sourced indicator-years and rewrite the coverage table in docs/data-gaps.md
	$(PY) -m analysis gaps

calibrate: $(INSTALLED) ## Recompute the projection error table shipped in the package (M1 + Tourism yearly)
	$(PY) -m analysis calibrate

backtest: $(INSTALLED) ## Past plans at mid-term, M1/Tourism cross-validated: tables in docs/methodology.md, bench/results/backtest.json
	$(PY) -m analysis backtest

bench: data evaluate ## Benchmarks: engine on 10k/100k/1M synthetic series, target parser growth, reports vs papermill CLI, scale run (bench/results/; about an hour)
	$(PY) -m analysis bench

batch-plan: data ## Derive the list of reports into reports/batch.yml, to read or edit before `make reports`
	$(PY) -m analysis batch-plan

reports: setup data evaluate ## Set up, then build every report (HTML + PDF) and reports/index.html
	$(PY) -m analysis reports

notebooks: $(INSTALLED) ## Sync each notebook's py:percent source and its stripped .ipynb (jupytext --sync)
	$(PY) -m jupytext --sync $$(find notebooks -name '*.py')

lint: $(INSTALLED) ## The gate: ruff (lint and format check) and mypy, with the settings in pyproject.toml
	$(PY) -m ruff check src tests notebooks scripts
	$(PY) -m ruff format --check src tests notebooks scripts
	$(PY) -m mypy

test: $(INSTALLED) ## Run the test suite (pytest)
	@$(PY) -m pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

clean: ## Remove processed data and built reports (never data/raw)
	rm -rf data/processed/* reports/*
	@touch data/processed/.gitkeep reports/.gitkeep
