#!/usr/bin/env bash
# Log in to a registry, push the built image's tags, prove the round trip, log out.
#
#   scripts/push-image.sh login    docker login --password-stdin (never on the command line)
#   scripts/push-image.sh push     tag and push every tag of the image record; record the digest
#   scripts/push-image.sh verify   delete the tags locally, pull them back, compare the digest
#                                  and the image id with what was pushed
#   scripts/push-image.sh logout   docker logout (safe to call when not logged in)
#
# Env: REGISTRY (host[:port]; empty = Docker Hub), REGISTRY_USER / REGISTRY_PASSWORD (default:
#      DOCKERHUB_USR / DOCKERHUB_PSW, as Jenkins's credentials() binds them), REGISTRY_NAMESPACE
#      (default: the user on Docker Hub, none elsewhere), PUSH_REPO (default
#      [REGISTRY/][NAMESPACE/]IMAGE_NAME), IMAGE_NAME (focus-meditation-agent),
#      IMAGE_RECORD (reports/image.json), DOCKER_CONFIG (where docker keeps the login).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

REGISTRY="${REGISTRY:-}"
REGISTRY_USER="${REGISTRY_USER:-${DOCKERHUB_USR:-}}"
REGISTRY_PASSWORD="${REGISTRY_PASSWORD:-${DOCKERHUB_PSW:-}}"
IMAGE_NAME="${IMAGE_NAME:-focus-meditation-agent}"
IMAGE_RECORD="${IMAGE_RECORD:-reports/image.json}"
if [ -z "${REGISTRY_NAMESPACE+set}" ]; then
    REGISTRY_NAMESPACE=""
    [ -z "$REGISTRY" ] && REGISTRY_NAMESPACE="$REGISTRY_USER"
fi
PUSH_REPO="${PUSH_REPO:-${REGISTRY:+$REGISTRY/}${REGISTRY_NAMESPACE:+$REGISTRY_NAMESPACE/}$IMAGE_NAME}"

registry_name() {
    echo "${REGISTRY:-Docker Hub}"
}

login() {
    require_engine
    [ -n "$REGISTRY_USER" ] || die "no registry user: set REGISTRY_USER (or DOCKERHUB_USR)"
    [ -n "$REGISTRY_PASSWORD" ] || die "no registry password: set REGISTRY_PASSWORD (or DOCKERHUB_PSW)"
    local target=()
    [ -n "$REGISTRY" ] && target=("$REGISTRY")
    printf '%s' "$REGISTRY_PASSWORD" \
        | docker login --username "$REGISTRY_USER" --password-stdin "${target[@]}" >&2 \
        || die "docker login to $(registry_name) failed"
    echo "logged in to $(registry_name) as $REGISTRY_USER"
}

logout() {
    local target=()
    [ -n "$REGISTRY" ] && target=("$REGISTRY")
    if docker info >/dev/null 2>&1; then
        docker logout "${target[@]}" >&2 || true
    fi
    echo "logged out of $(registry_name)"
}

record_tags() {
    local tags
    tags="$(read_record "$IMAGE_RECORD" tags)"
    [ -n "$tags" ] || die "no image record at $IMAGE_RECORD; run 'make image' first"
    echo "$tags"
}

push() {
    require_engine
    local local_repo tags tag output digest=""
    local_repo="$(read_record "$IMAGE_RECORD" local_repository)"
    tags="$(record_tags)"
    for tag in $tags; do
        [ "$local_repo:$tag" = "$PUSH_REPO:$tag" ] || docker tag "$local_repo:$tag" "$PUSH_REPO:$tag"
        output="$(docker push "$PUSH_REPO:$tag")" || {
            echo "$output" >&2
            die "docker push $PUSH_REPO:$tag failed (logged in? run 'make registry-login')"
        }
        digest="$(echo "$output" | grep -oE 'digest: sha256:[0-9a-f]{64}' | tail -n 1)"
        digest="${digest#digest: }"
        [ -n "$digest" ] || die "docker push $PUSH_REPO:$tag printed no digest"
        echo "pushed $PUSH_REPO:$tag"
    done
    write_record "$IMAGE_RECORD" <<EOF
repository=$PUSH_REPO
pushed_repository=$PUSH_REPO
digest=$digest
EOF
    echo "digest: $digest"
}

verify() {
    require_engine
    local local_repo tags tag digest image_id pulled_id repo
    local_repo="$(read_record "$IMAGE_RECORD" local_repository)"
    digest="$(read_record "$IMAGE_RECORD" digest)"
    image_id="$(read_record "$IMAGE_RECORD" image_id)"
    tags="$(record_tags)"
    [ -n "$digest" ] || die "no pushed digest in $IMAGE_RECORD; run 'make push' first"

    for repo in "$local_repo" "$PUSH_REPO"; do
        for tag in $tags; do
            docker rmi "$repo:$tag" >/dev/null 2>&1 || true
        done
    done
    if docker image inspect "$image_id" >/dev/null 2>&1; then
        say "warning: image $image_id is still held locally by another tag; the pull only" \
            "checks the manifest"
    else
        say "deleted $image_id locally"
    fi

    for tag in $tags; do
        docker pull "$PUSH_REPO:$tag" >&2 || die "docker pull $PUSH_REPO:$tag failed"
        docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$PUSH_REPO:$tag" \
            | grep -qxF "$PUSH_REPO@$digest" \
            || die "pulled $PUSH_REPO:$tag does not have the pushed digest $digest"
        pulled_id="$(docker image inspect -f '{{.Id}}' "$PUSH_REPO:$tag")"
        [ "$pulled_id" = "$image_id" ] \
            || die "pulled $PUSH_REPO:$tag is $pulled_id, built was $image_id"
        [ "$local_repo:$tag" = "$PUSH_REPO:$tag" ] || docker tag "$PUSH_REPO:$tag" "$local_repo:$tag"
        echo "pulled $PUSH_REPO:$tag: digest $digest and image id match"
    done
}

case "${1:-}" in
    login) login ;;
    push) push ;;
    verify) verify ;;
    logout) logout ;;
    *) die "usage: $0 login | push | verify | logout" ;;
esac
