# Shared helpers of the delivery scripts; sourced, never run.
# shellcheck shell=bash

# Print a message prefixed with the calling script's name to stderr and exit 1.
die() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

# The file that says which distribution this is (a variable so that tests can point it
# elsewhere).
OS_RELEASE_FILE="${OS_RELEASE_FILE:-/etc/os-release}"

# Succeed when this machine runs Debian itself (not a derivative such as Ubuntu).
is_debian() {
    [ -r "$OS_RELEASE_FILE" ] && grep -qx 'ID=debian' "$OS_RELEASE_FILE"
}

# Install Debian/Ubuntu packages: as root directly, else through `sudo -n` when sudo lets this
# user in without a password. Anywhere else it stops with one line naming the packages and
# the command to install them. DEBIAN_FRONTEND is passed through sudo's environment reset.
apt_install() {
    local sudo=()
    if ! command -v apt-get >/dev/null 2>&1; then
        die "missing packages: $*; this is not a Debian system: install them with its package manager"
    fi
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            die "missing packages: $*; install them as root: apt-get install -y $*"
        fi
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    echo "$(basename "$0" .sh): installing Debian packages: $*" >&2
    if ! "${apt[@]}" install -y -qq "$@" >&2; then
        "${apt[@]}" update -qq >&2 || die "apt-get update failed; cannot install $*"
        "${apt[@]}" install -y -qq "$@" >&2 || die "apt-get install $* failed"
    fi
}

# Install the Debian packages of the tools missing from PATH (apt_install), in one go. Each
# argument is TOOL:PACKAGE: the command to look for and the package that provides it; one
# package may provide several tools (prometheus: prometheus and promtool).
install_missing() {
    local item tool package missing=()
    for item in "$@"; do
        tool="${item%%:*}"
        package="${item#*:}"
        if [ -z "$tool" ] || [ -z "$package" ] || [ "$tool" = "$item" ]; then
            die "expected TOOL:PACKAGE, got '$item'"
        fi
        command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
    apt_install "${missing[@]}"
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
