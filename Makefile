# mtdetect — set-up, demo, tests, training, evaluation and benchmarks.
# Every target installs what it needs into .venv first; nothing else is assumed
# but Python 3.11 and Debian's apt-get (Java for the Spark tests; Apertium and
# WordNet for training; Chromium, which renders the HTML reports in the tests).
# `make demo` installs the package alone; the tests also need the dev extra
# (Spark, Ray, Dask, datatrove, Playwright) and dolma's own environment.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DOLMA_VENV ?= .venv-dolma
DATA ?= ../shared/data
# Your pairs (DATA=pairs.jsonl or a folder) are added to the default recipe on BASE, or trained
# on alone with ONLY=1; the model goes to OUT (default models/NAME after the pairs).
BASE ?= ../shared/data
OUT ?=
ONLY ?=
# make bench COMPARE=REV also measures the core and the document path of commit REV, alternating.
COMPARE ?=
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BASE_STAMP := $(VENV)/.installed-base-$(HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(HASH)
DOLMA_STAMP := $(DOLMA_VENV)/.installed-$(shell cat pyproject.toml constraints/dolma.txt | cksum | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BROWSER_PACKAGES := chromium
DEBIAN_PACKAGES := apertium apertium-eng-spa apertium-en-gl apertium-eng-cat apertium-eo-en wordnet-base $(BROWSER_PACKAGES)
JAVA_PACKAGE := default-jre-headless

# Install the Debian packages in $(1) that are missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

.PHONY: help install demo test train evaluate bench reference-scores report-example system-deps browser-deps java clean

help:
	@echo "make demo       set up and score examples/article.txt with the bundled model"
	@echo "make test       set up (dev extras, dolma's environment, Java, Debian packages) and run the tests"
	@echo "make train      (re)build training pairs and the model in models/ (DATA=$(DATA))"
	@echo "                DATA=my-pairs.jsonl adds your pairs to the recipe on BASE=$(BASE) and writes"
	@echo "                models/my-pairs (OUT=models/NAME to name it; ONLY=1: your pairs alone)"
	@echo "make evaluate   write reports/evaluation.md and plots for the model in models/"
	@echo "                (DATA=my-pairs.jsonl: models/my-pairs on your held-out pairs, reports/my-pairs-evaluation.md)"
	@echo "                (EVALUATE_ARGS=--roundtrip adds the Apertium round-trip ablation)"
	@echo "make bench      print throughput, load time and memory figures (filter, and report over 1M records)"
	@echo "                (COMPARE=REV: the core and the document path of that commit beside this checkout's)"
	@echo "make reference-scores  record the model's exact scores for tests/test_reference_scores.py"
	@echo "make report-example  build a report from example text and its screenshots in docs/"
	@echo "make system-deps  install Debian packages: Apertium and WordNet for training, Chromium for the report tests"
	@echo "make java       install Java from Debian if missing (Spark tests and bench)"

$(BASE_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-base-*
	touch $@

$(DEV_STAMP): $(BASE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-dev-*
	touch $@

# dolma pins numpy<2, so it gets an environment of its own; the tests run its
# `dolma` command from there. The constraints keep pip's resolver quick.
$(DOLMA_STAMP): pyproject.toml constraints/dolma.txt
	$(PYTHON) -m venv $(DOLMA_VENV)
	$(DOLMA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOLMA_VENV)/bin/python -m pip install --quiet -c constraints/dolma.txt -e '.[dolma]'
	rm -f $(DOLMA_VENV)/.installed-*
	touch $@

install: $(DEV_STAMP) $(DOLMA_STAMP) java

demo: $(BASE_STAMP)
	$(BIN)/mtdetect score --format table examples/article.txt

test: install system-deps
	$(BIN)/python -m pytest

system-deps:
	$(call apt_install,$(DEBIAN_PACKAGES))

browser-deps:
	$(call apt_install,$(BROWSER_PACKAGES))

report-example: $(DEV_STAMP) browser-deps
	$(BIN)/python -m qa.report_example --out build/report-example --screenshots docs

java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Java for Spark: $(JAVA_PACKAGE)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(JAVA_PACKAGE); }

train: $(DEV_STAMP) system-deps
	@test -e "$(DATA)" || { echo "make train: error: DATA=$(DATA) does not exist (the shared data folder, or your pairs)"; exit 2; }
	@if [ -d "$(DATA)/clean" ]; then $(BIN)/python -m training.punkt --data $(DATA) --out mtdetect/data/punkt_en.json; fi
	$(BIN)/python -m training.train --data $(DATA) --base $(BASE) $(if $(OUT),--out $(OUT)) $(if $(ONLY),--only)

evaluate: $(DEV_STAMP)
	$(BIN)/python -m training.evaluate --data $(DATA) --base $(BASE) $(if $(OUT),--model $(OUT)) $(EVALUATE_ARGS)

bench: $(DEV_STAMP) java
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m qa.bench $(if $(COMPARE),--compare $(COMPARE))
	$(BIN)/python -m qa.bench_report

reference-scores: $(DEV_STAMP)
	$(BIN)/python -m qa.reference_scores

clean:
	rm -rf build dist *.egg-info .pytest_cache
