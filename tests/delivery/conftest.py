"""Fixtures of the delivery tests: the Jenkins stand-in, an SMTP server, the Docker engine."""
from __future__ import annotations

import email
import email.policy
import contextlib
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import docker
import docker.errors
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from tests.delivery import build_history
from tests.delivery.jenkins_standin import JenkinsState, StandinServer

JENKINS_USER = "alice"
JENKINS_TOKEN = "alice-api-token-123"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stdout and stderr apart."""
    return CliRunner()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without the delivery tool's environment variables."""
    for name in ("JENKINS_URL", "JENKINS_USER", "JENKINS_TOKEN", "JENKINS_JOB",
                 "GITHUB_REPOSITORY", "BUILD_NUMBER", "GIT_COMMIT", "BRANCH_NAME", "BUILD_URL",
                 "JOB_NAME", "BUILD_RESULT", "ADMIN_EMAIL", "SMTP_HOST", "SMTP_PORT",
                 "SMTP_STARTTLS", "SMTP_SSL", "SMTP_USER", "SMTP_PASSWORD", "SMTP_FROM", "REGISTRY",
                 "DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN", "DOCKERHUB_USR", "DOCKERHUB_PSW",
                 "IMAGE_REPOSITORY", "IMAGE_RECORD", "PYTHON_IMAGE", "MODEL_MANIFEST",
                 "CHANGE_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def jenkins_state() -> JenkinsState:
    """The stand-in's state: users alice (admin) and reader (read-only), no jobs."""
    return JenkinsState()


@pytest.fixture
def jenkins_server(jenkins_state: JenkinsState) -> Iterator[StandinServer]:
    """The Jenkins stand-in, serving on 127.0.0.1 in a thread for one test."""
    server = StandinServer(jenkins_state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def jenkins_env(monkeypatch: pytest.MonkeyPatch, jenkins_server: StandinServer) -> str:
    """Point JENKINS_URL/USER/TOKEN at the stand-in as alice; return the URL."""
    monkeypatch.setenv("JENKINS_URL", jenkins_server.url)
    monkeypatch.setenv("JENKINS_USER", JENKINS_USER)
    monkeypatch.setenv("JENKINS_TOKEN", JENKINS_TOKEN)
    return jenkins_server.url


@pytest.fixture
def history(jenkins_state: JenkinsState, jenkins_env: str) -> int:
    """Load the fixed build history (build_history.py) relative to now; return now in ms."""
    now_ms = int(time.time() * 1000)
    build_history.load(jenkins_state, now_ms)
    return now_ms


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def build_outputs(tmp_path):
    """The files a pipeline run leaves: JUnit XML, coverage XML, model manifest, image record."""
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites>'
        '<testsuite name="pytest" errors="1" failures="2" skipped="3" tests="120" time="35.25">'
        '</testsuite></testsuites>')
    coverage = tmp_path / "coverage.xml"
    coverage.write_text('<?xml version="1.0" ?><coverage version="7.17.3" line-rate="0.9342" '
                        'branch-rate="0.88" lines-valid="1000" lines-covered="934"></coverage>')
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"version": "2026.11.23-1", "metrics": {
        "log_loss": 0.8123, "accuracy": 0.7125, "macro_f1": 0.70011,
        "baseline_accuracy": 0.31, "cv_accuracy_std": 0.012, "per_class": {"calm": 0.7}}}))
    image = tmp_path / "image.json"
    image.write_text(json.dumps({"repository": "acme/focus-meditation-agent",
                                 "tags": ["42", "abc1234", "latest"], "digest": "sha256:feed"}))
    return {"--junit": junit, "--coverage": coverage, "--model": model,
            "--image-record": image}


@pytest.fixture
def report_args(build_outputs, tmp_path):
    """Command-line arguments naming a successful build #42 and its output files."""
    args = ["--result", "SUCCESS", "--number", "42", "--branch", "master",
            "--commit", "abc1234def5678", "--build-url", "http://ci.test/job/focus/42/"]
    for option, path in build_outputs.items():
        args += [option, str(path)]
    return args


class Mailbox:
    """An aiosmtpd handler that keeps what it receives and refuses some recipients."""

    def __init__(self) -> None:
        """Start empty."""
        self.envelopes: list[dict] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse addresses at refused.test; accept the others."""
        if address.endswith("@refused.test"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the envelope and the parsed message; refuse mail from spam@refused.test."""
        if envelope.mail_from == "spam@refused.test":
            return "554 5.7.1 message rejected as spam"
        self.envelopes.append({
            "from": envelope.mail_from, "to": list(envelope.rcpt_tos),
            "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
            "login": session.authenticated and session.auth_data.login.decode()})
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    """Accept only mailer / mail-password-789."""
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"mailer" and auth_data.password == b"mail-password-789"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def _start_smtp(port: int, **options) -> tuple[Controller, Mailbox]:
    """Start an aiosmtpd server on 127.0.0.1:port."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, **options)
    controller.start()
    return controller, mailbox


@pytest.fixture
def smtp_server(free_port, monkeypatch) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, named by SMTP_HOST and SMTP_PORT."""
    controller, mailbox = _start_smtp(free_port, auth_require_tls=False)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port))
    yield mailbox
    controller.stop()


def _self_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server TLS context with a certificate for 127.0.0.1 made now; clients trust it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return context


@pytest.fixture
def tls_smtp_server(free_port, monkeypatch, tmp_path) -> Iterator[Mailbox]:
    """An SMTP server that requires STARTTLS, with a self-signed certificate for 127.0.0.1."""
    context = _self_signed(tmp_path, monkeypatch)
    controller, mailbox = _start_smtp(free_port, tls_context=context, require_starttls=True)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port))
    yield mailbox
    controller.stop()


@pytest.fixture
def smtps_server(free_port, monkeypatch, tmp_path) -> Iterator[Mailbox]:
    """An SMTPS server: TLS from the first byte (implicit TLS, as on port 465).

    aiosmtpd's auth_require_tls knows only STARTTLS; here every byte is already encrypted.
    """
    context = _self_signed(tmp_path, monkeypatch)
    controller, mailbox = _start_smtp(free_port, ssl_context=context, auth_require_tls=False)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port))
    yield mailbox
    controller.stop()


REPO_ROOT = Path(__file__).resolve().parents[2]
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _script(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run one of the repository's scripts/ from the repository root."""
    script = REPO_ROOT / "scripts" / args[0]
    if not script.exists():
        pytest.fail(f"{script.relative_to(REPO_ROOT)} is missing: the Docker tests need it")
    return subprocess.run([str(script), *args[1:]], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """A client of a running Docker engine; the engine is started (and later stopped) if needed.

    A machine where no engine can be started fails these tests with the script's message.
    """
    done = _script("docker-engine.sh", "up", timeout=900)
    if done.returncode != 0:
        pytest.fail(f"no Docker engine could be started: {done.stderr.strip()}")
    last = done.stdout.strip().splitlines()[-1]
    started = last.split()[1] if last.startswith("started ") else None
    client = docker.from_env(timeout=600)
    yield client
    client.close()
    if started:
        _script("docker-engine.sh", "down", started)


DEFAULT_PYTHON_IMAGE = "python:3.11-slim"


def _local_or_pulled(client: docker.DockerClient, name: str) -> str | None:
    """Return `name` when the engine has it or can pull it; None when neither."""
    try:
        client.images.get(name)
        return name
    except docker.errors.ImageNotFound:
        pass
    try:
        client.images.pull(name)
    except docker.errors.DockerException:
        return None
    return name


@pytest.fixture(scope="session")
def base_image(docker_client) -> str:
    """The image's base, never built here: PYTHON_IMAGE (local or pulled) when it is set, else
    the debootstrap stand-in when root has built it (scripts/base-image.sh, for machines that
    cannot pull), else python:3.11-slim pulled (GitHub's and Jenkins's case)."""
    wanted = os.environ.get("PYTHON_IMAGE")
    if wanted:
        if _local_or_pulled(docker_client, wanted):
            return wanted
        pytest.fail(f"PYTHON_IMAGE={wanted} is neither local nor can it be pulled")
    stand_in = _script("base-image.sh", "--check")
    if stand_in.returncode == 0:
        return stand_in.stdout.strip().splitlines()[-1]
    if _local_or_pulled(docker_client, DEFAULT_PYTHON_IMAGE):
        return DEFAULT_PYTHON_IMAGE
    pytest.fail(f"{DEFAULT_PYTHON_IMAGE} cannot be pulled, and {stand_in.stderr.strip()}")


def _registry_env(url: str) -> dict[str, str]:
    """The registry named by REGISTRY_URL (a GitHub service container, say) and credentials."""
    host = re.sub(r"^https?://", "", url).rstrip("/")
    return {"REGISTRY": host, "REGISTRY_USER": os.environ.get("REGISTRY_USER") or "ci",
            "REGISTRY_PASSWORD": os.environ.get("REGISTRY_PASSWORD") or "ci",
            "AUTH": "yes" if os.environ.get("REGISTRY_USER") else "no"}


@contextlib.contextmanager
def _local_registry(directory: Path) -> Iterator[dict[str, str]]:
    """Start the local docker-registry with htpasswd auth (scripts/registry.sh); stop it after."""
    done = _script("registry.sh", "up", str(directory), timeout=600)
    if done.returncode != 0:
        pytest.fail(f"no local registry: {done.stderr.strip()}")
    env = dict(line.split("=", 1) for line in
               (directory / "registry.env").read_text().splitlines() if "=" in line)
    try:
        yield {**env, "AUTH": "yes"}
    finally:
        _script("registry.sh", "down", str(directory))


@pytest.fixture(scope="session")
def registry(docker_client, tmp_path_factory) -> Iterator[dict[str, str]]:
    """The registry of the push tests: REGISTRY_URL (with REGISTRY_USER and REGISTRY_PASSWORD
    when it asks for them) when set, else a real docker-registry with htpasswd auth on
    127.0.0.1 (scripts/registry.sh). AUTH says whether it checks credentials."""
    url = os.environ.get("REGISTRY_URL")
    if url:
        yield _registry_env(url)
        return
    with _local_registry(tmp_path_factory.mktemp("registry")) as env:
        yield env


@pytest.fixture(scope="session")
def auth_registry(registry, tmp_path_factory) -> Iterator[dict[str, str]]:
    """A registry that checks passwords: the session's, else (an open REGISTRY_URL, as GitHub's
    service container is: it cannot be given a password file) the local htpasswd one."""
    if registry["AUTH"] == "yes":
        yield registry
        return
    with _local_registry(tmp_path_factory.mktemp("auth-registry")) as env:
        yield env


@dataclass
class BuiltImage:
    """The project image built once per session by `focus-delivery image build`."""

    repository: str
    tags: list[str]
    record: Path
    output: str
    seconds: float
    build_ca: str


HOST_CA_DIR = Path("/usr/local/share/ca-certificates")


@pytest.fixture(scope="session")
def build_ca_dir(tmp_path_factory) -> Path:
    """The build machine's extra CA certificates plus one made here (test-build-ca.crt), so
    that the image tests can tell whether any of them reached the runtime stage."""
    directory = tmp_path_factory.mktemp("build-ca")
    for cert in sorted(HOST_CA_DIR.glob("*.crt")):
        shutil.copy(cert, directory / cert.name)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=focus-agent test build CA", "-keyout",
                    str(directory / "test-build-ca.key"), "-out",
                    str(directory / "test-build-ca.crt")], check=True, capture_output=True)
    (directory / "test-build-ca.key").unlink()
    return directory


@pytest.fixture(scope="session")
def built_image(docker_client, base_image, registry, build_ca_dir,
                tmp_path_factory) -> Iterator[BuiltImage]:
    """Build the project's Dockerfile once, named for the local registry; remove it after."""
    from delivery.cli import cli

    record = tmp_path_factory.mktemp("image") / "image.json"
    repository = f"{registry['REGISTRY']}/{registry['REGISTRY_USER']}/focus-meditation-agent"
    started = time.monotonic()
    result = CliRunner().invoke(cli, [
        "image", "build", "--context", str(REPO_ROOT), "--repository", repository,
        "--build-number", "7", "--commit", COMMIT, "--branch", "master",
        "--python-image", base_image, "--ca-certs", str(build_ca_dir), "--record", str(record)])
    seconds = time.monotonic() - started
    if result.exit_code != 0:
        pytest.fail(f"image build failed:\n{result.output[-3000:]}")
    tags = ["7", COMMIT[:7], "latest"]
    yield BuiltImage(repository, tags, record, result.output, seconds,
                     (build_ca_dir / "test-build-ca.crt").read_text())
    for tag in tags:
        try:
            docker_client.images.remove(f"{repository}:{tag}")
        except docker.errors.ImageNotFound:
            pass
