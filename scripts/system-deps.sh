#!/usr/bin/env bash
# Install the system tools a make target drives when they are missing, through the helper
# every script installs packages with (scripts/lib/common.sh: install_missing).
#
#   scripts/system-deps.sh ITEM...   each ITEM is TOOL:PACKAGE (the command to look for on
#                                    PATH and the Debian package that provides it), or
#                                    `browser`: a Chrome or Chromium and its driver
#
# Nothing is installed when everything is there. Missing packages are installed as root, or
# with `sudo -n` when sudo needs no password; otherwise one line names the packages and the
# command. The browser is CHROME_BIN/CHROMEDRIVER when set, else chromium/chromedriver, else
# google-chrome/chromedriver (tests/e2e/browsers.py looks in the same order); Debian's chromium
# is installed only on Debian (Ubuntu's is a snap stub that does not run in CI).
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
. "$(dirname "$0")/lib/common.sh"

# Succeed when a browser and its driver are there, in the order tests/e2e/browsers.py uses.
browser_found() {
    if [ -n "${CHROME_BIN:-}" ] || [ -n "${CHROMEDRIVER:-}" ]; then
        [ -n "${CHROME_BIN:-}" ] && [ -x "${CHROME_BIN}" ] \
            && [ -n "${CHROMEDRIVER:-}" ] && [ -x "${CHROMEDRIVER}" ] && return 0
        die "CHROME_BIN and CHROMEDRIVER must both name executables" \
            "(CHROME_BIN='${CHROME_BIN:-}', CHROMEDRIVER='${CHROMEDRIVER:-}')"
    fi
    command -v chromedriver >/dev/null 2>&1 || return 1
    command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1
}

items=()
for item in "$@"; do
    if [ "$item" != browser ]; then
        items+=("$item")
    elif ! browser_found; then
        is_debian || die "no browser: install Google Chrome and chromedriver (or Chromium and" \
            "its driver), or set CHROME_BIN and CHROMEDRIVER"
        items+=(chromium:chromium chromedriver:chromium-driver)
    fi
done
install_missing "${items[@]}"
