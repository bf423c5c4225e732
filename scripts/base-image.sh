#!/usr/bin/env bash
# Ensure the local stand-in for python:3.11-slim exists, for machines that cannot pull it:
# debootstrap a minimal Debian bookworm with python3, python3-venv and ca-certificates, and
# `docker import` it. Needs root (debootstrap, chroot): it is part of the system tools that
# .ci/run installs as root, never of a test run. Idempotent; prints the image tag on its last
# stdout line. The build machine's extra CA certificates are not in it: the Dockerfile's
# builder stage alone trusts them (build arg BUILD_CA_CERTS), so the runtime never ships them.
#
#   scripts/base-image.sh           build it if missing (root)
#   scripts/base-image.sh --check   only say whether it is there (any user); exit 1 if not
#
# Env: BASE_IMAGE (default focus-agent/python-stand-in:3.11-bookworm), BASE_WORK_DIR (default
#      .tmp/base-image; debootstrap.log stays there), DEBIAN_MIRROR (default: the first Debian
#      archive in apt's sources).
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-focus-agent/python-stand-in:3.11-bookworm}"
BASE_WORK_DIR="${BASE_WORK_DIR:-.tmp/base-image}"
SUITE=bookworm

# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# The Debian archive apt already uses on this machine, read at run time so that no mirror
# host is written into the repository.
apt_mirror() {
    local files=()
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    local f
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ "${#files[@]}" -gt 0 ] || return 0
    grep -hoE '(https?|file)://[^ ]+/debian/?( |$)' "${files[@]}" 2>/dev/null \
        | head -n 1 | tr -d ' '
}

ensure_tools() {
    local missing=()
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    dpkg-query -W -f '${Status}' debian-archive-keyring 2>/dev/null | grep -q 'ok installed' \
        || missing+=(debian-archive-keyring)
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_install "${missing[@]}"
}

already_there() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        echo "base-image: $BASE_IMAGE already exists" >&2
        echo "$BASE_IMAGE"
        exit 0
    fi
}

already_there
[ "${1:-}" != --check ] || die "no base image $BASE_IMAGE: build it once as root" \
    "(scripts/base-image.sh), or set PYTHON_IMAGE to an image that can be pulled"
docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/docker-engine.sh up first"
[ "$(id -u)" -eq 0 ] || die "no base image $BASE_IMAGE, and building it needs root (debootstrap):" \
    "run scripts/base-image.sh as root once, or set PYTHON_IMAGE to an image that can be pulled"
# One builder at a time: a second caller waits, then finds the tag.
mkdir -p "$BASE_WORK_DIR"
exec 9>"$BASE_WORK_DIR/.lock"
flock -w 900 9 || die "another base-image.sh held the lock for 15 minutes"
already_there
ensure_tools

mirror="${DEBIAN_MIRROR:-$(apt_mirror)}"
[ -n "$mirror" ] || die "no Debian archive found in apt's sources; set DEBIAN_MIRROR"

rootfs="$BASE_WORK_DIR/rootfs"
cleanup() {
    rm -rf "$rootfs"
}
trap cleanup EXIT
rm -rf "$rootfs"
mkdir -p "$rootfs"

echo "base-image: debootstrap $SUITE (minbase) into $rootfs" >&2
log="$BASE_WORK_DIR/debootstrap.log"
if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        "$SUITE" "$rootfs" "$mirror" >&2; then
    # debootstrap keeps its log inside the root file system that the clean-up removes.
    cp "$rootfs/debootstrap/debootstrap.log" "$log" 2>/dev/null || true
    if [ -s "$log" ]; then
        echo "base-image: the last lines of $log:" >&2
        tail -n 20 "$log" >&2
    fi
    die "debootstrap failed; its log is $log"
fi

# Trim what a runtime base never reads.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/debootstrap
find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} +

echo "base-image: importing $BASE_IMAGE" >&2
tar -C "$rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    --message "debootstrap --variant=minbase $SUITE + python3 python3-venv ca-certificates" \
    - "$BASE_IMAGE" >&2 || die "docker import failed"

echo "$BASE_IMAGE"
