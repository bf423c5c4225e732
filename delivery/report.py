"""The build summary: result, tests, coverage, model metrics, image and links, as text and HTML.

Inputs are the files a pipeline run leaves behind (JUnit XML, Cobertura coverage XML, the
model manifest, reports/image.json); a missing one is shown as "not available", so a failed
build still gets a report.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from delivery.errors import DeliveryError

NOT_AVAILABLE = "not available"
UNTESTED = "UNTESTED"
MODEL_METRICS_FIRST = ("accuracy", "macro_f1", "baseline_accuracy", "log_loss")


@dataclass(frozen=True)
class BuildContext:
    """Which build the report is about (from Jenkins's environment or flags)."""

    job: str
    number: str
    branch: str
    commit: str
    url: str
    result: str


@dataclass(frozen=True)
class Sources:
    """Where the report's inputs are."""

    junit: Path
    coverage: Path
    model: Path
    image: Path


@dataclass(frozen=True)
class Summary:
    """Everything the report shows, as ordered (label, text) rows and links."""

    context: BuildContext
    rows: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...]


def _parse_xml(path: Path, kind: str) -> ElementTree.Element | None:
    """Parse an XML report, None when the file is missing."""
    if not path.is_file():
        return None
    try:
        return ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise DeliveryError(f"{path} is not a valid {kind} file: {exc}") from exc


def junit_totals(path: Path) -> dict[str, float] | None:
    """Return a JUnit XML file's tests, failures, errors, skipped and time; None if missing."""
    root = _parse_xml(path, "JUnit XML")
    if root is None:
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals: dict[str, float] = {key: sum(int(s.get(key, 0)) for s in suites)
                                for key in ("tests", "failures", "errors", "skipped")}
    totals["time"] = sum(float(s.get("time", 0)) for s in suites)
    return totals


def junit_line(totals: dict[str, float] | None) -> str:
    """Summarise JUnit totals: passed, failed, errors, skipped, total and time."""
    if totals is None:
        return NOT_AVAILABLE
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    return (f"{passed:.0f} passed, {totals['failures']:.0f} failed, {totals['errors']:.0f} "
            f"errors, {totals['skipped']:.0f} skipped of {totals['tests']:.0f} "
            f"({totals['time']:.1f} s)")


def ran_tests(totals: dict[str, float] | None) -> bool:
    """Tell whether any test ran (was not skipped)."""
    return totals is not None and totals["tests"] - totals["skipped"] > 0


def coverage_line(path: Path) -> str:
    """Summarise a Cobertura coverage XML file: line and branch rates."""
    root = _parse_xml(path, "coverage XML")
    if root is None:
        return NOT_AVAILABLE
    try:
        lines = float(root.attrib["line-rate"])
        branches = float(root.get("branch-rate", "0"))
    except (KeyError, ValueError) as exc:
        raise DeliveryError(f"{path} has no line-rate: is it Cobertura XML?") from exc
    return f"{lines:.1%} of lines, {branches:.1%} of branches"


def _read_json(path: Path) -> dict[str, Any] | None:
    """Read a JSON object from a file, None when the file is missing."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise DeliveryError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise DeliveryError(f"{path} does not hold a JSON object")
    return data


def model_line(path: Path) -> str:
    """Summarise the model manifest: version and its numeric metrics."""
    manifest = _read_json(path)
    if manifest is None:
        return NOT_AVAILABLE
    found = {key: value for key, value in (manifest.get("metrics") or {}).items()
             if isinstance(value, (int, float)) and not isinstance(value, bool)}
    order = [k for k in MODEL_METRICS_FIRST if k in found]
    order += sorted(k for k in found if k not in MODEL_METRICS_FIRST)
    values = ", ".join(f"{key} {found[key]:.3f}" for key in order)
    return f"version {manifest.get('version', '?')}" + (f"; {values}" if values else "")


def image_rows(path: Path, context: BuildContext) -> tuple[tuple[str, str], ...]:
    """Return the image's tags and digest rows from reports/image.json.

    A record that another build made (its build number is not this build's) names no image
    of this build: a workspace that kept it must not mail the previous build's image.
    """
    record = _read_json(path)
    if record is None:
        return (("Image", NOT_AVAILABLE),)
    made_by = str(record.get("build_number") or "")
    if context.number and made_by and made_by != context.number:
        return (("Image", f"{NOT_AVAILABLE} (the image record is of build #{made_by})"),)
    repository = record.get("repository", "?")
    tags = ", ".join(f"{repository}:{tag}" for tag in record.get("tags", [])) or NOT_AVAILABLE
    return (("Image", tags), ("Digest", record.get("digest") or "not pushed"))


def links_of(context: BuildContext) -> tuple[tuple[str, str], ...]:
    """Return the Jenkins links of the build (none when its URL is unknown)."""
    if not context.url:
        return ()
    base = context.url if context.url.endswith("/") else context.url + "/"
    return (("Build", base), ("Console", base + "console"), ("Tests", base + "testReport/"))


def collect(context: BuildContext, sources: Sources) -> Summary:
    """Read every input and assemble the summary.

    A SUCCESS with no test run (no JUnit file, or every test skipped) is reported as
    UNTESTED: nothing proved the build good.
    """
    totals = junit_totals(sources.junit)
    result = context.result
    if result == "SUCCESS" and not ran_tests(totals):
        context = replace(context, result=UNTESTED)
        result = f"{UNTESTED} (the build passed, but no tests ran)"
    rows = (
        ("Result", result),
        ("Tests", junit_line(totals)),
        ("Coverage", coverage_line(sources.coverage)),
        ("Model", model_line(sources.model)),
    ) + image_rows(sources.image, context)
    return Summary(context, rows, links_of(context))


def missing_inputs(sources: Sources, named: set[str]) -> list[str]:
    """Return the inputs among `named` (Sources field names) whose file does not exist."""
    return [name for name in sorted(named) if not getattr(sources, name).is_file()]


def write(summary: Summary, out_dir: Path) -> str:
    """Write summary.txt and summary.html into `out_dir` atomically; return the text."""
    text = render_text(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in (("summary.txt", text), ("summary.html", render_html(summary))):
        partial = out_dir / f".{name}.tmp"
        partial.write_text(content, "utf-8")
        partial.replace(out_dir / name)
    return text


def title(summary: Summary) -> str:
    """Return the one-line title, also the e-mail subject."""
    c = summary.context
    where = " ".join(part for part in (c.branch, c.commit[:7] and f"@ {c.commit[:7]}") if part)
    number = f" #{c.number}" if c.number else ""
    return f"{c.job}{number}{f' ({where})' if where else ''}: {c.result}"


def render_text(summary: Summary) -> str:
    """Render the summary as plain text."""
    width = max(len(label) for label, _ in summary.rows + summary.links) + 1
    lines = [title(summary), ""]
    lines += [f"{label + ':':<{width}} {text}" for label, text in summary.rows]
    if summary.links:
        lines += [""] + [f"{label + ':':<{width}} {url}" for label, url in summary.links]
    return "\n".join(lines) + "\n"


def render_html(summary: Summary) -> str:
    """Render the summary as a small self-contained HTML page (every value escaped)."""
    esc = html.escape
    colour = "#1a7f37" if summary.context.result == "SUCCESS" else "#cf222e"
    rows = "\n".join(f"    <tr><th>{esc(label)}</th><td>{esc(text)}</td></tr>"
                     for label, text in summary.rows)
    links = " | ".join(f'<a href="{esc(url)}">{esc(label)}</a>' for label, url in summary.links)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        f"<title>{esc(title(summary))}</title></head>\n"
        "<body style=\"font-family: sans-serif\">\n"
        f"  <h2 style=\"color: {colour}\">{esc(title(summary))}</h2>\n"
        "  <table cellpadding=\"4\" style=\"border-collapse: collapse; text-align: left\">\n"
        f"{rows}\n  </table>\n"
        + (f"  <p>{links}</p>\n" if links else "")
        + "</body>\n</html>\n"
    )
