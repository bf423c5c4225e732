"""The scrape config and alert rules: checked and unit-tested with promtool (Debian prometheus)."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT

MONITORING = ROOT / "deploy" / "monitoring"


def _promtool(*arguments: str) -> subprocess.CompletedProcess:
    """Run promtool in deploy/monitoring."""
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make system-deps` installs Debian's prometheus"
    return subprocess.run([promtool, *arguments], cwd=MONITORING, capture_output=True,
                          text=True)


def test_scrape_config_and_its_rule_files_are_valid() -> None:
    done = _promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_alert_rules_are_valid_and_cover_the_issue() -> None:
    done = _promtool("check", "rules", "alerts.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    rules = (MONITORING / "alerts.yml").read_text()
    for alert in ("FocusHighErrorRatio", "FocusSlowPredictions", "FocusLiveAccuracyLow",
                  "FocusNoModel"):
        assert f"alert: {alert}" in rules


def test_alerts_fire_when_they_should_and_only_then() -> None:
    done = _promtool("test", "rules", "alerts.test.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_rule_is_refused(tmp_path) -> None:
    broken = tmp_path / "alerts.yml"
    broken.write_text((MONITORING / "alerts.yml").read_text().replace("> 0.05", "> > 0.05"))
    assert _promtool("check", "rules", str(broken)).returncode != 0
