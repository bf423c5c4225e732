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

SYSTEM_TOOLS = chromium:chromium chromedriver:chromium-driver promtool:prometheus

system-deps: ## Install the Debian tools the tests drive (Chromium, its driver, promtool) if missing
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

TRAIN = $(BIN)/focus-agent train --data $(DATA) --artifacts $(ARTIFACTS)

$(ARTIFACTS)/model.joblib: | install
	$(TRAIN)

train: install ## Train, evaluate and gate the model; write model.joblib, model.json, MODEL_CARD.md
	$(TRAIN)

run: $(ARTIFACTS)/model.joblib ## Set up from nothing, train if there is no model, serve on :5000
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) $(BIN)/focus-agent serve

bench: $(ARTIFACTS)/model.joblib ## Benchmark /predict: sync and gthread, keep-alive and close, metrics on/off, Flask ceiling
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	MODEL_DIR=$(ARTIFACTS) DATA_PATH=$(DATA) ACCESS_LOG= $(BIN)/python bench/run.py

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

.PHONY: hadolint actionlint jenkinsfile-lint shellcheck pipeline-test delivery-lint image smoke sbom \
	registry-login registry-logout push image-verify image-tag image-digest model-accuracy report notify image-clean \
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

image: install ## Build the image; tags the build number, short commit, latest on master
	$(DELIVERY) image build --build-number "$${BUILD_NUMBER:-local}" \
		--python-image $(PYTHON_IMAGE) --record $(IMAGE_RECORD)

smoke: install ## Run the image plain and --read-only; /health, /predict, page, non-root
	$(DELIVERY) image smoke --record $(IMAGE_RECORD)

sbom: install ## Write a CycloneDX SBOM of the image's Python environment (SBOM_FILE)
	$(DELIVERY) image sbom --record $(IMAGE_RECORD) --out $(SBOM_FILE)

registry-login: ## docker login to REGISTRY (Docker Hub when unset); the token goes via stdin
	@user="$${DOCKERHUB_USERNAME:-$${DOCKERHUB_USR:-}}"; token="$${DOCKERHUB_TOKEN:-$${DOCKERHUB_PSW:-}}"; \
	if [ -z "$$user" ] || [ -z "$$token" ]; then \
		echo "registry-login: set DOCKERHUB_USERNAME and DOCKERHUB_TOKEN (Jenkins binds" \
			"DOCKERHUB_USR/DOCKERHUB_PSW)" >&2; exit 1; fi; \
	printf '%s' "$$token" | docker login --username "$$user" --password-stdin $${REGISTRY:-}

registry-logout: ## docker logout from REGISTRY (safe when not logged in)
	@docker logout $${REGISTRY:-} || true

push: install ## Log in to REGISTRY (Docker Hub when unset), push every tag, record the digest
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

report: install ## Write the build summary for the e-mail (summary.txt, summary.html in REPORTS)
	$(DELIVERY) report --out-dir $(REPORTS) --image-record $(IMAGE_RECORD) \
		--model $(ARTIFACTS)/model.json

notify: install ## E-mail the summary (BUILD_RESULT) to ADMIN_EMAIL over SMTP, no email-ext
	$(DELIVERY) notify --image-record $(IMAGE_RECORD) --model $(ARTIFACTS)/model.json

image-clean: install ## Remove the smoke-test containers and image tags this build made
	$(DELIVERY) image clean --record $(IMAGE_RECORD)

delivery-check: install ## Lint the pipelines, then build, run, push and pull the image for real
	scripts/delivery-check.sh
