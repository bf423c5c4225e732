#!/usr/bin/env bash
# Make sure a Docker engine answers, starting Debian's dockerd if none does.
#
#   scripts/docker-engine.sh up          prints "already-running" or "started <PID>"
#   scripts/docker-engine.sh down <PID>  stops the dockerd that "up" started
#
# Env: STATE_DIR (default .tmp/docker) holds dockerd.log and dockerd.pid;
#      ENGINE_WAIT_SECONDS (default 60) bounds the wait for the engine to answer.
set -euo pipefail

STATE_DIR="${STATE_DIR:-.tmp/docker}"
ENGINE_WAIT_SECONDS="${ENGINE_WAIT_SECONDS:-60}"

# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

engine_answers() {
    docker info >/dev/null 2>&1
}

# Stop with the reason when this user cannot use an engine: a socket it may not open (the
# docker client says "permission denied"), or no engine and no right to start one. Never
# tries to start a second engine then.
explain_unreachable() {
    local user answer
    user="$(id -un)"
    answer="$(docker info 2>&1 >/dev/null || true)"
    case "$answer" in
        *"permission denied"*)
            die "the Docker socket is not accessible to $user; join the docker group" \
                "(as root: usermod -aG docker $user, then log in again)" ;;
    esac
    if [ "$(id -u)" -ne 0 ]; then
        die "no Docker engine answers and $user may not start one; start it as root" \
            "(systemctl start docker, or scripts/docker-engine.sh up)"
    fi
}

up() {
    if engine_answers; then
        echo "already-running"
        return 0
    fi
    explain_unreachable
    # One starter at a time: a concurrent caller waits, then finds the engine answering.
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 600 9 || die "another docker-engine.sh up held the lock for 10 minutes"
    if engine_answers; then
        echo "already-running"
        return 0
    fi
    install_missing dockerd:docker.io
    command -v dockerd >/dev/null 2>&1 || die "dockerd is still missing after installing docker.io"
    command -v docker >/dev/null 2>&1 || die "the docker client is missing after installing docker.io"

    local log="$STATE_DIR/dockerd.log"
    local pidfile="$STATE_DIR/dockerd.pid"
    # Own pidfile so a stale /var/run/docker.pid never blocks the start.
    nohup dockerd --pidfile "$pidfile" >"$log" 2>&1 </dev/null 9>&- &
    local pid=$!

    local waited=0
    until engine_answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            die "dockerd exited during start-up; last log line: $(tail -n 1 "$log")"
        fi
        if [ "$waited" -ge "$ENGINE_WAIT_SECONDS" ]; then
            kill "$pid" 2>/dev/null || true
            die "dockerd did not answer within ${ENGINE_WAIT_SECONDS}s; see $log"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "started $pid"
}

down() {
    local pid="${1:-}"
    [[ "$pid" =~ ^[0-9]+$ ]] || die "usage: $0 down <PID>"
    stop_pid "$pid" dockerd 30
}

case "${1:-}" in
    up) up ;;
    down) down "${2:-}" ;;
    *) die "usage: $0 up | down <PID>" ;;
esac
