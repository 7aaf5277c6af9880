# Every target creates .venv and installs what it needs on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := corpora/sample/txt
SHARED := ../shared

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint bench eval fuzz models corpus clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch is pinned to the CPU build that pip finds on this kind of machine (no multi-GB CUDA download)
	$(BIN)/pip install -q torch==2.13.0 || echo "make: torch not installed; transformers tests will be skipped"
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q -e '.[transformers]' || true
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP) ## Run the main job on the sample corpus; results under out/
	@mkdir -p out
	$(BIN)/nlp sections corpora/sample/txt -o out/sections.jsonl
	$(BIN)/nlp figures corpora/sample/txt -o out/figures.jsonl
	$(BIN)/nlp facts corpora/sample/txt -o out/facts.jsonl
	$(BIN)/nlp statements corpora/sample/txt -o out/statements.jsonl
	$(BIN)/nlp summarise corpora/sample/txt -o out/brief.json
	$(BIN)/nlp summarise corpora/sample/txt -o out/brief.md
	$(BIN)/nlp summarise corpora/sample/txt -o out/brief.html
	$(BIN)/nlp triage corpora/sample/txt --db out/triage.duckdb --report out/triage.html --csv out/triage.csv --jobs 2 --no-progress
	@echo "demo: results in out/ (open out/brief.html and out/triage.html)"

test: $(STAMP) ## Run every test
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: $(STAMP) ## Tests without the slow and browser ones
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: $(STAMP) ## ruff
	$(BIN)/ruff check nlp tests benchmarks corpora

bench: $(STAMP) ## Speed and memory, as ratios against jieba and Recognizers-Text
	$(BIN)/pip install -q -e '.[bench]' || true
	$(BIN)/python benchmarks/run.py

eval: $(STAMP) ## Accuracy figures on the gold files (shared gold when present, else corpora/sample)
	$(BIN)/nlp eval

fuzz: $(STAMP) ## The long fuzz profile
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q --hypothesis-show-statistics tests/test_fuzz.py

models: $(STAMP) ## Retrain the shipped models
	$(BIN)/nlp train sections
	$(BIN)/nlp train figures
	$(BIN)/nlp train facts
	$(BIN)/nlp train statements

corpus: $(STAMP) ## Re-render the sample corpus into every format
	$(BIN)/python corpora/render.py

clean:
	rm -rf out .pytest_cache
