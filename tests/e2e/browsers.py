"""Find the Chrome or Chromium and the driver the browser tests drive, as a CI runner has them.

The order: CHROME_BIN and CHROMEDRIVER when set (both must then be given), then Debian's
`chromium` with `chromedriver`, then Google Chrome (`google-chrome`, as on GitHub's runners)
with `chromedriver`. scripts/system-deps.sh looks in the same order before installing anything.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

BROWSER_COMMANDS = ("chromium", "google-chrome")
DRIVER_COMMAND = "chromedriver"


class BrowserNotFound(LookupError):
    """No browser and driver could be found; the message says what to install or set."""


@dataclass(frozen=True)
class Browser:
    """The paths of a Chrome-family browser and of its WebDriver."""

    binary: str
    driver: str


def _executable(name: str, path: str) -> str:
    """Return `path` when it names an executable file, else raise naming the variable."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BrowserNotFound(f"{name}={path!r} is not an executable file")
    return path


def find_browser(environ: os._Environ | dict[str, str] | None = None) -> Browser:
    """Return the browser and driver to use, or raise BrowserNotFound with one clear line."""
    environ = os.environ if environ is None else environ
    binary, driver = environ.get("CHROME_BIN"), environ.get("CHROMEDRIVER")
    if binary or driver:
        if not (binary and driver):
            raise BrowserNotFound("set both CHROME_BIN and CHROMEDRIVER, or neither")
        return Browser(_executable("CHROME_BIN", binary), _executable("CHROMEDRIVER", driver))
    search = environ.get("PATH", os.defpath)
    driver = shutil.which(DRIVER_COMMAND, path=search)
    for command in BROWSER_COMMANDS:
        binary = shutil.which(command, path=search)
        if binary and driver:
            return Browser(binary, driver)
    raise BrowserNotFound(
        "no browser found: install Debian's chromium and chromium-driver (make system-deps), "
        "or Google Chrome and chromedriver, or set CHROME_BIN and CHROMEDRIVER")
