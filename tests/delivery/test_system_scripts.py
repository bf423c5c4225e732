"""What scripts/system-deps.sh and scripts/docker-engine.sh tell a user who cannot install or
reach something: one line naming what to install or do, never an attempt that needs root.

Stand-ins: `id`, `sudo`, `apt-get` and `docker` are small scripts on PATH, since the tests
never run as root nor install packages, and must behave the same when they do run as root.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("bash", "env", "dirname", "basename", "grep", "awk", "cat", "printf", "sort")


def _fake(directory: Path, name: str, body: str) -> None:
    """Write an executable shell script `name` into `directory`."""
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def user_bin(tmp_path) -> Path:
    """A PATH directory with the few real tools the scripts use and an `id` of a plain user."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for tool in TOOLS:
        real = shutil.which(tool)
        assert real, f"{tool} is missing"
        (directory / tool).symlink_to(real)
    _fake(directory, "id", 'case "$1" in -u) echo 1001 ;; -un) echo runner ;; *) echo '
                           '"uid=1001(runner)" ;; esac')
    _fake(directory, "apt-get", 'echo "apt-get must not run" >&2; exit 9')
    return directory


def _run(script: str, *args: str, path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run scripts/SCRIPT with PATH set to `path` only and a clean environment."""
    environment = {"PATH": str(path), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run([str(ROOT / "scripts" / script), *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_without_sudo_a_missing_tool_is_one_line_naming_package_and_command(user_bin):
    done = _run("system-deps.sh", "focus-no-such-tool:focus-no-such-package", path=user_bin)
    assert done.returncode == 1
    assert done.stderr == ("system-deps: missing packages: focus-no-such-package; install them "
                           "as root: apt-get install -y focus-no-such-package\n")


def test_a_sudo_that_asks_for_a_password_is_not_used(user_bin):
    _fake(user_bin, "sudo", 'echo "sudo: a password is required" >&2; exit 1')
    done = _run("system-deps.sh", "focus-no-such-tool:focus-no-such-package", path=user_bin)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["system-deps: missing packages: focus-no-such-package; "
                                        "install them as root: apt-get install -y "
                                        "focus-no-such-package"]


def test_passwordless_sudo_installs_with_debian_frontend_through_the_reset(user_bin, tmp_path):
    calls = tmp_path / "sudo.calls"
    _fake(user_bin, "sudo", f'echo "$*" >> {calls}')
    done = _run("system-deps.sh", "focus-no-such-tool:focus-no-such-package", path=user_bin)
    assert done.returncode == 0, done.stderr
    assert calls.read_text().splitlines() == [
        "-n true",
        "-n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq focus-no-such-package"]


def test_nothing_is_installed_when_every_tool_is_there(user_bin):
    done = _run("system-deps.sh", "grep:grep", "awk:gawk", path=user_bin)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_missing_browser_off_debian_names_what_to_install(user_bin, tmp_path):
    os_release = tmp_path / "os-release"
    os_release.write_text("ID=ubuntu\nID_LIKE=debian\n")
    done = _run("system-deps.sh", "browser", path=user_bin, OS_RELEASE_FILE=str(os_release))
    assert done.returncode == 1
    assert done.stderr == ("system-deps: no browser: install Google Chrome and chromedriver (or "
                           "Chromium and its driver), or set CHROME_BIN and CHROMEDRIVER\n")


def test_a_missing_browser_on_debian_is_debian_chromium(user_bin, tmp_path):
    os_release = tmp_path / "os-release"
    os_release.write_text("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n")
    done = _run("system-deps.sh", "browser", path=user_bin, OS_RELEASE_FILE=str(os_release))
    assert done.stderr == ("system-deps: missing packages: chromium chromium-driver; install "
                           "them as root: apt-get install -y chromium chromium-driver\n")


def test_google_chrome_and_chromedriver_are_a_browser(user_bin):
    _fake(user_bin, "google-chrome", "exit 0")
    _fake(user_bin, "chromedriver", "exit 0")
    done = _run("system-deps.sh", "browser", path=user_bin)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_socket_the_user_may_not_open_says_join_the_docker_group(user_bin):
    _fake(user_bin, "docker", "echo 'permission denied while trying to connect to the Docker "
                              "daemon socket at unix:///var/run/docker.sock' >&2; exit 1")
    done = _run("docker-engine.sh", "up", path=user_bin)
    assert done.returncode == 1
    assert done.stderr == ("docker-engine: the Docker socket is not accessible to runner; join "
                           "the docker group (as root: usermod -aG docker runner, then log in "
                           "again)\n")


def test_no_engine_for_a_plain_user_is_one_line_and_no_second_engine(user_bin):
    _fake(user_bin, "docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1")
    _fake(user_bin, "dockerd", 'echo "dockerd must not start" >&2; exit 9')
    done = _run("docker-engine.sh", "up", path=user_bin)
    assert done.returncode == 1
    assert done.stderr == ("docker-engine: no Docker engine answers and runner may not start "
                           "one; start it as root (systemctl start docker, or "
                           "scripts/docker-engine.sh up)\n")
