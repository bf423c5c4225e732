# Shared helpers of the delivery scripts; sourced, never run.
# shellcheck shell=bash

# Print a message prefixed with the calling script's name to stderr and exit 1.
die() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

# Install Debian packages that are missing (CI machines start clean); needs root or sudo.
apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root or sudo to install: $*"
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || die "no apt-get to install: $*"
    echo "$(basename "$0" .sh): installing Debian packages: $*" >&2
    if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2; then
        "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed; cannot install $*"
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2 \
            || die "apt-get install $* failed"
    fi
}
