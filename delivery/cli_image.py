"""`focus-delivery image ...`: build, smoke-test and push the service image (docker SDK)."""
from __future__ import annotations

import subprocess
import time
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import click

from delivery import image as images
from delivery import sbom as sboms
from delivery import smoke as smoke_test
from delivery.errors import DeliveryError
from delivery.params import option_group, parse_key_values


record_option = click.option(
    "--record", type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/image.json"), show_default=True,
    help="Image record (repository, tags, id, size, digest) read by `report`.")
token_option = click.option(
    "--token", envvar=["DOCKERHUB_TOKEN", "DOCKERHUB_PSW"], show_envvar=True,
    help="Registry password or access token (never printed); DOCKERHUB_PSW is what Jenkins's "
         "credentials() binds.")


# Add the options that name the image and its tags, shared by every `image` command.
image_options = option_group(
    click.option("--registry", envvar="REGISTRY", show_envvar=True,
                 help="Registry host[:port]; Docker Hub when unset."),
    click.option("--username", envvar=["DOCKERHUB_USERNAME", "DOCKERHUB_USR"],
                 show_envvar=True, help="Registry user; also the image's namespace."),
    click.option("--repository", envvar="IMAGE_REPOSITORY", show_envvar=True,
                 help="Full image repository [default: REGISTRY/USERNAME/"
                      f"{images.NAME}]."),
    click.option("--build-number", envvar="BUILD_NUMBER", show_envvar=True,
                 help="Jenkins build number (a tag)."),
    click.option("--commit", envvar="GIT_COMMIT", show_envvar=True,
                 help="Commit built [default: git rev-parse HEAD]; its short form is a tag."),
    click.option("--branch", envvar="BRANCH_NAME", show_envvar=True,
                 help=f"Branch built; '{images.RELEASE_BRANCH}' adds the tag 'latest', "
                      "other branches prefix the build number (dev-42)."),
    record_option,
)


def _git(context: Path, *args: str) -> str:
    """Return the output of `git -C context ARGS...`, stripped; "" where git fails or is absent."""
    try:
        return subprocess.run(["git", "-C", str(context), *args], capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _git_commit(context: Path) -> str | None:
    """Return the commit checked out in `context`, None outside a git work tree."""
    return _git(context, "rev-parse", "HEAD") or None


def pr_head(context: Path, commit: str | None,
            change_id: str | None) -> tuple[str | None, str | None]:
    """Return the commit to name the image by and, for a PR build, the merge commit built.

    A pull request job checks out the PR head and merges its target into it (GitHub Branch
    Source's merge strategy), so `checkout scm`'s GIT_COMMIT is a local merge commit that
    does not exist on GitHub; the PR head is its first parent. Anything else is itself.
    """
    if not commit or not change_id:
        return commit, None
    ids = _git(context, "rev-list", "--parents", "-n", "1", commit).split()
    if len(ids) == 3:
        return ids[1], ids[0]
    return commit, None


def _source(url: str | None, context: Path) -> str | None:
    """Return the repository URL (default: git's origin remote), None for a local path."""
    return images.source_url(url or _git(context, "config", "--get", "remote.origin.url"))


def _version() -> str:
    """Return the project's version from its installed metadata."""
    try:
        return metadata.version("focus-meditation-agent")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _writer(quiet: bool) -> Callable[[str], None]:
    """Return where progress goes: stdout, or nowhere with --quiet."""
    if quiet:
        return lambda text: None
    return lambda text: click.echo(text, nl=False)


def _labels_and_args(dockerfile: Path, commit: str | None, source: str | None,
                     python_image: str | None, extra: dict[str, str],
                     extra_standard: dict[str, str] | None = None,
                     ) -> tuple[dict[str, str], dict[str, str]]:
    """Return the OCI labels, and the build args of those that the Dockerfile declares."""
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    labels = {
        "org.opencontainers.image.title": images.NAME,
        "org.opencontainers.image.version": _version(),
        "org.opencontainers.image.revision": commit or "",
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.source": source or "",
    }
    standard = {"VERSION": _version(), "REVISION": commit, "CREATED": created,
                "SOURCE": source, "PYTHON_IMAGE": python_image, **(extra_standard or {})}
    declared = images.declared_args(dockerfile)
    args = {k: v for k, v in standard.items() if k in declared and v}
    args.update(extra)
    return {k: v for k, v in labels.items() if v}, args


def _need_credentials(username: str | None, token: str | None) -> None:
    """Fail with one line unless both registry credentials are given."""
    if not username or not token:
        raise DeliveryError("no registry credentials: set DOCKERHUB_USERNAME and "
                            "DOCKERHUB_TOKEN (or pass --username/--token)")


def _recorded(record: Path) -> dict[str, Any]:
    """Return the image record, failing with one line when there is none."""
    saved = images.read_record(record)
    if not saved.get("tags"):
        raise DeliveryError(f"no image record at {record}: build it first with "
                            "`focus-delivery image build`")
    return saved


def _resolve(registry: str | None, username: str | None, repository: str | None,
             build_number: str | None, commit: str | None,
             branch: str | None) -> tuple[str, list[str]]:
    """Return the repository and its tags from the options."""
    repo = repository or images.repository_name(registry, username)
    return repo, images.image_tags(build_number, commit, branch)


def _built_image(saved: dict[str, Any], registry: str | None, username: str | None,
                 repository: str | None, build_number: str | None, commit: str | None,
                 branch: str | None) -> tuple[str, list[str]]:
    """Return the built image's local repository and tags: the record's, else the options'."""
    if saved.get("local_repository") and saved.get("tags"):
        return saved["local_repository"], list(saved["tags"])
    return _resolve(registry, username, repository, build_number,
                    commit or _git_commit(Path(".")), branch)


@click.group()
def image() -> None:
    """Build, smoke-test and push the service image (docker SDK)."""


@image.command("build", short_help="Build the image with Jenkins's tags and labels.")
@image_options
@click.option("--context", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=Path("."), show_default=True, help="Build context.")
@click.option("--file", "dockerfile", default="Dockerfile", show_default=True,
              help="Dockerfile, relative to the context.")
@click.option("--python-image", envvar="PYTHON_IMAGE", show_envvar=True,
              help="Base image passed as build arg PYTHON_IMAGE.")
@click.option("--source", envvar="GIT_URL", show_envvar=True,
              help="Repository URL for the org.opencontainers.image.source label "
                   "[default: git's origin remote, credentials removed].")
@click.option("--change-id", envvar="CHANGE_ID", show_envvar=True,
              help="Pull request number (Jenkins sets it on PR builds): the tag and the "
                   "revision label name the PR head, not Jenkins's local merge commit.")
@click.option("--ca-certs", "ca_certs", envvar="BUILD_CA_CERTS_DIR", show_envvar=True,
              type=click.Path(file_okay=False, path_type=Path),
              default=Path("/usr/local/share/ca-certificates"), show_default=True,
              help="Folder of the build machine's extra CA certificates (*.crt): trusted by "
                   "pip in the builder stage only (build arg BUILD_CA_CERTS), never shipped.")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE",
              help="Extra build arg; repeat for more.")
@click.option("-q", "--quiet", is_flag=True, help="Do not show the build log as it goes.")
def build_command(registry: str | None, username: str | None, repository: str | None,
                  build_number: str | None, commit: str | None, branch: str | None,
                  record: Path, context: Path, dockerfile: str, python_image: str | None,
                  source: str | None, change_id: str | None, ca_certs: Path,
                  build_args: tuple[str, ...], quiet: bool) -> None:
    """Build the multi-stage image with Jenkins's tags, OCI labels and build args.

    The builder stage's image is removed after the build (it is labelled with this build's
    BUILD_ID), so builds leave no untagged image behind.
    """
    commit, merge_commit = pr_head(context, commit or _git_commit(context), change_id)
    repo, tags = _resolve(registry, username, repository, build_number, commit, branch)
    build_id = uuid.uuid4().hex
    certs = images.read_ca_certs(ca_certs)
    labels, args = _labels_and_args(context / dockerfile, commit, _source(source, context),
                                    python_image, parse_key_values(build_args, "--build-arg"),
                                    {"BUILD_ID": build_id, "BUILD_CA_CERTS": certs})
    client = images.connect()
    record.unlink(missing_ok=True)  # a failed build must not leave the previous build's record
    request = images.BuildRequest(context=context, dockerfile=dockerfile, repository=repo,
                                  tags=tags, build_args=args, labels=labels)
    started = time.monotonic()
    try:
        image_id = images.build(client, request, _writer(quiet))
    except DeliveryError as exc:
        if not quiet:
            exc.log_tail = ""
        raise
    finally:
        images.remove_builder(client, build_id)
    seconds = round(time.monotonic() - started)
    size = client.images.get(image_id).attrs["Size"]
    images.write_record(record, {"repository": repo, "local_repository": repo, "tags": tags,
                                 "image_id": image_id, "digest": None, "size_bytes": size,
                                 "build_seconds": seconds, "build_number": build_number,
                                 "commit": commit, "merge_commit": merge_commit,
                                 "build_id": build_id})
    click.echo(f"built {image_id} in {seconds} s, {size / 1e6:.0f} MB, as "
               + ", ".join(f"{repo}:{tag}" for tag in tags))


@image.command("smoke", short_help="Run the image; check /health and /predict.")
@image_options
@click.option("--image", "image_ref",
              help="Image to test [default: the record's first tag].")
@click.option("--timeout", default=120.0, show_default=True,
              help="Seconds to wait for the container to be healthy.")
def smoke_command(registry: str | None, username: str | None, repository: str | None,
                  build_number: str | None, commit: str | None, branch: str | None,
                  record: Path, image_ref: str | None, timeout: float) -> None:
    """Run the image, wait for healthy, check /health and a /predict, then remove it.

    Two containers run at once, one plain and one --read-only --tmpfs /tmp, published on
    127.0.0.1 only, the read-only one with a volume on /app/instance for the journal. Both
    must answer /health and /predict and store a session POSTed with a smoke-test API key;
    the plain one must also serve the page and /stats, the server must run as a non-root uid
    (and the image's USER be numeric), and the read-only one must refuse writes elsewhere.

    The image is --image, else the first tag of the image record, else REPOSITORY and the
    first tag the options name.
    """
    if not image_ref:
        repo, tags = _built_image(images.read_record(record), registry, username, repository,
                                  build_number, commit, branch)
        image_ref = f"{repo}:{tags[0]}"
    result = smoke_test.run(images.connect(), image_ref, timeout)
    click.echo(f"smoke test of {image_ref} passed: /health {result.health.get('status')}, "
               f"/predict {smoke_test.SAMPLE} -> {result.prediction['mood_after']}, page and "
               f"/stats served, a session written and read back, uid {result.uid},"
               " --read-only --tmpfs /tmp works (journal on a volume)")


@image.command("push", short_help="Log in, push every tag, print the digest.")
@image_options
@token_option
@click.option("-q", "--quiet", is_flag=True, help="Do not show push progress.")
def push_command(registry: str | None, username: str | None, repository: str | None,
                 build_number: str | None, commit: str | None, branch: str | None,
                 record: Path, token: str | None, quiet: bool) -> None:
    """Log in to the registry, push every tag with progress, print the digest.

    The tags are those of the image record written by `image build` (or computed from the
    options when there is none); they are pushed to REPOSITORY, tagging them there first.
    """
    _need_credentials(username, token)
    target = repository or images.repository_name(registry, username)
    saved = images.read_record(record)
    source, tags = _built_image(saved, registry, username, repository, build_number, commit,
                                branch)
    client = images.connect()
    auth = images.login(client, registry, str(username), str(token))
    digest = ""
    for tag in tags:
        images.retag(client, f"{source}:{tag}", target, tag)
        digest = images.push_tag(client, target, tag, auth, _writer(quiet))
        click.echo(f"pushed {target}:{tag}")
    saved.update({"repository": target, "pushed_repository": target, "tags": tags,
                  "digest": digest})
    images.write_record(record, saved)
    click.echo(f"digest {digest}")


@image.command("verify", short_help="Delete the pushed tags locally, pull back, compare digests.")
@click.option("--registry", envvar="REGISTRY", show_envvar=True,
              help="Registry host[:port]; Docker Hub when unset.")
@click.option("--username", envvar=["DOCKERHUB_USERNAME", "DOCKERHUB_USR"], show_envvar=True,
              help="Registry user.")
@token_option
@record_option
def verify_command(registry: str | None, username: str | None, token: str | None,
                   record: Path) -> None:
    """Prove the push: delete every tag of the record locally, pull each back from the
    registry, and check it has the pushed digest and the built image id."""
    _need_credentials(username, token)
    saved = _recorded(record)
    client = images.connect()
    auth = images.login(client, registry, str(username), str(token))
    for line in images.pull_back(client, saved, auth, _writer(False)):
        click.echo(line)


@image.command("sbom", short_help="Write a CycloneDX SBOM of the image's Python packages.")
@record_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("reports/sbom.cdx.json"), show_default=True, help="SBOM file.")
def sbom_command(record: Path, out: Path) -> None:
    """List the Python packages of the record's image with its own interpreter (no network,
    read-only) and write them as a CycloneDX JSON SBOM."""
    saved = _recorded(record)
    image_ref = f"{saved.get('local_repository') or saved['repository']}:{saved['tags'][0]}"
    listing = sboms.packages(images.connect(), image_ref)
    sboms.write(listing, out)
    click.echo(f"SBOM: {out} ({len(listing.split())} Python packages of {image_ref})")


@image.command("tag", short_help="Print the image as REPOSITORY:TAG (the build description).")
@record_option
def tag_command(record: Path) -> None:
    """Print the record's repository (the pushed one after a push) and its first tag."""
    saved = _recorded(record)
    click.echo(f"{saved['repository']}:{saved['tags'][0]}")


@image.command("digest", short_help="Print the pushed image's digest; nothing if not pushed.")
@record_option
def digest_command(record: Path) -> None:
    """Print the digest `image push` recorded; print nothing when the image was not pushed.

    Without a record there is no image to speak of: that is an error.
    """
    digest = _recorded(record).get("digest")
    if digest:
        click.echo(digest)


@image.command("clean", short_help="Remove the smoke containers and image tags of a build.")
@record_option
def clean_command(record: Path) -> None:
    """Remove the record's tags (local and pushed names) and any smoke-test container left.

    Without an engine or a record there is nothing to clean, and that is no error.
    """
    saved = images.read_record(record)
    tags = list(saved.get("tags") or [])
    local = saved.get("local_repository")
    try:
        client = images.connect(timeout=60)
    except DeliveryError:
        click.echo("no Docker engine answers: nothing to clean")
        return
    containers = images.remove_containers(client, smoke_test.LABEL,
                                          [f"{local}:{tag}" for tag in tags])
    repositories = {name for name in (local, saved.get("pushed_repository")) if name}
    removed = images.remove_tags(client, repositories, tags)
    click.echo(f"removed {containers} container(s) and {removed} image tag(s)")
