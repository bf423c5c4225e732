"""Image naming, tags, records and smoke-test checks that need no Docker engine.

The HTTP checks of the smoke test run against a small local server on 127.0.0.1 that
answers like a broken or a healthy service would.
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from delivery import cli_image
from delivery import image as images
from delivery import smoke
from delivery.cli import cli
from delivery.errors import DeliveryError

PROBABILITIES = {"calm": 0.4, "relaxed": 0.3, "focused": 0.2, "energized": 0.1}
GOOD = {"mood_after": "calm", "probabilities": PROBABILITIES}


def test_repository_name_leaves_out_unset_parts():
    assert images.repository_name(None, "acme") == "acme/focus-meditation-agent"


def test_repository_name_puts_the_registry_first():
    assert images.repository_name("127.0.0.1:5000", "ci") == (
        "127.0.0.1:5000/ci/focus-meditation-agent")


def test_tags_are_build_number_short_commit_and_latest_on_master():
    assert images.image_tags("42", "abcdef0123", "master") == ["42", "abcdef0", "latest"]


def test_off_master_the_number_tag_names_the_branch_and_there_is_no_latest():
    assert images.image_tags("42", "abcdef0123", "dev") == ["dev-42", "abcdef0"]


def test_a_branch_name_becomes_a_valid_tag_prefix():
    assert images.number_tag("7", "PR-12") == "pr-12-7"
    assert images.number_tag("7", "feature/Calm+Mode") == "feature-calm-mode-7"


def test_no_tag_at_all_is_an_error():
    with pytest.raises(DeliveryError, match="no tag for the image"):
        images.image_tags(None, None, "dev")


def test_declared_args_are_read_from_the_dockerfile(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG PYTHON_IMAGE=python\nFROM ${PYTHON_IMAGE}\n  ARG REVISION=\"\"\n")
    assert images.declared_args(dockerfile) == {"PYTHON_IMAGE", "REVISION"}


def test_a_missing_dockerfile_is_a_clear_error(tmp_path):
    with pytest.raises(DeliveryError, match="cannot read .*Dockerfile: No such file"):
        images.declared_args(tmp_path / "Dockerfile")


def test_the_image_record_round_trips(tmp_path):
    record = tmp_path / "reports" / "image.json"
    images.write_record(record, {"tags": ["1"], "digest": None})
    assert images.read_record(record) == {"tags": ["1"], "digest": None}


def test_a_missing_record_reads_as_empty(tmp_path):
    assert images.read_record(tmp_path / "image.json") == {}


def test_a_malformed_record_is_a_clear_error(tmp_path):
    record = tmp_path / "image.json"
    record.write_text("{")
    with pytest.raises(DeliveryError, match="cannot read the image record"):
        images.read_record(record)


def test_build_refuses_a_build_arg_without_equals(runner, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = runner.invoke(cli, ["image", "build", "--context", str(tmp_path),
                                 "--build-number", "1", "--build-arg", "NOPE"])
    assert result.exit_code == 2
    assert "'NOPE' is not KEY=VALUE" in result.stderr


def test_build_outside_git_without_tags_is_one_line(runner, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    result = runner.invoke(cli, ["image", "build", "--context", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == ("error: no tag for the image: pass --build-number, --commit or "
                             "--branch master\n")


def test_a_prediction_over_the_four_moods_passes():
    smoke.check_prediction(GOOD)


def test_an_unknown_mood_fails_the_smoke_test():
    with pytest.raises(DeliveryError, match="expected one of"):
        smoke.check_prediction({**GOOD, "mood_after": "sleepy"})


def test_probabilities_that_do_not_sum_to_one_fail_the_smoke_test():
    bad = {**GOOD, "probabilities": {**GOOD["probabilities"], "calm": 0.9}}
    with pytest.raises(DeliveryError, match="are not a distribution"):
        smoke.check_prediction(bad)


class FakeService(BaseHTTPRequestHandler):
    """Answers with what the test put in `answers`: JSON, or HTML for a str body."""

    answers: dict[str, tuple[int, object]] = {}

    def log_message(self, format, *args):
        """Keep the test output quiet."""

    def _answer(self):
        """Send the configured answer for the path."""
        status, body = self.answers.get(self.path, (404, {"error": "not found"}))
        html = isinstance(body, str)
        data = body.encode() if html else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if html else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        """Answer a GET."""
        self._answer()

    def do_POST(self):
        """Answer a POST after reading its body."""
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()


@pytest.fixture
def service(monkeypatch):
    """A local service on 127.0.0.1; set FakeService.answers, use the returned base URL."""
    monkeypatch.setattr(FakeService, "answers", {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeService)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_probe_passes_a_healthy_service(service):
    FakeService.answers.update({"/health": (200, {"status": "healthy"}), "/predict": (200, GOOD)})
    assert smoke.probe(service).prediction == GOOD


def test_probe_fails_an_unhealthy_health_answer(service):
    FakeService.answers.update({"/health": (503, {"status": "starting"})})
    with pytest.raises(DeliveryError, match="/health answered 503"):
        smoke.probe(service)


def test_probe_fails_a_refused_prediction(service):
    FakeService.answers.update({"/health": (200, {"status": "healthy"}),
                                "/predict": (400, {"code": "invalid"})})
    with pytest.raises(DeliveryError, match="/predict answered 400"):
        smoke.probe(service)


def test_probe_fails_when_nothing_answers(free_port):
    with pytest.raises(DeliveryError, match="/health answered 0"):
        smoke.probe(f"http://127.0.0.1:{free_port}")


def test_the_page_and_stats_pass_when_both_are_served(service):
    FakeService.answers.update({"/": (200, "<!DOCTYPE html><html><body>Focus</body></html>"),
                                "/stats": (200, {"rows": 1200})})
    smoke.check_page_and_data(service)


def test_a_json_answer_to_the_page_fails_the_smoke_test(service):
    FakeService.answers.update({"/": (200, {"status": "ok"}), "/stats": (200, {"rows": 1})})
    with pytest.raises(DeliveryError, match="answered 200, not a page"):
        smoke.check_page_and_data(service)


def test_missing_stats_fail_the_smoke_test(service):
    FakeService.answers.update({"/": (200, "<html></html>")})
    with pytest.raises(DeliveryError, match="GET /stats answered 404: is the dataset"):
        smoke.check_page_and_data(service)


@pytest.mark.parametrize("user", ["10001", "10001:10001"])
def test_a_numeric_non_root_user_passes(user):
    smoke.check_user(user)


@pytest.mark.parametrize("user", ["", "root", "0", "0:0", "focus"])
def test_root_or_a_named_user_fails_the_smoke_test(user):
    with pytest.raises(DeliveryError, match="not a numeric non-root id"):
        smoke.check_user(user)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://ci:s3cret@github.com/acme/focus.git", "https://github.com/acme/focus.git"),
    ("https://github.com/acme/focus.git", "https://github.com/acme/focus.git"),
    ("git@github.com:acme/focus.git", "git@github.com:acme/focus.git"),
    ("ssh://git@example.org/acme/focus.git", "ssh://example.org/acme/focus.git"),
])
def test_the_source_label_never_carries_credentials(url, expected, tmp_path):
    assert cli_image._source(url, tmp_path) == expected


@pytest.mark.parametrize("remote", ["/srv/git/focus.git", "../focus", "file:///srv/git/focus",
                                    "focus", ""])
def test_the_source_label_is_empty_for_a_local_remote(remote, tmp_path):
    assert cli_image._source(remote, tmp_path) is None


def test_the_source_label_comes_from_git_origin_and_never_names_a_local_path(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "remote", "add", "origin", str(tmp_path / "up")],
                   check=True)
    assert cli_image._source(None, clone) is None
    subprocess.run(["git", "-C", str(clone), "remote", "set-url", "origin",
                    "https://github.com/acme/focus.git"], check=True)
    assert cli_image._source(None, clone) == "https://github.com/acme/focus.git"


def test_build_ca_certificates_are_read_in_name_order(tmp_path):
    (tmp_path / "b.crt").write_text("-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----")
    (tmp_path / "a.crt").write_text("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n")
    (tmp_path / "notes.txt").write_text("not a certificate")
    text = images.read_ca_certs(tmp_path)
    assert text.index("AAA") < text.index("BBB")
    assert "not a certificate" not in text and text.endswith("-----\n")


def test_no_build_ca_certificates_is_empty(tmp_path):
    assert images.read_ca_certs(tmp_path) == ""
    assert images.read_ca_certs(tmp_path / "no-such-folder") == ""


def test_the_build_args_carry_ca_certs_and_build_id_only_when_declared(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("ARG BUILD_ID\nFROM scratch\n")
    _, args = cli_image._labels_and_args(dockerfile, None, None, None, {},
                                         {"BUILD_ID": "b1", "BUILD_CA_CERTS": "PEM"})
    assert args == {"BUILD_ID": "b1"}


@pytest.fixture
def record(tmp_path):
    """An image record after a push."""
    path = tmp_path / "image.json"
    images.write_record(path, {"repository": "127.0.0.1:5000/ci/focus-meditation-agent",
                               "local_repository": "focus-meditation-agent",
                               "tags": ["dc1", "0123456", "latest"], "digest": "sha256:beef"})
    return path


def test_image_tag_prints_the_repository_and_first_tag(runner, record):
    result = runner.invoke(cli, ["image", "tag", "--record", str(record)])
    assert result.stdout == "127.0.0.1:5000/ci/focus-meditation-agent:dc1\n"


def test_image_digest_prints_the_pushed_digest(runner, record):
    result = runner.invoke(cli, ["image", "digest", "--record", str(record)])
    assert result.stdout == "sha256:beef\n"


def test_image_digest_prints_nothing_when_nothing_was_pushed(runner, tmp_path):
    path = tmp_path / "image.json"
    images.write_record(path, {"repository": "focus-meditation-agent", "tags": ["1"],
                               "digest": None})
    result = runner.invoke(cli, ["image", "digest", "--record", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_image_tag_without_a_record_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["image", "tag", "--record", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert result.stderr == (f"error: no image record at {tmp_path / 'none.json'}: build it "
                             "first with `focus-delivery image build`\n")


def test_image_clean_without_an_engine_has_nothing_to_do(runner, record, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = runner.invoke(cli, ["image", "clean", "--record", str(record)])
    assert (result.exit_code, result.stdout) == (0, "no Docker engine answers: nothing to clean\n")


def test_image_digest_without_a_record_is_an_error(runner, tmp_path):
    result = runner.invoke(cli, ["image", "digest", "--record", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert result.stderr == (f"error: no image record at {tmp_path / 'none.json'}: build it "
                             "first with `focus-delivery image build`\n")


def _git(repo, *args: str) -> str:
    """Run git in `repo` and return its output."""
    env = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@focus.test",
           "GIT_COMMITTER_NAME": "Jenkins", "GIT_COMMITTER_EMAIL": "ci@focus.test",
           "HOME": str(repo), "PATH": os.environ["PATH"]}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


@pytest.fixture
def pr_merge(tmp_path):
    """A workspace as a PR job leaves it: the PR head checked out, its target merged into it
    (GitHub Branch Source's merge strategy). Returns (workspace, PR head, merge commit)."""
    repo = tmp_path / "ws"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "master")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    _git(repo, "switch", "-q", "-c", "feature")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "the change")
    head = _git(repo, "rev-parse", "HEAD")
    _git(repo, "switch", "-q", "master")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "master moved on")
    _git(repo, "switch", "-q", "--detach", head)
    _git(repo, "merge", "-q", "--no-edit", "master")
    return repo, head, _git(repo, "rev-parse", "HEAD")


def test_a_pr_build_names_the_image_by_the_pr_head(pr_merge):
    """The merge commit Jenkins built exists only in its workspace, never on GitHub."""
    repo, head, merge = pr_merge
    assert cli_image.pr_head(repo, merge, "12") == (head, merge)


def test_a_branch_build_names_the_image_by_its_commit(pr_merge):
    repo, _, merge = pr_merge
    assert cli_image.pr_head(repo, merge, None) == (merge, None)


def test_a_pr_that_needed_no_merge_names_its_own_commit(pr_merge):
    repo, head, _ = pr_merge
    assert cli_image.pr_head(repo, head, "12") == (head, None)


def test_pr_tags_and_revision_label_name_the_pr_head(pr_merge):
    repo, head, merge = pr_merge
    commit, _ = cli_image.pr_head(repo, merge, "12")
    (repo / "Dockerfile").write_text("ARG REVISION\nFROM scratch\n")
    labels, args = cli_image._labels_and_args(repo / "Dockerfile", commit, None, None, {})
    assert labels["org.opencontainers.image.revision"] == head
    assert args["REVISION"] == head
    assert images.image_tags("3", commit, "PR-12") == ["pr-12-3", head[:7]]
