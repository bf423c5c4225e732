#!/usr/bin/env bash
# Ensure the local stand-in for python:3.11-slim exists, for machines that reach no
# container registry: debootstrap a minimal Debian bookworm with python3, python3-venv and
# ca-certificates, add this machine's extra CA certificates (pip inside the build needs
# them), and `docker import` it. Idempotent; prints the image tag on its last stdout line.
#
# Env: BASE_IMAGE (default focus-agent/python-base:3.11-bookworm), BASE_WORK_DIR (default
#      .tmp/base-image), DEBIAN_MIRROR (default: the first Debian archive in apt's sources).
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-focus-agent/python-base:3.11-bookworm}"
BASE_WORK_DIR="${BASE_WORK_DIR:-.tmp/base-image}"
SUITE=bookworm
EXTRA_CA_DIR=/usr/local/share/ca-certificates

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
docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/docker-engine.sh up first"
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
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$rootfs" "$mirror" >&2 \
    || die "debootstrap failed; see $rootfs/debootstrap/debootstrap.log"

if compgen -G "$EXTRA_CA_DIR/*.crt" >/dev/null; then
    mkdir -p "$rootfs$EXTRA_CA_DIR"
    cp "$EXTRA_CA_DIR"/*.crt "$rootfs$EXTRA_CA_DIR/"
fi
chroot "$rootfs" update-ca-certificates >&2

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
