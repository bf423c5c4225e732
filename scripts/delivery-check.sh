#!/usr/bin/env bash
# `make delivery-check`: the delivery recipe, for real, on this machine.
#   1. lint      hadolint, actionlint + shellcheck, Groovy parse and npm-groovy-lint of the
#                Jenkinsfile, and the pipeline contract test (make delivery-lint)
#   2. train     make train (train and gate the model in the workspace, as Jenkins does)
#   3. engine    a Docker engine that answers (Debian's dockerd started if none does)
#   4. base      the base image: DELIVERY_PYTHON_IMAGE if set, else a debootstrap stand-in for
#                python:3.11-slim (no container registry is reachable here)
#   5. build     make image, as a master build (tags: build number, short commit, latest)
#   6. smoke     make smoke (plain and --read-only --tmpfs /tmp: healthy, /health, /predict,
#                page, /stats, non-root) and make sbom
#   7. push      a local registry with htpasswd auth; make push (it logs in through the
#                engine's API: nothing is written to the empty DOCKER_CONFIG it runs with) and
#                image-verify (delete locally, pull back, compare digest and image id)
#   8. report    make image-tag, image-digest and model-accuracy (the build description) and
#                make report (the build summary Jenkins e-mails), from this run's records
# The image targets run `focus-delivery image ...`, as in Jenkins.
# Everything it started (containers, image tags, registry, dockerd) is stopped on exit, by id.
# A missing engine or registry is a failure, never a skip. Prints each phase's duration.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

MAKE="${MAKE:-make}"
WORK="${DELIVERY_WORK_DIR:-.tmp/delivery-check}"
rm -rf "$WORK"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

# A master build of this checkout; no registry or credentials from the caller's environment.
unset REGISTRY IMAGE_REPOSITORY DOCKERHUB_USERNAME DOCKERHUB_TOKEN DOCKERHUB_USR DOCKERHUB_PSW \
    GIT_COMMIT
export BUILD_NUMBER="${DELIVERY_BUILD_NUMBER:-dc$(date -u +%Y%m%d%H%M%S)}"
export BRANCH_NAME=master
export IMAGE_RECORD="$WORK/image.json"
export SBOM_FILE="$WORK/sbom.cdx.json"

ENGINE_PID=""
REGISTRY_DIR="$WORK/registry"
REGISTRY_STARTED=0
PHASE="start"
CHECK_START="$(date +%s)"
TIMINGS=()

elapsed() {
    echo $(($(date +%s) - $1))
}

# Run one phase: print its name, run the command, record how long it took.
phase() {
    PHASE="$1"
    shift
    local start
    start="$(date +%s)"
    echo
    echo "=== delivery-check: $PHASE"
    "$@"
    TIMINGS+=("$(printf '%-8s %4s s' "$PHASE" "$(elapsed "$start")")")
    echo "--- delivery-check: $PHASE done in $(elapsed "$start") s"
}

cleanup() {
    local status=$?
    set +e
    local start
    start="$(date +%s)"
    echo
    echo "=== delivery-check: cleanup"
    "$MAKE" --no-print-directory image-clean
    [ -n "${DOCKER_CONFIG:-}" ] && rm -rf "$DOCKER_CONFIG"
    [ "$REGISTRY_STARTED" = 1 ] && scripts/registry.sh down "$REGISTRY_DIR"
    [ -n "$ENGINE_PID" ] && scripts/docker-engine.sh down "$ENGINE_PID"
    rm -rf "$REGISTRY_DIR/data"
    TIMINGS+=("$(printf '%-8s %4s s' cleanup "$(elapsed "$start")")")

    echo
    echo "=== delivery-check: durations"
    printf '  %s\n' "${TIMINGS[@]}"
    printf '  %-8s %4s s\n' total "$(elapsed "$CHECK_START")"
    if [ "$status" -eq 0 ]; then
        echo "delivery-check: PASSED in $(elapsed "$CHECK_START") s"
    else
        echo "delivery-check: FAILED in phase '$PHASE' after $(elapsed "$CHECK_START") s" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lint() {
    "$MAKE" --no-print-directory delivery-lint
}

train() {
    "$MAKE" --no-print-directory train
}

engine() {
    local answer
    answer="$(scripts/docker-engine.sh up)" || die "no Docker engine: scripts/docker-engine.sh up failed"
    echo "engine: $answer"
    case "$answer" in
        started\ *) ENGINE_PID="${answer#started }" ;;
        already-running) ;;
        *) die "unexpected answer from docker-engine.sh: $answer" ;;
    esac
    docker version --format 'engine: Docker {{.Server.Version}}, client {{.Client.Version}}'
}

base() {
    if [ -n "${DELIVERY_PYTHON_IMAGE:-}" ]; then
        PYTHON_IMAGE="$DELIVERY_PYTHON_IMAGE"
    else
        PYTHON_IMAGE="$(scripts/base-image.sh | tail -n 1)"
    fi
    [ -n "$PYTHON_IMAGE" ] || die "no base image"
    export PYTHON_IMAGE
    echo "base image: $PYTHON_IMAGE"
}

build() {
    "$MAKE" --no-print-directory image
}

smoke() {
    "$MAKE" --no-print-directory smoke
    "$MAKE" --no-print-directory sbom
}

push() {
    scripts/registry.sh up "$REGISTRY_DIR" >/dev/null || die "the local registry did not start"
    REGISTRY_STARTED=1
    # shellcheck source=/dev/null
    . "$REGISTRY_DIR/registry.env"
    export REGISTRY DOCKERHUB_USERNAME="$REGISTRY_USER" DOCKERHUB_TOKEN="$REGISTRY_PASSWORD"
    echo "registry: $REGISTRY (htpasswd auth, user $REGISTRY_USER)"
    DOCKER_CONFIG="$(mktemp -d "$WORK/docker-config.XXXXXX")"
    export DOCKER_CONFIG
    "$MAKE" --no-print-directory push
    "$MAKE" --no-print-directory image-verify
    [ -z "$(ls -A "$DOCKER_CONFIG")" ] || die "the push wrote to DOCKER_CONFIG: $(ls -A "$DOCKER_CONFIG")"
    unset DOCKERHUB_TOKEN REGISTRY_PASSWORD
}

report() {
    local digest
    digest="$("$MAKE" -s image-digest)"
    [ -n "$digest" ] || die "no digest recorded after the push"
    echo "build description: image $("$MAKE" -s image-tag) | digest $digest |" \
        "accuracy $("$MAKE" -s model-accuracy)"
    BUILD_RESULT=SUCCESS "$MAKE" --no-print-directory report REPORTS="$WORK"
}

summary() {
    echo
    echo "=== delivery-check: image"
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("  image      %s: %s" % (r["local_repository"], ", ".join(r["tags"])))
print("  pushed     %s @ %s" % (r.get("pushed_repository"), r.get("digest")))
print("  size       %.0f MB (%d bytes)" % (r["size_bytes"] / 1e6, r["size_bytes"]))
print("  build time %d s" % r["build_seconds"])
' "$IMAGE_RECORD"
}

phase lint lint
phase train train
phase engine engine
phase base base
phase build build
phase smoke smoke
phase push push
phase report report
summary
