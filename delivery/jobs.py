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


# Containers whose children are a list the template owns: a trait or a branch source taken
# out of the template must go from the server too, so these compare child for child.
EXACT_LISTS = ("traits", "data")


def parse(xml_text: str) -> ElementTree.Element:
    """Parse a job config (XML 1.1 declaration and all), failing with one line."""
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", xml_text)
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise DeliveryError(f"job config is not well-formed XML: {exc}") from exc


def _attributes(element: ElementTree.Element) -> dict[str, str]:
    """Return an element's attributes without `plugin` (Jenkins adds `name@version` there)."""
    return {k: v for k, v in element.attrib.items() if k != "plugin"}


def _covers(server: ElementTree.Element, template: ElementTree.Element) -> bool:
    """Tell whether the server's element holds everything the template's element says."""
    if _attributes(server) != _attributes(template):
        return False
    if (server.text or "").strip() != (template.text or "").strip():
        return False
    wanted = list(template)
    if template.tag in EXACT_LISTS and [c.tag for c in server] != [c.tag for c in wanted]:
        return False
    remaining = list(server)
    for child in wanted:
        match = next((c for c in remaining if c.tag == child.tag and _covers(c, child)), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def same_config(current: str, wanted: str) -> bool:
    """Tell whether the server's config already says all that the template says.

    Jenkins re-serializes a posted config: it adds plugin versions (`plugin="x@1.2"`), default
    elements and its own formatting. Those do not matter; every element, attribute and value
    of the template does, and the lists in EXACT_LISTS must be the template's exactly.
    """
    server, template = parse(current), parse(wanted)
    return server.tag == template.tag and _covers(server, template)


def diff(current: str, wanted: str, name: str) -> str:
    """Return a unified diff from the server's config to the wanted one ('' when equal)."""
    lines = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=f"{name} (on the server)",
        tofile=f"{name} (from the template)",
    )
    return "".join(lines)
