"""The Jenkins job definition: render the config template kept in the repo, compare, diff."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from importlib import resources
from string import Template
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from delivery.errors import DeliveryError

TEMPLATE = "job-config.xml"
DEFAULT_BRANCHES = ("master", "test", "dev", "PR-*")
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class JobSpec:
    """What the multibranch pipeline job is made of: name, GitHub repo, credentials, branches."""

    name: str
    github_repo: str
    credentials_id: str = "github-creds"
    jenkinsfile: str = "Jenkinsfile"
    branches: tuple[str, ...] = DEFAULT_BRANCHES


def template_text() -> str:
    """Return the job config template shipped in delivery/templates."""
    return resources.files("delivery").joinpath("templates", TEMPLATE).read_text("utf-8")


def render(spec: JobSpec) -> str:
    """Render the job's config.xml from the template, XML-escaping every value."""
    if not _REPO_RE.match(spec.github_repo):
        raise DeliveryError(
            f"GitHub repository {spec.github_repo!r} is not OWNER/NAME: "
            "pass --github-repo or set GITHUB_REPOSITORY"
        )
    owner, name = spec.github_repo.split("/")
    values = {
        "description": f"Focus Meditation Agent pipeline ({spec.github_repo}); "
                       "managed by focus-delivery jenkins sync",
        "job_name": spec.name,
        "credentials_id": spec.credentials_id,
        "repo_owner": owner,
        "repo_name": name,
        "repo_url": f"https://github.com/{owner}/{name}",
        "branches": " ".join(spec.branches),
        "jenkinsfile": spec.jenkinsfile,
    }
    escaped = {key: escape(value) for key, value in values.items()}
    return Template(template_text()).substitute(escaped)


def canonical(xml_text: str) -> str:
    """Return a canonical form of an XML document, so formatting changes compare equal."""
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", xml_text)
    try:
        return ElementTree.canonicalize(body, strip_text=True)
    except ElementTree.ParseError as exc:
        raise DeliveryError(f"job config is not well-formed XML: {exc}") from exc


def same_config(current: str, wanted: str) -> bool:
    """Tell whether two job configs are equal once formatting is ignored."""
    return canonical(current) == canonical(wanted)


def diff(current: str, wanted: str, name: str) -> str:
    """Return a unified diff from the server's config to the wanted one ('' when equal)."""
    lines = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=f"{name} (on the server)",
        tofile=f"{name} (from the template)",
    )
    return "".join(lines)
