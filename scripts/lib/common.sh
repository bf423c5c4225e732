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

# Stop process PID if it runs the program NAME (refusing any other), waiting up to SECONDS.
stop_pid() {
    local pid="$1" name="$2" seconds="$3" actual waited=0
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "$(basename "$0" .sh): $name $pid is not running" >&2
        return 0
    fi
    actual="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [ "$actual" = "$name" ] || die "process $pid is '$actual', not $name; not stopping it"
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge "$seconds" ]; then
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "stopped $pid"
}
