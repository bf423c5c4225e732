# The one list of commands shared by people, GitHub Actions, Jenkins and .ci/run.
# `make help` lists the targets.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
ARTIFACTS ?= model/artifacts
DATA ?= data/group_01/meditation_sessions.csv
REPORTS ?= reports

.DEFAULT_GOAL := help
.PHONY: help install system-deps node-deps lint test train data run bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned runtime and dev requirements

# The system tools `make test` drives, as TOOL:DEBIAN-PACKAGE (`browser`: a Chrome or Chromium
# and its driver, see scripts/system-deps.sh): the local registry with htpasswd auth (the
# login tests need one that checks passwords), promtool for the metrics tests,
# PostgreSQL (its initdb/pg_ctl) for the journal's tests.
SYSTEM_TOOLS = browser curl:curl openssl:openssl docker-registry:docker-registry \
	htpasswd:apache2-utils promtool:prometheus \
	pg_ctlcluster:postgresql

system-deps: ## Install the tools the tests drive if missing (Debian; as root or with sudo -n)
	@scripts/system-deps.sh $(SYSTEM_TOOLS)

lint: install ## flake8 over the whole project
	$(BIN)/flake8

test: lint system-deps node-deps ## flake8, then pytest with coverage (JUnit and coverage XML in reports/)
	mkdir -p $(REPORTS)
	$(BIN)/pytest --cov --cov-report=term --cov-report=xml:$(REPORTS)/coverage.xml \
		--junitxml=$(REPORTS)/junit.xml
	@for package in model app; do \
		$(BIN)/coverage report --include="$$package/*" --fail-under=90 > /dev/null \
		|| { echo "coverage of $$package/ is below 90%"; exit 1; }; done

data: install ## Regenerate the dataset from its deterministic generator (seed 42)
	$(BIN)/python data/generate_sessions.py --out $(DATA)

TRAIN = $(BIN)/focus-agent train --data $(DATA) --artifacts $(ARTIFACTS)

$(ARTIFACTS)/model.joblib: | install
	$(TRAIN)

train: install ## Train, evaluate and gate the model; write model.joblib, model.json, MODEL_CARD.md
	$(TRAIN)

run: $(ARTIFACTS)/model.joblib ## Set up from nothing, train if there is no model, serve on :5000
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) $(BIN)/focus-agent serve

bench: $(ARTIFACTS)/model.joblib ## Benchmark /predict (sync/gthread, keep-alive/close, metrics on/off, Flask ceiling) and the journal
	scripts/system-deps.sh wrk:wrk
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) ACCESS_LOG= $(BIN)/python bench/run.py
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) ACCESS_LOG= $(BIN)/python bench/journal.py

clean: ## Remove the venv, artifacts, reports and caches
	rm -rf $(VENV) $(ARTIFACTS) $(REPORTS) .pytest_cache .coverage *.egg-info

# ------------------------------------------------------------------------------------------
# Delivery: pipeline lints, the image (build, smoke test, SBOM), registry push, build report.
# Jenkins, GitHub Actions and `make delivery-check` call only these targets (docs/delivery.md);
# the image targets run `focus-delivery image ...` (delivery/, docs/releasing.md).

PYTHON_IMAGE ?= python:3.11-slim
IMAGE_RECORD ?= $(REPORTS)/image.json
SBOM_FILE ?= $(REPORTS)/sbom.cdx.json
DELIVERY = $(BIN)/focus-delivery

.PHONY: hadolint actionlint jenkinsfile-lint delivery-deps shellcheck pipeline-test \
	delivery-lint image smoke sbom push image-verify image-tag image-digest model-accuracy report \
	notify image-clean \
	delivery-check

hadolint: install ## Lint the Dockerfile with hadolint
	$(BIN)/hadolint Dockerfile

actionlint: install ## Lint the GitHub Actions workflows with actionlint and shellcheck
	ACTIONLINT=$(BIN)/actionlint scripts/lint-pipelines.sh actionlint

jenkinsfile-lint: node-deps ## Parse the Jenkinsfile with Groovy, then lint it with npm-groovy-lint
	scripts/lint-pipelines.sh jenkinsfile

node-deps: node_modules/.installed ## Install the pinned Node tools (package-lock.json) into ./node_modules

node_modules/.installed: package.json package-lock.json
	@scripts/system-deps.sh node:nodejs npm:npm
	npm ci --no-audit --no-fund
	touch $@

DELIVERY_TOOLS = docker:docker.io shellcheck:shellcheck java:default-jre-headless groovy:groovy \
	node:nodejs npm:npm

delivery-deps: ## Install the tools the delivery targets drive if missing (root or sudo -n)
	@scripts/system-deps.sh $(DELIVERY_TOOLS)

shellcheck: ## Lint the delivery scripts and .ci/run with shellcheck
	scripts/lint-pipelines.sh shellcheck

pipeline-test: install ## Check Jenkinsfile, workflows and Dockerfile against their contract
	$(BIN)/pytest -q -p no:cacheprovider tests/delivery/test_pipeline_files.py

delivery-lint: hadolint actionlint jenkinsfile-lint shellcheck pipeline-test ## All the delivery lints

image: install ## Build the image; tags the build number, short commit, latest on master
	$(DELIVERY) image build --build-number "$${BUILD_NUMBER:-local}" \
		--python-image $(PYTHON_IMAGE) --record $(IMAGE_RECORD)

smoke: install ## Run the image plain and --read-only; /health, /predict, page, non-root
	$(DELIVERY) image smoke --record $(IMAGE_RECORD)

sbom: install ## Write a CycloneDX SBOM of the image's Python environment (SBOM_FILE)
	$(DELIVERY) image sbom --record $(IMAGE_RECORD) --out $(SBOM_FILE)

push: install ## Push every tag to REGISTRY (Docker Hub when unset) with DOCKERHUB_*; record the digest
	$(DELIVERY) image push --record $(IMAGE_RECORD)

image-verify: install ## Delete the pushed tags locally, pull them back, compare digest and image id
	$(DELIVERY) image verify --record $(IMAGE_RECORD)

image-tag: install ## Print the image as repository:tag (the pushed repository after a push)
	@$(DELIVERY) image tag --record $(IMAGE_RECORD)

image-digest: install ## Print the pushed image's digest; nothing when it was not pushed
	@$(DELIVERY) image digest --record $(IMAGE_RECORD)

model-accuracy: ## Print the trained model's test accuracy from its manifest
	@$(PYTHON) -c "import json, sys; print(json.load(open(sys.argv[1]))['metrics']['accuracy'])" \
		$(ARTIFACTS)/model.json

REPORT_PYTHON ?= python3

report: ## Write the build summary (summary.txt, .html in REPORTS); needs only python3, no venv
	$(REPORT_PYTHON) -m delivery.build_report --out-dir $(REPORTS) --junit $(REPORTS)/junit.xml \
		--coverage $(REPORTS)/coverage.xml --image-record $(IMAGE_RECORD) \
		--model $(ARTIFACTS)/model.json

notify: install ## E-mail the summary (BUILD_RESULT) to ADMIN_EMAIL over SMTP, no email-ext
	IMAGE_RECORD=$(IMAGE_RECORD) MODEL_MANIFEST=$(ARTIFACTS)/model.json $(DELIVERY) notify

image-clean: ## Remove the smoke-test containers and image tags this build made (no venv: none)
	@if [ -x $(DELIVERY) ]; then $(DELIVERY) image clean --record $(IMAGE_RECORD); \
	else echo "image-clean: no $(DELIVERY), so no image was built: nothing to clean"; fi

delivery-check: install ## Lint the pipelines, then build, run, push and pull the image for real
	scripts/delivery-check.sh
