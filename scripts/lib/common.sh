# Shared helpers of the delivery scripts; sourced, never run.
# shellcheck shell=bash

# Print a message prefixed with the calling script's name to stderr and exit 1.
die() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

# Print a progress line prefixed with the calling script's name to stderr.
say() {
    echo "$(basename "$0" .sh): $*" >&2
}

# Fail with a clear message when no Docker engine answers.
require_engine() {
    docker info >/dev/null 2>&1 \
        || die "no Docker engine answers (start one: scripts/docker-engine.sh up, or set DOCKER_HOST)"
}

# Install Debian packages that are missing (CI machines start clean); needs root or sudo.
apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root or sudo to install: $*"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || die "no apt-get to install: $*"
    say "installing Debian packages: $*"
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2; then
        "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed; cannot install $*"
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2 \
            || die "apt-get install $* failed"
    fi
}

# Major version of a docker client binary (0 when it cannot tell).
client_major() {
    local version
    version="$("$1" version --format '{{.Client.Version}}' 2>/dev/null || true)"
    echo "${version%%.*}" | grep -E '^[0-9]+$' || echo 0
}

# `docker build` with BuildKit where a client offers it: the buildx plugin, or a client older
# than 23 (BuildKit built in, as Debian's docker.io). Otherwise the classic builder.
docker_build() {
    if docker buildx version >/dev/null 2>&1; then
        DOCKER_BUILDKIT=1 docker build --progress=plain "$@"
        return
    fi
    local candidate major
    # Every docker client on PATH, in order (Debian's may sit behind a newer one).
    for candidate in $(type -ap docker); do
        major="$(client_major "$candidate")"
        if [ "$major" -gt 0 ] && [ "$major" -lt 23 ]; then
            DOCKER_BUILDKIT=1 "$candidate" build --progress=plain "$@"
            return
        fi
    done
    DOCKER_BUILDKIT=0 docker build "$@"
}

# Write a JSON object to a file atomically, from KEY=VALUE pairs on stdin (values as strings;
# "tags" is split on spaces into a list, an empty "digest" becomes null). Merges with the file.
write_record() {
    python3 -c '
import json, os, sys
path = sys.argv[1]
try:
    with open(path, encoding="utf-8") as handle:
        record = json.load(handle)
except (OSError, ValueError):
    record = {}
for line in sys.stdin.read().splitlines():
    key, _, value = line.partition("=")
    if key == "tags":
        record[key] = value.split()
    elif key == "digest":
        record[key] = value or None
    elif key in ("size_bytes", "build_seconds"):
        record[key] = int(value)
    else:
        record[key] = value
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
with open(path + ".tmp", "w", encoding="utf-8") as handle:
    json.dump(record, handle, indent=2)
    handle.write("\n")
os.replace(path + ".tmp", path)
' "$1"
}

# Read one key of a JSON record file ("tags" joined with spaces); empty when missing.
read_record() {
    python3 -c '
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        value = json.load(handle).get(sys.argv[2])
except (OSError, ValueError):
    value = None
if isinstance(value, list):
    value = " ".join(value)
print("" if value is None else value)
' "$1" "$2"
}
