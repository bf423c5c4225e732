#!/usr/bin/env bash
# Build, smoke-test, describe and clean up the service image (used by make and Jenkins).
#
#   scripts/image.sh build   build the multi-stage image, tags BUILD_NUMBER (BRANCH-BUILD_NUMBER
#                            off master), short commit and (on master, or TAG_LATEST=1)
#                            latest; print size and build time;
#                            write the image record (reports/image.json)
#   scripts/image.sh smoke   run it twice (plain, and --read-only --tmpfs /tmp), wait healthy,
#                            check /health and /predict over HTTP, the page and /stats, and
#                            the non-root user
#   scripts/image.sh sbom    CycloneDX SBOM of the image's Python environment
#   scripts/image.sh tag     print the first tag (image reference) of the record
#   scripts/image.sh tags    print the tags a build would get now (no engine needed)
#   scripts/image.sh clean   remove the containers and image tags this build made
#
# Env: IMAGE_NAME (focus-meditation-agent), BUILD_NUMBER (local), GIT_COMMIT (git HEAD),
#      BRANCH_NAME, TAG_LATEST (1/0, default: 1 on master), PYTHON_IMAGE (python:3.11-slim),
#      SOURCE_URL (git remote), IMAGE_RECORD (reports/image.json), SMOKE_TIMEOUT (120),
#      SBOM_FILE (reports/sbom.cdx.json), CYCLONEDX_PY (cyclonedx-py).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

IMAGE_NAME="${IMAGE_NAME:-focus-meditation-agent}"
BUILD_NUMBER="${BUILD_NUMBER:-local}"
PYTHON_IMAGE="${PYTHON_IMAGE:-python:3.11-slim}"
IMAGE_RECORD="${IMAGE_RECORD:-reports/image.json}"
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-120}"
SBOM_FILE="${SBOM_FILE:-reports/sbom.cdx.json}"
CYCLONEDX_PY="${CYCLONEDX_PY:-cyclonedx-py}"
SMOKE_LABEL="focus-agent.smoke"
SAMPLE='{"duration_minutes": 20, "mood_before": "stressed"}'
LIST_PACKAGES='import importlib.metadata as m
names = {(d.metadata["Name"], d.version) for d in m.distributions()}
print("\n".join(f"{name}=={version}" for name, version in sorted(names, key=lambda n: n[0].lower())))'

commit() {
    if [ -n "${GIT_COMMIT:-}" ]; then
        echo "$GIT_COMMIT"
    else
        git rev-parse HEAD 2>/dev/null || true
    fi
}

# The repository's address without any credentials a remote URL may carry.
source_url() {
    local url="${SOURCE_URL:-$(git config --get remote.origin.url 2>/dev/null || true)}"
    echo "$url" | sed -E 's#^([a-z+]+://)[^/@]*@#\1#'
}

# The tags of this build: the build number (prefixed with the branch off master, because a
# multibranch job numbers each branch's builds from 1 and PR-7 #3 must not overwrite master
# #3), the short commit, and latest on master or with TAG_LATEST=1.
tags() {
    local sha number="$BUILD_NUMBER"
    sha="$(commit)"
    if [ -n "${BRANCH_NAME:-}" ] && [ "$BRANCH_NAME" != "master" ]; then
        local branch
        branch="$(echo "$BRANCH_NAME" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_.\n-' '-')"
        number="${branch:0:100}-$BUILD_NUMBER"
    fi
    local list="$number"
    [ -n "$sha" ] && list="$list ${sha:0:7}"
    local latest="${TAG_LATEST:-}"
    if [ -z "$latest" ]; then
        latest=0
        [ "${BRANCH_NAME:-}" = "master" ] && latest=1
    fi
    [ "$latest" = "1" ] && list="$list latest"
    echo "$list"
}

image_ref() {
    local repo tag
    repo="$(read_record "$IMAGE_RECORD" local_repository)"
    tag="$(read_record "$IMAGE_RECORD" tags)"
    if [ -z "$repo" ] || [ -z "$tag" ]; then
        die "no image record at $IMAGE_RECORD; run 'make image' first"
    fi
    echo "$repo:${tag%% *}"
}

build() {
    require_engine
    local sha version created tag_list args=()
    sha="$(commit)"
    version="$(sed -nE 's/^version *= *//p' setup.cfg)"
    created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    tag_list="$(tags)"
    local tag
    for tag in $tag_list; do
        args+=(--tag "$IMAGE_NAME:$tag")
    done
    rm -f "$IMAGE_RECORD"  # a failed build must not leave the previous build's record
    say "building $IMAGE_NAME ($tag_list) from $PYTHON_IMAGE"
    local start end
    start="$(date +%s)"
    docker_build "${args[@]}" \
        --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" \
        --build-arg "VERSION=${version:-unknown}" \
        --build-arg "REVISION=$sha" \
        --build-arg "CREATED=$created" \
        --build-arg "SOURCE=$(source_url)" \
        . >&2 || die "docker build failed (see the log above)"
    end="$(date +%s)"

    local first="${tag_list%% *}" id size
    id="$(docker image inspect -f '{{.Id}}' "$IMAGE_NAME:$first")"
    size="$(docker image inspect -f '{{.Size}}' "$IMAGE_NAME:$first")"
    write_record "$IMAGE_RECORD" <<EOF
repository=$IMAGE_NAME
local_repository=$IMAGE_NAME
tags=$tag_list
image_id=$id
digest=
size_bytes=$size
build_seconds=$((end - start))
EOF
    echo "image: $IMAGE_NAME:${tag_list// /, $IMAGE_NAME:}"
    echo "image id: $id"
    echo "image size: $((size / 1000000)) MB ($size bytes)"
    echo "build time: $((end - start)) s"
}

# --- smoke test ------------------------------------------------------------------------

CONTAINERS=()

remove_containers() {
    if [ "${#CONTAINERS[@]}" -gt 0 ]; then
        docker rm -f "${CONTAINERS[@]}" >/dev/null 2>&1 || true
    fi
}

# Start a container of the image (args: docker run options and the image) and record its id
# in CONTAINERS; published on 127.0.0.1 only, on a free port.
start_container() {
    local cid
    cid="$(docker run -d --label "$SMOKE_LABEL=$BUILD_NUMBER" -p 127.0.0.1::5000 "$@")" \
        || die "docker run $* failed"
    CONTAINERS+=("$cid")
}

wait_healthy() {
    local cid="$1" name="$2" waited=0 status running
    while :; do
        status="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$cid")"
        running="$(docker inspect -f '{{.State.Running}}' "$cid")"
        [ "$status" = "healthy" ] && break
        if [ "$running" != "true" ] || [ "$status" = "unhealthy" ] \
            || [ "$waited" -ge "$SMOKE_TIMEOUT" ]; then
            docker logs --tail 40 "$cid" >&2 || true
            die "$name container is ${status:-without health status} (running=$running)" \
                "after ${waited}s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "$name container healthy after ${waited}s"
}

# Check /health and /predict of the container at host address $2 (name $1) over HTTP.
check_http() {
    local name="$1" address="$2" body
    body="$(curl -fsS --max-time 10 "http://$address/health")" \
        || die "$name: GET /health failed"
    python3 -c 'import json, sys; doc = json.loads(sys.argv[1]); \
sys.exit(0 if doc.get("status") == "healthy" else "status is %r" % doc.get("status"))' "$body" \
        || die "$name: /health did not say healthy: $body"

    body="$(curl -sS --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "$SAMPLE" "http://$address/predict")" || die "$name: POST /predict failed"
    python3 - "$body" <<'PY' || die "$name: /predict answered wrongly: $body"
import json, sys
text, _, status = sys.argv[1].rpartition("\n")
assert status == "200", f"HTTP {status}"
doc = json.loads(text)
moods = {"calm", "relaxed", "focused", "energized"}
assert doc["mood_after"] in moods, doc["mood_after"]
probabilities = doc["probabilities"]
assert set(probabilities) == moods, sorted(probabilities)
assert abs(sum(probabilities.values()) - 1) < 1e-6, sum(probabilities.values())
PY
    say "$name: /health healthy, /predict $SAMPLE -> $(python3 -c \
        'import json, sys; print(json.loads(sys.argv[1].rpartition("\n")[0])["mood_after"])' "$body")"
}

# The packaged page (templates and static files ship inside the wheel) and the bundled dataset
# (/stats is computed from it) are in the image.
check_page_and_data() {
    local address="$1" page
    page="$(curl -fsS --max-time 10 -H 'Accept: text/html' "http://$address/")" \
        || die "GET / (HTML) failed"
    grep -qi '<html' <<<"$page" || die "GET / with Accept: text/html did not return a page"
    curl -fsS --max-time 10 -o /dev/null "http://$address/stats" \
        || die "GET /stats failed: is the dataset in the image?"
    say "page / served, /stats answered from the bundled dataset"
}

check_non_root() {
    local cid="$1" user uid
    user="$(docker inspect -f '{{.Config.User}}' "$cid")"
    uid="$(docker exec "$cid" sh -c 'sed -n "s/^Uid:[[:space:]]*\([0-9]*\).*/\1/p" /proc/1/status')"
    if [ -z "$uid" ] || [ "$uid" = "0" ]; then
        die "the server runs as root (uid ${uid:-?})"
    fi
    if ! [[ "${user%%:*}" =~ ^[0-9]+$ ]] || [ "${user%%:*}" = "0" ]; then
        die "the image's USER is not a numeric non-root id: '$user'"
    fi
    say "server runs as uid $uid (image USER $user)"
}

check_read_only() {
    local cid="$1"
    [ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$cid")" = "true" ] \
        || die "the read-only container has a writable root file system"
    if docker exec "$cid" sh -c 'touch /app/.write-probe' 2>/dev/null; then
        die "wrote to /app in a --read-only container"
    fi
    say "serves with --read-only --tmpfs /tmp (root file system not writable)"
}

smoke() {
    require_engine
    local image="${SMOKE_IMAGE:-}"
    [ -n "$image" ] || image="$(image_ref)"
    trap remove_containers EXIT
    local start plain ro
    start="$(date +%s)"
    start_container "$image"
    plain="${CONTAINERS[0]}"
    start_container --read-only --tmpfs /tmp "$image"
    ro="${CONTAINERS[1]}"
    wait_healthy "$plain" "plain"
    wait_healthy "$ro" "read-only"
    check_http "plain" "$(docker port "$plain" 5000/tcp | head -n 1)"
    check_http "read-only" "$(docker port "$ro" 5000/tcp | head -n 1)"
    check_page_and_data "$(docker port "$plain" 5000/tcp | head -n 1)"
    check_non_root "$plain"
    check_read_only "$ro"
    echo "smoke test of $image passed in $(($(date +%s) - start)) s"
}

# --- SBOM and clean-up -----------------------------------------------------------------

sbom() {
    require_engine
    local image="${SMOKE_IMAGE:-}" frozen
    [ -n "$image" ] || image="$(image_ref)"
    frozen="$(mktemp)"
    # The image's own interpreter lists the distributions in its venv (name==version, as a
    # requirements file); no network, nothing written in the container.
    docker run --rm --network none --read-only --entrypoint python "$image" -c "$LIST_PACKAGES" \
        >"$frozen" || { rm -f "$frozen"; die "could not list the image's Python packages"; }
    mkdir -p "$(dirname "$SBOM_FILE")"
    "$CYCLONEDX_PY" requirements "$frozen" --of JSON -o "$SBOM_FILE" >&2 \
        || { rm -f "$frozen"; die "cyclonedx-py failed"; }
    echo "SBOM: $SBOM_FILE ($(wc -l <"$frozen") Python packages of $image)"
    rm -f "$frozen"
}

clean() {
    docker info >/dev/null 2>&1 || { say "no Docker engine answers; nothing to clean"; return 0; }
    local containers
    containers="$(docker ps -aq --filter "label=$SMOKE_LABEL=$BUILD_NUMBER")"
    if [ -n "$containers" ]; then
        # shellcheck disable=SC2086 # one id per word
        docker rm -f $containers >/dev/null
    fi
    local tags repo tag removed=0
    tags="$(read_record "$IMAGE_RECORD" tags)"
    for repo in $(read_record "$IMAGE_RECORD" local_repository) \
                $(read_record "$IMAGE_RECORD" pushed_repository); do
        for tag in $tags; do
            if docker image inspect "$repo:$tag" >/dev/null 2>&1; then
                docker rmi "$repo:$tag" >/dev/null && removed=$((removed + 1))
            fi
        done
    done
    echo "removed $removed image tag(s)"
}

case "${1:-}" in
    build) build ;;
    smoke) smoke ;;
    sbom) sbom ;;
    tag) image_ref ;;
    tags) tags ;;
    clean) clean ;;
    *) die "usage: $0 build | smoke | sbom | tag | tags | clean" ;;
esac
