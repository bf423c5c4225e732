# The one list of commands shared by people, GitHub Actions, Jenkins and .ci/run.
# `make help` lists the targets.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ARTIFACTS ?= model/artifacts
DATA ?= data/group_01/meditation_sessions.csv
REPORTS ?= reports

.DEFAULT_GOAL := help
.PHONY: help install lint test train data run bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned runtime and dev requirements

lint: install ## flake8 over the whole project
	$(BIN)/flake8

test: lint ## flake8, then pytest with coverage (JUnit and coverage XML in reports/)
	mkdir -p $(REPORTS)
	$(BIN)/pytest --cov --cov-report=term --cov-report=xml:$(REPORTS)/coverage.xml \
		--junitxml=$(REPORTS)/junit.xml
	@for package in model app; do \
		$(BIN)/coverage report --include="$$package/*" --fail-under=90 > /dev/null \
		|| { echo "coverage of $$package/ is below 90%"; exit 1; }; done

data: install ## Regenerate the dataset from its deterministic generator (seed 42)
	$(BIN)/python data/generate_sessions.py --out $(DATA)

$(ARTIFACTS)/model.joblib: | install
	$(BIN)/focus-agent train --data $(DATA) --artifacts $(ARTIFACTS)

train: install ## Train, evaluate and gate the model; write model.joblib, model.json, MODEL_CARD.md
	$(BIN)/focus-agent train --data $(DATA) --artifacts $(ARTIFACTS)

run: $(ARTIFACTS)/model.joblib ## Set up from nothing, train if there is no model, serve on :5000
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) $(BIN)/focus-agent serve

clean: ## Remove the venv, artifacts, reports and caches
	rm -rf $(VENV) $(ARTIFACTS) $(REPORTS) .pytest_cache .coverage *.egg-info
