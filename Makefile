# The one list of commands shared by people, GitHub Actions, Jenkins and .ci/run.
# `make help` lists the targets.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ARTIFACTS ?= model/artifacts
DATA ?= data/group_01/meditation_sessions.csv
REPORTS ?= reports

.DEFAULT_GOAL := help
.PHONY: help install system-deps lint test train data run bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned runtime and dev requirements

SYSTEM_TOOLS = chromium:chromium chromedriver:chromium-driver

system-deps: ## Install the Debian tools the tests drive (Chromium and its driver) if missing
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
		command -v "$${pair%%:*}" >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

lint: install ## flake8 over the whole project
	$(BIN)/flake8

test: lint system-deps ## flake8, then pytest with coverage (JUnit and coverage XML in reports/)
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

bench: $(ARTIFACTS)/model.joblib ## Benchmark /predict under wrk against a bare-Flask ceiling
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) ACCESS_LOG= $(BIN)/python bench/run.py

clean: ## Remove the venv, artifacts, reports and caches
	rm -rf $(VENV) $(ARTIFACTS) $(REPORTS) .pytest_cache .coverage *.egg-info

# ------------------------------------------------------------------------------------------
# Delivery: pipeline lints, the image (build, smoke test, SBOM), registry push, build report.
# Jenkins, GitHub Actions and `make delivery-check` call only these targets (docs/delivery.md).

IMAGE_NAME ?= focus-meditation-agent
PYTHON_IMAGE ?= python:3.11-slim
IMAGE_RECORD ?= $(REPORTS)/image.json
SBOM_FILE ?= $(REPORTS)/sbom.cdx.json
IMAGE_ENV = IMAGE_NAME=$(IMAGE_NAME) IMAGE_RECORD=$(IMAGE_RECORD)

.PHONY: hadolint actionlint jenkinsfile-lint shellcheck pipeline-test delivery-lint image smoke sbom \
	registry-login push registry-logout image-tag model-accuracy report image-clean \
	delivery-check

hadolint: install ## Lint the Dockerfile with hadolint
	$(BIN)/hadolint Dockerfile

actionlint: install ## Lint the GitHub Actions workflows with actionlint and shellcheck
	ACTIONLINT=$(BIN)/actionlint scripts/lint-pipelines.sh actionlint

jenkinsfile-lint: ## Parse the Jenkinsfile with Groovy (syntax check, no Jenkins needed)
	scripts/lint-pipelines.sh jenkinsfile

shellcheck: ## Lint the delivery scripts and .ci/run with shellcheck
	scripts/lint-pipelines.sh shellcheck

pipeline-test: install ## Check Jenkinsfile, workflows and Dockerfile against their contract
	$(BIN)/pytest -q -p no:cacheprovider tests/delivery/test_pipeline_files.py

delivery-lint: hadolint actionlint jenkinsfile-lint shellcheck pipeline-test ## All the delivery lints

image: ## Build the image; tags BUILD_NUMBER, short commit, latest on master (TAG_LATEST=1)
	$(IMAGE_ENV) PYTHON_IMAGE=$(PYTHON_IMAGE) scripts/image.sh build

smoke: ## Run the image (plain and --read-only), wait healthy, check /health and /predict
	$(IMAGE_ENV) scripts/image.sh smoke

sbom: install ## Write a CycloneDX SBOM of the image's Python environment (SBOM_FILE)
	$(IMAGE_ENV) SBOM_FILE=$(SBOM_FILE) CYCLONEDX_PY=$(BIN)/cyclonedx-py scripts/image.sh sbom

registry-login: ## docker login to REGISTRY (Docker Hub when unset) with --password-stdin
	$(IMAGE_ENV) scripts/push-image.sh login

push: ## Push every tag of the built image to REGISTRY and record the digest
	$(IMAGE_ENV) scripts/push-image.sh push

registry-logout: ## docker logout from REGISTRY
	$(IMAGE_ENV) scripts/push-image.sh logout

image-tag: ## Print the built image as repository:tag
	@$(IMAGE_ENV) scripts/image.sh tag

model-accuracy: ## Print the trained model's test accuracy from its manifest
	@$(PYTHON) -c "import json, sys; print(json.load(open(sys.argv[1]))['metrics']['accuracy'])" \
		$(ARTIFACTS)/model.json

report: install ## Write the build summary for the e-mail (summary.txt, summary.html in REPORTS)
	$(BIN)/focus-delivery report --out-dir $(REPORTS) --image-record $(IMAGE_RECORD) \
		--model $(ARTIFACTS)/model.json

image-clean: ## Remove the containers and image tags this build made
	$(IMAGE_ENV) scripts/image.sh clean

delivery-check: install ## Lint the pipelines, then build, run, push and pull the image for real
	scripts/delivery-check.sh
