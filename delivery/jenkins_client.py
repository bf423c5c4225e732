"""python-jenkins behind one small facade that turns its failures into DeliveryError.

python-jenkins 1.8.3 has no call for the progressive console log, so `console_from` sends that
one request through the library's own `jenkins_request` (same session, auth, crumb and error
mapping) instead of a separate HTTP client.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import quote, urlsplit, urlunsplit

import jenkins
import requests

from delivery.errors import DeliveryError, traceback_text

_STATUS_RE = re.compile(r"\[(\d{3})\]")
_QUEUE_ITEM_RE = re.compile(r"/queue/item/(\d+)/?$")
PARAMETERS_PROPERTY = "hudson.model.ParametersDefinitionProperty"


def safe_url(url: str) -> str:
    """Return the URL without any user:password part, fit to print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def branch_job(job: str, branch: str) -> str:
    """Return the full name of a multibranch job's branch (a '/' in a branch is %2F)."""
    return f"{job}/{branch.replace('/', '%2F')}"


@dataclass(frozen=True)
class Console:
    """One slice of a build's console log and where the next slice starts."""

    text: str
    next_start: int
    more: bool


class JenkinsClient:
    """The Jenkins calls the delivery tool makes, with failures as one-line DeliveryErrors."""

    def __init__(self, url: str, user: str | None, token: str | None,
                 timeout: float = 30.0) -> None:
        """Connect lazily to Jenkins at `url` with a user and API token."""
        if not url:
            raise DeliveryError("no Jenkins URL: pass --url or set JENKINS_URL")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            shown = "" if "@" in url else f" {url!r}"
            raise DeliveryError(f"the Jenkins URL{shown} is not an http(s) URL: pass --url "
                                "or set JENKINS_URL to one such as https://jenkins.example.com/")
        self.url = url if url.endswith("/") else url + "/"
        self.user = user or "anonymous"
        self.server = jenkins.Jenkins(self.url, username=user, password=token, timeout=timeout)

    @contextlib.contextmanager
    def errors(self, what: str, job: str | None = None) -> Iterator[None]:
        """Translate python-jenkins and requests failures during `what` into DeliveryError."""
        where = safe_url(self.url)
        try:
            yield
        except DeliveryError:
            raise
        except requests.exceptions.ConnectionError as exc:
            raise DeliveryError(
                f"cannot reach Jenkins at {where} while trying to {what}: "
                "is it running, and is JENKINS_URL right?", traceback_text(exc)) from exc
        except (jenkins.TimeoutException, requests.exceptions.Timeout) as exc:
            raise DeliveryError(
                f"Jenkins at {where} did not answer in time while trying to {what}",
                traceback_text(exc)) from exc
        except jenkins.NotFoundException as exc:
            raise DeliveryError(_not_found(job, where), traceback_text(exc)) from exc
        except (jenkins.JenkinsException, requests.exceptions.RequestException) as exc:
            raise DeliveryError(self._refusal(exc, what, job, where), traceback_text(exc)) from exc

    def _refusal(self, exc: Exception, what: str, job: str | None, where: str) -> str:
        """Word a refused request by its HTTP status."""
        status = _status_of(exc)
        if status == 401:
            return (f"Jenkins at {where} rejected the credentials of user '{self.user}' "
                    "(HTTP 401): check JENKINS_USER and JENKINS_TOKEN")
        if status == 403:
            return (f"user '{self.user}' may not {what} on Jenkins at {where} (HTTP 403): "
                    "ask an administrator for the permission or use another token")
        if status == 404 or "does not exist" in str(exc):
            return _not_found(job, where)
        if status is not None and status >= 500:
            return (f"Jenkins at {where} failed with HTTP {status} while trying to {what}: "
                    "see the Jenkins system log")
        return f"Jenkins at {where} failed to {what}: {str(exc).splitlines()[0]}"

    def require_job(self, name: str) -> None:
        """Fail with a clear message when the job `name` does not exist."""
        with self.errors("look up the job", name):
            found = self.server.get_job_name(name)
        if found is None:
            raise DeliveryError(_not_found(name, safe_url(self.url)))

    def job_config(self, name: str) -> str | None:
        """Return the job's config.xml, or None when there is no such job."""
        with self.errors("read the job configuration", name):
            if self.server.get_job_name(name) is None:
                return None
            return self.server.get_job_config(name)

    def create_job(self, name: str, config_xml: str) -> None:
        """Create the job from its config.xml."""
        with self.errors("create the job", name):
            self.server.create_job(name, config_xml)

    def update_job(self, name: str, config_xml: str) -> None:
        """Replace the job's config.xml."""
        with self.errors("update the job", name):
            self.server.reconfig_job(name, config_xml)

    def job_info(self, name: str, all_builds: bool = False) -> dict[str, Any]:
        """Return the job's JSON description (its builds, or its branch jobs)."""
        with self.errors("read the job", name):
            return self.server.get_job_info(name, fetch_all_builds=all_builds)

    def build_info(self, name: str, number: int) -> dict[str, Any]:
        """Return one build's JSON description."""
        with self.errors(f"read build #{number}", name):
            return self.server.get_build_info(name, number)

    def trigger(self, name: str, parameters: dict[str, str]) -> int:
        """Queue a build of job `name` the way Jenkins requires; return the queue item id.

        A job whose Jenkinsfile declares `parameters {}` is parameterized from its first run
        on, and Jenkins then refuses `POST .../build` (400): it must be started with
        `.../buildWithParameters` (defaults for what is not given). A job that is not
        parameterized refuses `buildWithParameters` (400), so parameters cannot be passed.
        """
        self.require_job(name)
        defined = self.parameter_names(name)
        unknown = sorted(set(parameters) - set(defined))
        if unknown and not defined:
            raise DeliveryError(
                f"job '{name}' takes no parameters yet (Jenkins learns a branch job's "
                "parameters from the Jenkinsfile in its first run): build it once without "
                "--param")
        if unknown:
            raise DeliveryError(f"job '{name}' has no parameter {', '.join(unknown)} "
                                f"(it has {', '.join(defined)})")
        endpoint = "buildWithParameters" if defined else "build"
        with self.errors("start a build", name):
            response = self.server.jenkins_request(requests.Request(
                "POST", self._job_url(name) + endpoint, params=parameters or None))
        return _queue_item_id(response.headers.get("Location", ""), name)

    def parameter_names(self, name: str) -> list[str]:
        """Return the names of the job's build parameters (none: not parameterized)."""
        names = []
        for prop in self.job_info(name).get("property") or []:
            if (prop or {}).get("_class") == PARAMETERS_PROPERTY:
                names += [d["name"] for d in prop.get("parameterDefinitions") or []]
        return names

    def _job_url(self, name: str) -> str:
        """Return the absolute URL of a (folder/)job, ending in '/'."""
        return self.url + "".join(f"job/{quote(part, safe='')}/" for part in name.split("/"))

    def queue_item(self, item: int) -> dict[str, Any]:
        """Return a queue item's JSON description."""
        with self.errors(f"read queue item {item}"):
            return self.server.get_queue_item(item)

    def console_text(self, name: str, number: int) -> str:
        """Return a build's whole console log."""
        with self.errors(f"read the console of build #{number}", name):
            return self.server.get_build_console_output(name, number)

    def console_from(self, name: str, number: int, start: int) -> Console:
        """Return the console log of a build from byte `start` on (progressiveText)."""
        url = f"{self._job_url(name)}{number}/logText/progressiveText"
        with self.errors(f"read the console of build #{number}", name):
            response = self.server.jenkins_request(
                requests.Request("GET", url, params={"start": str(start)}))
        size = int(response.headers.get("X-Text-Size", start + len(response.content)))
        more = response.headers.get("X-More-Data", "").lower() == "true"
        return Console(response.text, size, more)


def _status_of(exc: Exception) -> int | None:
    """Find the HTTP status in a python-jenkins or requests exception."""
    response = getattr(exc, "response", None)
    if response is not None:
        return response.status_code
    match = _STATUS_RE.search(str(exc))
    return int(match.group(1)) if match else None


def _queue_item_id(location: str, job: str) -> int:
    """Return the queue item id from the Location header of a build request."""
    match = _QUEUE_ITEM_RE.search(location)
    if not match:
        raise DeliveryError(f"Jenkins queued a build of '{job}' but named no queue item "
                            f"(Location: {location or 'missing'})")
    return int(match.group(1))


def _not_found(job: str | None, where: str) -> str:
    """Word a missing job."""
    if job is None:
        return f"Jenkins at {where} has no such item"
    return (f"job '{job}' does not exist on Jenkins at {where}: "
            "check --job/--branch, or create it with `focus-delivery jenkins sync`")
