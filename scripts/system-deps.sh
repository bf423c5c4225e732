#!/usr/bin/env bash
# Install the system tools a make target drives when they are missing; the one place where
# the Makefile and the scripts install packages (scripts/lib/common.sh: apt_install).
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

missing=()
for item in "$@"; do
    if [ "$item" = browser ]; then
        browser_found && continue
        if ! is_debian; then
            die "no browser: install Google Chrome and chromedriver (or Chromium and its" \
                "driver), or set CHROME_BIN and CHROMEDRIVER"
        fi
        missing+=(chromium chromium-driver)
        continue
    fi
    tool="${item%%:*}"
    package="${item#*:}"
    if [ -z "$tool" ] || [ -z "$package" ] || [ "$tool" = "$item" ]; then
        die "usage: $0 TOOL:PACKAGE... | browser (got '$item')"
    fi
    command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
done

[ "${#missing[@]}" -eq 0 ] && exit 0
# One package may provide several tools (prometheus: prometheus and promtool).
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
apt_install "${missing[@]}"
