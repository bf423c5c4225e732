"""`focus-delivery report`: the build summary as text and HTML, from the files a build leaves."""
from __future__ import annotations

import html.parser
import json

import pytest

from delivery.cli import cli
from delivery.errors import DeliveryError
from delivery.report import coverage_line, junit_line, junit_totals, model_line

TITLE = "focus-meditation-agent #42 (master @ abc1234): SUCCESS"


@pytest.fixture
def written(runner, report_args, tmp_path):
    """Run `report` into tmp_path/out and return (result, out dir)."""
    out = tmp_path / "out"
    result = runner.invoke(cli, ["report", *report_args, "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    return result, out


class TextOf(html.parser.HTMLParser):
    """Collect the text of an HTML page, to check what a reader sees."""

    def __init__(self) -> None:
        """Start with no text."""
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_data(self, data: str) -> None:
        """Keep every piece of text."""
        self.parts.append(data)

    def handle_starttag(self, tag, attrs) -> None:
        """Keep every link target."""
        if tag == "a":
            self.links.append(dict(attrs)["href"])


def test_report_prints_the_title_first(written):
    result, _ = written
    assert result.stdout.splitlines()[0] == TITLE


def test_report_writes_the_same_text_it_prints(written):
    result, out = written
    assert (out / "summary.txt").read_text() == result.stdout


def test_report_summarises_the_tests(written):
    assert "Tests:    114 passed, 2 failed, 1 errors, 3 skipped of 120 (35.2 s)" in (
        written[0].stdout)


def test_report_summarises_coverage(written):
    assert "Coverage: 93.4% of lines, 88.0% of branches" in written[0].stdout


def test_report_lists_model_metrics_headline_ones_first(written):
    assert ("Model:    version 2026.11.23-1; accuracy 0.713, macro_f1 0.700, "
            "baseline_accuracy 0.310, log_loss 0.812, cv_accuracy_std 0.012") in written[0].stdout


def test_report_shows_image_tags_and_digest(written):
    text = written[0].stdout
    assert ("Image:    acme/focus-meditation-agent:42, acme/focus-meditation-agent:abc1234, "
            "acme/focus-meditation-agent:latest") in text
    assert "Digest:   sha256:feed" in text


def test_report_links_build_console_and_tests(written):
    text = written[0].stdout
    for line in ("Build:    http://ci.test/job/focus/42/",
                 "Console:  http://ci.test/job/focus/42/console",
                 "Tests:    http://ci.test/job/focus/42/testReport/"):
        assert line in text


def test_html_report_has_the_same_title(written):
    page = TextOf()
    page.feed((written[1] / "summary.html").read_text())
    assert page.parts.count(TITLE) == 2


def test_html_report_has_every_row(written):
    page = TextOf()
    page.feed((written[1] / "summary.html").read_text())
    for label in ("Result", "Tests", "Coverage", "Model", "Image", "Digest"):
        assert label in page.parts


def test_html_report_links_the_build(written):
    page = TextOf()
    page.feed((written[1] / "summary.html").read_text())
    assert page.links == ["http://ci.test/job/focus/42/", "http://ci.test/job/focus/42/console",
                          "http://ci.test/job/focus/42/testReport/"]


def test_html_report_escapes_values(runner, report_args, tmp_path):
    out = tmp_path / "out"
    runner.invoke(cli, ["report", *report_args, "--branch", "<script>x</script>",
                        "--out-dir", str(out)])
    page = (out / "summary.html").read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_an_explicitly_named_input_that_does_not_exist_fails(runner, report_args, tmp_path):
    """A typo in --junit must not be reported as "Tests: not available"."""
    missing = tmp_path / "junit-typo.xml"
    result = runner.invoke(cli, ["report", *report_args, "--junit", str(missing),
                                 "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == f"error: no such file: --junit {missing}\n"
    assert not (tmp_path / "out").exists()


def test_every_explicitly_named_missing_input_is_listed(runner, tmp_path):
    missing = tmp_path / "none"
    result = runner.invoke(cli, ["report", "--model", str(missing), "--image-record",
                                 str(missing), "--out-dir", str(tmp_path)])
    assert result.stderr == f"error: no such file: --image-record {missing}, --model {missing}\n"


def test_inputs_left_at_their_defaults_may_be_missing(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["report", "--result", "failure"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:7] == [
        "focus-meditation-agent: FAILURE", "", "Result:   FAILURE",
        "Tests:    not available", "Coverage: not available", "Model:    not available",
        "Image:    not available"]


@pytest.mark.parametrize("junit", [
    None,
    '<testsuite tests="0" failures="0" errors="0" skipped="0" time="0.1"/>',
    '<testsuite tests="4" failures="0" errors="0" skipped="4" time="0.1"/>',
], ids=["no-junit", "no-tests", "all-skipped"])
def test_a_success_without_tests_run_is_not_reported_as_success(runner, report_args, tmp_path,
                                                                junit, monkeypatch):
    path = tmp_path / "junit.xml"
    if junit is None:
        monkeypatch.chdir(tmp_path)  # the default reports/junit.xml: not a checkout's last run
        path.unlink()
        args = [a for a in report_args]
        del args[args.index("--junit"):args.index("--junit") + 2]
    else:
        path.write_text(junit)
        args = report_args
    result = runner.invoke(cli, ["report", *args, "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "focus-meditation-agent #42 (master @ abc1234): UNTESTED"
    assert lines[2] == "Result:   UNTESTED (the build passed, but no tests ran)"
    assert "SUCCESS" not in result.stdout


def test_an_image_record_of_another_build_names_no_image(runner, report_args, build_outputs,
                                                         tmp_path):
    """A workspace that kept build #41's record must not mail #41's image in #42's summary."""
    build_outputs["--image-record"].write_text(json.dumps({
        "repository": "acme/focus-meditation-agent", "tags": ["41", "0ld0ld0", "latest"],
        "digest": "sha256:01d", "build_number": "41"}))
    result = runner.invoke(cli, ["report", *report_args, "--result", "FAILURE",
                                 "--out-dir", str(tmp_path / "out")])
    assert "Image:    not available (the image record is of build #41)" in result.stdout
    assert "acme/focus-meditation-agent:41" not in result.stdout
    assert "sha256:01d" not in result.stdout


def test_report_takes_the_build_from_jenkins_environment(runner, build_outputs, tmp_path,
                                                         monkeypatch):
    for name, value in {"BUILD_RESULT": "UNSTABLE", "JOB_NAME": "focus/PR-7",
                        "BUILD_NUMBER": "7", "BRANCH_NAME": "PR-7"}.items():
        monkeypatch.setenv(name, value)
    args = [str(part) for pair in build_outputs.items() for part in pair]
    result = runner.invoke(cli, ["report", *args, "--out-dir", str(tmp_path)])
    assert result.stdout.splitlines()[0] == "focus/PR-7 #7 (PR-7): UNSTABLE"


def test_a_single_testsuite_root_is_read(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuite tests="3" failures="0" errors="0" skipped="0" time="1.0"/>')
    assert junit_line(junit_totals(junit)) == (
        "3 passed, 0 failed, 0 errors, 0 skipped of 3 (1.0 s)")


def test_malformed_junit_is_a_clear_error(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text("<testsuites>")
    with pytest.raises(DeliveryError, match="is not a valid JUnit XML file"):
        junit_totals(junit)


def test_coverage_without_line_rate_is_a_clear_error(tmp_path):
    coverage = tmp_path / "coverage.xml"
    coverage.write_text("<coverage/>")
    with pytest.raises(DeliveryError, match="has no line-rate"):
        coverage_line(coverage)


def test_malformed_manifest_is_a_clear_error(tmp_path):
    manifest = tmp_path / "model.json"
    manifest.write_text("{")
    with pytest.raises(DeliveryError, match="is not valid JSON"):
        model_line(manifest)


def test_a_manifest_that_is_not_an_object_is_a_clear_error(tmp_path):
    manifest = tmp_path / "model.json"
    manifest.write_text("[]")
    with pytest.raises(DeliveryError, match="does not hold a JSON object"):
        model_line(manifest)


def test_a_bad_input_file_fails_the_command_in_one_line(runner, report_args, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<testsuites>")
    result = runner.invoke(cli, ["report", *report_args, "--junit", str(bad),
                                 "--out-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad} is not a valid JUnit XML file")
