#!/usr/bin/env bash
# A private Docker registry on 127.0.0.1 with htpasswd (bcrypt) auth, for pushing and pulling
# the image without leaving this machine (docker allows plain HTTP on 127.0.0.0/8).
#
#   scripts/registry.sh up DIR    start Debian's docker-registry on a free port, storage and
#                                 config under DIR; writes DIR/registry.env with REGISTRY,
#                                 REGISTRY_USER, REGISTRY_PASSWORD and REGISTRY_PID
#   scripts/registry.sh down DIR  stop the registry whose PID DIR/registry.env names
#
# Env: REGISTRY_WAIT_SECONDS (default 30) bounds the wait for the registry to answer.
set -euo pipefail

REGISTRY_WAIT_SECONDS="${REGISTRY_WAIT_SECONDS:-30}"

# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); \
print(s.getsockname()[1]); s.close()'
}

random_hex() {
    head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# HTTP status of the registry's API root: 401 means up and asking for credentials.
api_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$1/v2/" || true
}

up() {
    local dir="$1"
    install_missing docker-registry:docker-registry htpasswd:apache2-utils curl:curl
    mkdir -p "$dir/data"
    dir="$(cd "$dir" && pwd)"
    local port user password
    port="$(free_port)"
    user="ci-$(random_hex 4)"
    password="$(random_hex 16)"

    umask 077
    printf '%s' "$password" | htpasswd -B -i -c "$dir/htpasswd" "$user" 2>/dev/null \
        || die "htpasswd failed"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $(random_hex 16)
auth:
  htpasswd:
    realm: focus-agent-registry
    path: $dir/htpasswd
EOF

    nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    local pid=$!
    cat >"$dir/registry.env" <<EOF
REGISTRY=127.0.0.1:$port
REGISTRY_USER=$user
REGISTRY_PASSWORD=$password
REGISTRY_PID=$pid
EOF

    local waited=0 status
    while :; do
        status="$(api_status "127.0.0.1:$port")"
        [ "$status" = "401" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            die "docker-registry exited during start-up; last log line: $(tail -n 1 "$dir/registry.log")"
        fi
        if [ "$waited" -ge "$REGISTRY_WAIT_SECONDS" ]; then
            kill "$pid" 2>/dev/null || true
            die "docker-registry did not answer within ${REGISTRY_WAIT_SECONDS}s (HTTP $status)"
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    echo "registry: 127.0.0.1:$port (pid $pid), credentials in $dir/registry.env" >&2
    echo "127.0.0.1:$port"
}

down() {
    local dir="$1"
    [ -f "$dir/registry.env" ] || die "no $dir/registry.env; nothing to stop"
    local pid
    pid="$(sed -n 's/^REGISTRY_PID=//p' "$dir/registry.env")"
    [[ "$pid" =~ ^[0-9]+$ ]] || die "no REGISTRY_PID in $dir/registry.env"
    stop_pid "$pid" docker-registry 10
}

[ -n "${2:-}" ] || die "usage: $0 up DIR | down DIR"
case "$1" in
    up) up "$2" ;;
    down) down "$2" ;;
    *) die "usage: $0 up DIR | down DIR" ;;
esac
