"""Browser discovery (tests/e2e/browsers.py) in the order a CI runner needs it.

Stand-ins: empty executable files on a temporary PATH, since the search only looks for
commands (the real browser runs in test_browser.py).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browsers import Browser, BrowserNotFound, find_browser


def _bin(directory: Path, *names: str) -> Path:
    """Create executable files called `names` in `directory`; return the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    return directory


def test_chrome_bin_and_chromedriver_win_over_path(tmp_path):
    own = _bin(tmp_path / "own", "chrome", "driver")
    on_path = _bin(tmp_path / "path", "chromium", "chromedriver")
    found = find_browser({"CHROME_BIN": str(own / "chrome"), "CHROMEDRIVER": str(own / "driver"),
                          "PATH": str(on_path)})
    assert found == Browser(str(own / "chrome"), str(own / "driver"))


def test_chromium_comes_before_google_chrome(tmp_path):
    on_path = _bin(tmp_path / "bin", "chromium", "google-chrome", "chromedriver")
    assert find_browser({"PATH": str(on_path)}) == Browser(
        str(on_path / "chromium"), str(on_path / "chromedriver"))


def test_google_chrome_with_a_driver_elsewhere_on_path_as_on_github(tmp_path):
    chrome = _bin(tmp_path / "usr-bin", "google-chrome")
    driver = _bin(tmp_path / "usr-local-bin", "chromedriver")
    found = find_browser({"PATH": f"{driver}:{chrome}"})
    assert found == Browser(str(chrome / "google-chrome"), str(driver / "chromedriver"))


def test_no_browser_is_one_clear_message(tmp_path):
    with pytest.raises(BrowserNotFound, match=r"^no browser found: install Debian's chromium "
                       r"and chromium-driver \(make system-deps\), or Google Chrome and "
                       r"chromedriver, or set CHROME_BIN and CHROMEDRIVER$"):
        find_browser({"PATH": str(_bin(tmp_path / "bin", "chromium"))})


def test_chrome_bin_alone_is_refused(tmp_path):
    own = _bin(tmp_path / "own", "chrome")
    with pytest.raises(BrowserNotFound, match="set both CHROME_BIN and CHROMEDRIVER"):
        find_browser({"CHROME_BIN": str(own / "chrome"), "PATH": ""})


def test_a_chrome_bin_that_is_not_executable_is_named(tmp_path):
    driver = _bin(tmp_path / "own", "driver")
    with pytest.raises(BrowserNotFound, match=r"^CHROME_BIN='.*/nowhere' is not an executable"):
        find_browser({"CHROME_BIN": str(tmp_path / "nowhere"),
                      "CHROMEDRIVER": str(driver / "driver")})
