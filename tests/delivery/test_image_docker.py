"""`focus-delivery image build|smoke|push` against the real Docker engine and a real registry.

The engine comes from scripts/docker-engine.sh; the base image is PYTHON_IMAGE, the stand-in
root built with scripts/base-image.sh (no container registry is reachable here), or
python:3.11-slim pulled; the registry is REGISTRY_URL's or an htpasswd-protected
docker-registry on 127.0.0.1 from scripts/registry.sh. The project image is built once per
session.
"""
from __future__ import annotations

import json
import re

import docker.errors
import pytest

from delivery import image as images
from delivery import smoke
from delivery.cli import cli
from delivery.errors import DeliveryError
from tests.delivery.conftest import COMMIT

pytestmark = pytest.mark.e2e


def bind_as_jenkins(monkeypatch, registry: dict) -> dict:
    """Put the registry and its credentials in the environment, as Jenkins binds them."""
    monkeypatch.setenv("REGISTRY", registry["REGISTRY"])
    monkeypatch.setenv("DOCKERHUB_USERNAME", registry["REGISTRY_USER"])
    monkeypatch.setenv("DOCKERHUB_TOKEN", registry["REGISTRY_PASSWORD"])
    return registry


@pytest.fixture
def push_env(monkeypatch, registry, built_image):
    """Registry and credentials in the environment, as Jenkins binds them."""
    return bind_as_jenkins(monkeypatch, registry)


@pytest.fixture
def auth_push_env(monkeypatch, auth_registry, built_image):
    """Like push_env, for a registry that checks passwords."""
    return bind_as_jenkins(monkeypatch, auth_registry)


@pytest.fixture(scope="module")
def docker_config(tmp_path_factory):
    """An empty DOCKER_CONFIG directory for the push (where `docker login` would write)."""
    return tmp_path_factory.mktemp("docker-config")


@pytest.fixture(scope="module")
def pushed(built_image, registry, docker_config):
    """Push the session's image once; return (CLI result, record after the push)."""
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["image", "push", "--record", str(built_image.record)],
                                env={"REGISTRY": registry["REGISTRY"],
                                     "DOCKERHUB_USERNAME": registry["REGISTRY_USER"],
                                     "DOCKERHUB_TOKEN": registry["REGISTRY_PASSWORD"],
                                     "DOCKER_CONFIG": str(docker_config)})
    assert result.exit_code == 0, result.output
    return result, json.loads(built_image.record.read_text())


def test_build_shows_the_build_log_as_it_goes(built_image):
    assert "Successfully built" in built_image.output
    assert "FROM " in built_image.output


def test_build_tags_build_number_short_commit_and_latest_on_master(built_image, docker_client):
    image = docker_client.images.get(f"{built_image.repository}:7")
    assert sorted(image.tags) == sorted(f"{built_image.repository}:{t}"
                                        for t in ("7", COMMIT[:7], "latest"))


def test_build_sets_the_oci_labels(built_image, docker_client):
    labels = docker_client.images.get(f"{built_image.repository}:7").labels
    assert labels["org.opencontainers.image.revision"] == COMMIT
    assert labels["org.opencontainers.image.version"] == "1.0.0"
    assert labels["org.opencontainers.image.title"] == "focus-meditation-agent"
    assert labels["org.opencontainers.image.created"].endswith("Z")


def _builder_stage_image(output: str) -> str:
    """The id of the image the builder stage ended with (its labelled last step), from the log."""
    lines = output.splitlines()
    step = next(number for number, line in enumerate(lines)
                if line.startswith("Step ") and f"LABEL {images.BUILDER_LABEL}=" in line)
    return next(line.split()[-1] for line in lines[step + 1:]
                if line.startswith(" ---> ") and not line.startswith(" ---> Running in"))


def test_build_leaves_no_builder_stage_image_behind(built_image, docker_client):
    builder = _builder_stage_image(built_image.output)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(builder)


def test_build_leaves_no_image_with_its_builder_label(built_image, docker_client):
    build_id = json.loads(built_image.record.read_text())["build_id"]
    assert docker_client.images.list(
        all=True, filters={"label": f"{images.BUILDER_LABEL}={build_id}"}) == []


def _pem_bodies(text: str) -> set[str]:
    """The base64 bodies of the PEM certificates in `text`, whitespace removed."""
    return {"".join(body.split()) for body in re.findall(
        r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.DOTALL)}


def test_the_runtime_ships_no_build_time_ca_certificate(built_image, docker_client, build_ca_dir):
    look = ("ls -A /usr/local/share/ca-certificates; cat /etc/ssl/certs/ca-certificates.crt; "
            "ls /etc/pip.conf 2>&1 || true")
    shipped = docker_client.containers.run(f"{built_image.repository}:7", ["sh", "-c", look],
                                           remove=True).decode()
    build_time = {body for cert in build_ca_dir.glob("*.crt")
                  for body in _pem_bodies(cert.read_text())}
    assert _pem_bodies(built_image.build_ca) <= build_time
    assert _pem_bodies(shipped), "the runtime has no CA bundle at all"
    assert _pem_bodies(shipped) & build_time == set()
    assert shipped.startswith("-----BEGIN CERTIFICATE-----")  # nothing in the extra-CA folder
    assert "No such file" in shipped.splitlines()[-1]  # and no pip.conf


def test_build_writes_the_image_record(built_image, docker_client):
    record = json.loads(built_image.record.read_text())
    image = docker_client.images.get(f"{built_image.repository}:7")
    assert (record["repository"], record["tags"], record["image_id"]) == (
        built_image.repository, built_image.tags, image.id)
    assert (record["build_number"], record["commit"], record["merge_commit"]) == (
        "7", COMMIT, None)


def test_build_says_what_it_built(built_image):
    last = built_image.output.strip().splitlines()[-1]
    assert last.startswith("built sha256:")
    assert last.endswith(f"as {built_image.repository}:7, {built_image.repository}:0123456, "
                         f"{built_image.repository}:latest")


@pytest.fixture(scope="module")
def smoked(built_image, docker_client):
    """Smoke-test the session's image once; return the CLI result and the containers it left."""
    from click.testing import CliRunner

    # sparse: ids only, so a container another build removes meanwhile is no error.
    before = {c.id for c in docker_client.containers.list(all=True, sparse=True)}
    result = CliRunner().invoke(cli, ["image", "smoke", "--image",
                                      f"{built_image.repository}:7"])
    after = {c.id for c in docker_client.containers.list(all=True, sparse=True)}
    return result, after - before


def test_smoke_passes_on_the_built_image(smoked, built_image):
    result, _ = smoked
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"smoke test of {built_image.repository}:7 passed: "
                                    "/health healthy, /predict ")


def test_smoke_checks_page_non_root_and_read_only(smoked):
    result, _ = smoked
    assert result.stdout.rstrip().endswith(
        "page and /stats served, a session written and read back, uid 10001, --read-only"
        " --tmpfs /tmp works (journal on a volume)")


def test_smoke_leaves_no_container_behind(smoked):
    assert smoked[1] == set()


def test_push_prints_the_digest_last(pushed):
    result, record = pushed
    assert result.stdout.splitlines()[-1] == f"digest {record['digest']}"
    assert record["digest"].startswith("sha256:")


def test_push_writes_no_credentials_to_disk(pushed, docker_config):
    """The one way registry credentials travel (also in Jenkins): the engine's API, no file."""
    assert pushed[0].exit_code == 0
    assert list(docker_config.iterdir()) == []


def test_push_pushes_every_tag(pushed, built_image):
    lines = pushed[0].stdout.splitlines()
    assert [f"pushed {built_image.repository}:{tag}" for tag in built_image.tags] == [
        line for line in lines if line.startswith("pushed ")]


def test_verify_pulls_every_tag_back_with_the_pushed_digest(
        pushed, built_image, registry, docker_client):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["image", "verify", "--record", str(built_image.record)],
                                env={"REGISTRY": registry["REGISTRY"],
                                     "DOCKERHUB_USR": registry["REGISTRY_USER"],
                                     "DOCKERHUB_PSW": registry["REGISTRY_PASSWORD"]})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"pulled {built_image.repository}:{tag}: digest and image id match"
        for tag in built_image.tags]
    pulled = docker_client.images.get(f"{built_image.repository}:{COMMIT[:7]}")
    assert f"{built_image.repository}@{pushed[1]['digest']}" in pulled.attrs["RepoDigests"]


def test_verify_of_an_image_never_pushed_is_one_line(runner, push_env, tmp_path):
    record = tmp_path / "image.json"
    record.write_text(json.dumps({"local_repository": "focus-absent", "tags": ["1"]}))
    result = runner.invoke(cli, ["image", "verify", "--record", str(record)])
    assert result.exit_code == 1
    assert result.stderr == ("error: the image record names no pushed image: run "
                             "`focus-delivery image push` first\n")


def test_sbom_lists_the_image_python_packages(runner, built_image, tmp_path):
    out = tmp_path / "sbom.cdx.json"
    result = runner.invoke(cli, ["image", "sbom", "--record", str(built_image.record),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    sbom = json.loads(out.read_text())
    names = {component["name"].lower() for component in sbom["components"]}
    assert sbom["bomFormat"] == "CycloneDX"
    assert {"flask", "gunicorn", "scikit-learn", "focus-meditation-agent"} <= names


def test_push_needs_credentials(runner, built_image):
    result = runner.invoke(cli, ["image", "push", "--record", str(built_image.record)])
    assert result.exit_code == 1
    assert result.stderr == ("error: no registry credentials: set DOCKERHUB_USERNAME and "
                             "DOCKERHUB_TOKEN (or pass --username/--token)\n")


def test_a_refused_registry_login_is_one_line(runner, auth_push_env, built_image, monkeypatch):
    monkeypatch.setenv("DOCKERHUB_TOKEN", "not-the-password")
    result = runner.invoke(cli, ["image", "push", "--record", str(built_image.record)])
    assert result.exit_code == 1
    assert result.stderr == (f"error: registry {auth_push_env['REGISTRY']} refused the login of "
                             f"user '{auth_push_env['REGISTRY_USER']}': check DOCKERHUB_USERNAME "
                             "and DOCKERHUB_TOKEN\n")


def test_the_registry_token_is_never_printed(runner, auth_push_env, built_image, monkeypatch):
    monkeypatch.setenv("DOCKERHUB_TOKEN", "not-the-password")
    result = runner.invoke(cli, ["--verbose", "image", "push", "--record",
                                 str(built_image.record)])
    assert "not-the-password" not in result.output
    assert auth_push_env["REGISTRY_PASSWORD"] not in result.output


@pytest.fixture
def broken_context(tmp_path, base_image):
    """A build context whose Dockerfile fails in a RUN step after printing a line."""
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base_image}\nRUN echo 'training the model' && echo 'gate: accuracy 0.21 "
        "below 0.5' && exit 3\n")
    return tmp_path


def _build_broken(runner, context, *extra):
    """Run `image build` on the broken context."""
    return runner.invoke(cli, ["image", "build", "--context", str(context), "--repository",
                               "focus-broken", "--build-number", "1",
                               "--record", str(context / "image.json"), *extra])


def test_a_failing_build_is_one_error_line_with_exit_1(runner, broken_context):
    result = _build_broken(runner, broken_context)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: image build failed: The command '/bin/sh -c echo")
    assert result.stderr.endswith("returned a non-zero code: 3\n")


def test_a_failing_build_shows_its_log(runner, broken_context):
    result = _build_broken(runner, broken_context)
    assert "gate: accuracy 0.21 below 0.5" in result.stdout


def test_a_quiet_failing_build_still_shows_the_last_lines_of_its_log(runner, broken_context):
    result = _build_broken(runner, broken_context, "--quiet")
    assert result.stdout == ""
    assert result.stderr.splitlines()[-2] == "gate: accuracy 0.21 below 0.5"


def test_a_failing_build_writes_no_record(runner, broken_context):
    _build_broken(runner, broken_context)
    assert not (broken_context / "image.json").exists()


@pytest.fixture
def sick_image(tmp_path, base_image, docker_client):
    """An image whose HEALTHCHECK always fails."""
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base_image}\nHEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD false\n"
        "CMD [\"sleep\", \"60\"]\n")
    docker_client.images.build(path=str(tmp_path), tag="focus-sick:1", rm=True)
    yield "focus-sick:1"
    docker_client.images.remove("focus-sick:1", force=True)


def test_smoke_fails_on_an_unhealthy_container(runner, sick_image):
    result = runner.invoke(cli, ["image", "smoke", "--image", sick_image])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: smoke test of {sick_image} failed: the container is unhealthy instead of healthy "
        "(plain run)")


def test_smoke_removes_a_failed_container(runner, sick_image, docker_client):
    runner.invoke(cli, ["image", "smoke", "--image", sick_image])
    assert docker_client.containers.list(all=True, filters={"ancestor": sick_image}) == []


def test_smoke_of_a_missing_image_is_one_line(runner, docker_client):
    result = runner.invoke(cli, ["image", "smoke", "--image", "focus-absent:0"])
    assert result.exit_code == 1
    assert result.stderr == ("error: no image focus-absent:0: build it first with "
                             "`focus-delivery image build`\n")


def test_a_missing_engine_is_one_line(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = runner.invoke(cli, ["image", "smoke", "--image", "focus-absent:0"])
    assert result.exit_code == 1
    assert result.stderr == ("error: cannot reach the Docker engine: start it "
                             "(scripts/docker-engine.sh up) or point DOCKER_HOST at a running "
                             "one\n")


@pytest.fixture
def plain_image(tmp_path, base_image, docker_client):
    """Build a tiny image from the base with the given CMD and no HEALTHCHECK; remove it after."""
    made = []

    def build(name: str, cmd: str) -> str:
        (tmp_path / "Dockerfile").write_text(f"FROM {base_image}\nCMD {cmd}\n")
        docker_client.images.build(path=str(tmp_path), tag=name, rm=True)
        made.append(name)
        return name

    yield build
    for name in made:
        docker_client.images.remove(name, force=True)


def test_smoke_fails_on_a_container_that_exits(runner, plain_image):
    image = plain_image("focus-exits:1", '["true"]')
    result = runner.invoke(cli, ["image", "smoke", "--image", image])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: smoke test of {image} failed: the container is exited instead of healthy "
        "(plain run)")


def test_smoke_without_healthcheck_gives_up_after_the_timeout(runner, plain_image):
    image = plain_image("focus-silent:1", '["sleep", "60"]')
    result = runner.invoke(cli, ["image", "smoke", "--image", image, "--timeout", "2"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: smoke test of {image} failed: the container was not healthy after 2 s "
        "(health: none) (plain run)")


def test_smoke_takes_the_image_from_the_record(runner, docker_client, tmp_path):
    record = tmp_path / "image.json"
    record.write_text(json.dumps({"local_repository": "focus-absent", "tags": ["9", "latest"]}))
    result = runner.invoke(cli, ["image", "smoke", "--record", str(record)])
    assert result.stderr == ("error: no image focus-absent:9: build it first with "
                             "`focus-delivery image build`\n")


def test_smoke_without_a_record_names_the_image_from_the_options(
        runner, docker_client, tmp_path):
    result = runner.invoke(cli, ["image", "smoke", "--repository", "focus-absent",
                                 "--build-number", "3", "--commit", COMMIT,
                                 "--record", str(tmp_path / "none.json")])
    assert result.stderr == ("error: no image focus-absent:3: build it first with "
                             "`focus-delivery image build`\n")


def test_push_without_a_record_pushes_the_tags_the_options_name(
        runner, push_env, tmp_path, built_image):
    result = runner.invoke(cli, ["image", "push", "--repository", built_image.repository,
                                 "--build-number", "7", "--commit", COMMIT,
                                 "--record", str(tmp_path / "image.json")])
    assert result.exit_code == 0, result.output
    assert [line for line in result.stdout.splitlines() if line.startswith("pushed ")] == [
        f"pushed {built_image.repository}:7", f"pushed {built_image.repository}:0123456"]


def test_push_of_a_missing_local_image_is_one_line(runner, push_env, tmp_path):
    record = tmp_path / "image.json"
    record.write_text(json.dumps({"local_repository": "focus-absent", "tags": ["1"]}))
    result = runner.invoke(cli, ["image", "push", "--record", str(record)])
    assert result.exit_code == 1
    assert result.stderr == ("error: no local image focus-absent:1: build it first with "
                             "`focus-delivery image build`\n")


@pytest.fixture
def sleeper(base_image, docker_client):
    """Start containers of the base image (root, no HEALTHCHECK) that sleep; remove them after."""
    made = []

    def start(**options):
        container = docker_client.containers.run(base_image, ["sleep", "60"], detach=True,
                                                 **options)
        made.append(container)
        return container

    yield start
    for container in made:
        container.remove(force=True)


def test_the_read_only_check_passes_a_read_only_root(sleeper):
    smoke.check_read_only(sleeper(read_only=True, tmpfs={"/tmp": ""}))


def test_the_read_only_check_fails_a_writable_root(sleeper):
    with pytest.raises(DeliveryError, match="writable root file system"):
        smoke.check_read_only(sleeper())


def test_the_uid_check_fails_a_server_running_as_root(sleeper):
    with pytest.raises(DeliveryError, match=r"the server runs as root \(uid 0\)"):
        smoke.server_uid(sleeper())


def test_the_uid_check_reads_a_non_root_server(sleeper):
    assert smoke.server_uid(sleeper(user="4242:4242")) == 4242


def test_clean_removes_the_record_tags_and_labelled_smoke_containers(
        runner, base_image, docker_client, tmp_path):
    base = docker_client.images.get(base_image)
    for tag in ("1", "abc1234"):
        base.tag("focus-clean-test", tag)
    left = docker_client.containers.create(base_image, ["sleep", "60"],
                                           labels={smoke.LABEL: "focus-clean-test:1"})
    record = tmp_path / "image.json"
    record.write_text(json.dumps({"local_repository": "focus-clean-test",
                                  "tags": ["1", "abc1234"]}))
    result = runner.invoke(cli, ["image", "clean", "--record", str(record)])
    assert result.stdout == "removed 1 container(s) and 2 image tag(s)\n"
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(left.id)
    assert docker_client.images.list(name="focus-clean-test") == []
