"""A local stand-in for the subset of Jenkins's REST API that python-jenkins calls.

No Jenkins server can be installed on this machine (it is in none of the reachable package
registries), so the delivery tests talk HTTP to this server instead. It answers what the
documented remote access API answers, with bodies shaped like real Jenkins 2.x responses:

- GET  /crumbIssuer/api/json                     crumb; POSTs without it get 403
- GET  /api/json                                 the controller and its top-level jobs
- POST /createItem?name=N  (config.xml body)     create a job; 400 when it exists
- GET|POST /job/N/config.xml                     read / replace a job's configuration
- GET  /job/N[/job/B]/api/json[?tree=...]        multibranch project, branch job, allBuilds
- POST /job/N/job/B/build, .../buildWithParameters   201 + Location of the queue item
- GET  /queue/item/Q/api/json                    WaitingItem first, then LeftItem + executable
- GET  /job/N/job/B/K/api/json                   WorkflowRun: result, timing, causes,
                                                 description, changeSets (git)
- GET  /job/N/job/B/K/consoleText                the console log so far
- GET  /job/N/job/B/K/logText/progressiveText?start=S   with X-Text-Size and X-More-Data
- 401 for an unknown user or wrong API token, 403 for a user without the permission,
  404 (an HTML page, as Jenkins sends) for anything that does not exist.

A triggered build advances one console chunk per request that looks at it, so tests are
deterministic without sleeping.

Where Jenkins's behaviour matters to the pipeline, the stand-in follows the real sources:
- POST .../build on a parameterized branch job is 400 "Nothing is submitted", and
  .../buildWithParameters on one that is not is 400 (core's ParameterizedJobMixIn); a branch
  job gets the parameters its Jenkinsfile declares only once it has run;
- a posted config.xml is stored re-serialized, as XStream writes it back: plugin versions in
  the `plugin` attributes, default elements added, its own declaration and indentation;
- `JenkinsState.index` is a branch indexing of a multibranch project: heads discovered by the
  config's traits (github-branch-source's BranchDiscoveryTrait strategies 1, 2 and 3, origin
  and fork pull request discovery, scm-api's wildcard include/exclude filter), jobs created for
  new heads, and jobs of vanished heads removed by cloudbees-folder's
  DefaultOrphanedItemStrategy (pruneDeadBranches, daysToKeep, numToKeep; never a job with a
  build in progress).
"""
from __future__ import annotations

import base64
import fnmatch
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.etree import ElementTree

RUN = "org.jenkinsci.plugins.workflow.job.WorkflowRun"
BRANCH_JOB = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
MULTIBRANCH = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
CRUMB_FIELD = "Jenkins-Crumb"
PAGE_404 = ("<html><head><title>Error 404 Not Found</title></head><body>"
            "<h2>HTTP ERROR 404 Not Found</h2></body></html>")
COLORS = {"SUCCESS": "blue", "FAILURE": "red", "UNSTABLE": "yellow", "ABORTED": "aborted",
          None: "notbuilt"}


@dataclass
class Commit:
    """A git commit as the Git plugin lists it in a change set."""

    commit_id: str
    timestamp_ms: int
    msg: str = "change"

    def to_json(self) -> dict[str, Any]:
        """Return the GitChangeSet JSON of this commit."""
        date = time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(self.timestamp_ms / 1000))
        return {"_class": "hudson.plugins.git.GitChangeSet", "affectedPaths": ["app/api.py"],
                "commitId": self.commit_id, "timestamp": self.timestamp_ms,
                "author": {"absoluteUrl": "http://jenkins/user/dev", "fullName": "Dev"},
                "authorEmail": "dev@example.com", "comment": self.msg + "\n", "date": date,
                "id": self.commit_id, "msg": self.msg,
                "paths": [{"editType": "edit", "file": "app/api.py"}]}


@dataclass
class Run:
    """One build of a branch job."""

    number: int
    result: str | None
    timestamp_ms: int
    duration_ms: int = 0
    description: str | None = None
    cause: str = "Branch indexing"
    commits: list[Commit] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)
    revealed: int = 0
    parameters: dict[str, str] = field(default_factory=dict)
    queue_id: int = 0

    @property
    def building(self) -> bool:
        """Tell whether console chunks remain to be written."""
        return self.revealed < len(self.chunks)

    def advance(self) -> None:
        """Write the next console chunk (the build makes progress)."""
        if self.building:
            self.revealed += 1
            if not self.building:
                self.duration_ms = int(time.time() * 1000) - self.timestamp_ms

    def log(self) -> bytes:
        """Return the console log written so far."""
        return "".join(self.chunks[:self.revealed]).encode("utf-8")


@dataclass
class BranchJob:
    """A branch (or PR) job of a multibranch project.

    `declares` are the parameters its Jenkinsfile's `parameters {}` declares (the repository's
    Jenkinsfile declares ADMIN_EMAIL); as in Jenkins, the job has them (`definitions`, the
    ParametersDefinitionProperty) only once a build has run that Jenkinsfile.
    """

    name: str
    runs: dict[int, Run] = field(default_factory=dict)
    next_chunks: list[str] = field(default_factory=lambda: ["Started\n", "Finished: SUCCESS\n"])
    next_result: str = "SUCCESS"
    declares: dict[str, str] = field(default_factory=lambda: {"ADMIN_EMAIL": ""})
    definitions: dict[str, str] = field(default_factory=dict)

    @property
    def next_number(self) -> int:
        """Return the number the next build gets."""
        return max(self.runs, default=0) + 1


@dataclass
class Project:
    """A multibranch pipeline project: its config.xml and its branch jobs."""

    name: str
    config_xml: str
    branches: dict[str, BranchJob] = field(default_factory=dict)


@dataclass(frozen=True)
class PullRequest:
    """An open pull request on GitHub: number, source and target branch, from a fork or not."""

    number: int
    source: str
    target: str
    fork: bool = False


PLUGIN_VERSIONS = {"workflow-multibranch": "795.ve0cb_1f45ca_9a_",
                   "branch-api": "2.1214.v3f652804588d", "cloudbees-folder": "6.999.v42253c105443",
                   "github-branch-source": "1815.v9152b_2ff7a_1b_", "scm-api": "704.v3ce5c542825a_"}
FOLDER_DEFAULTS = ('<org.jenkinsci.plugins.docker.workflow.declarative.FolderConfig '
                   'plugin="docker-workflow@611.v16e84da_6d3ff"><dockerLabel></dockerLabel>'
                   '<registry plugin="docker-commons@451.vd12c371eeeb_3"/>'
                   '</org.jenkinsci.plugins.docker.workflow.declarative.FolderConfig>')


def reserialize(config_xml: str) -> str:
    """Return a posted job config as Jenkins stores and serves it back (XStream's output)."""
    root = ElementTree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", config_xml))
    for element in root.iter():
        plugin = element.get("plugin")
        if plugin and "@" not in plugin:
            element.set("plugin", f"{plugin}@{PLUGIN_VERSIONS.get(plugin, '1.0')}")
    properties = root.find("properties")
    if properties is not None and not len(properties):
        properties.append(ElementTree.fromstring(FOLDER_DEFAULTS))
    for source in root.iter("source"):
        if source.find("apiUri") is None:
            api = ElementTree.Element("apiUri")
            api.text = "https://api.github.com"
            source.insert(1, api)
    ElementTree.indent(root, "  ")
    return "<?xml version='1.1' encoding='UTF-8'?>\n" + ElementTree.tostring(root, "unicode")


@dataclass
class QueueItem:
    """A queued build request."""

    item_id: int
    project: str
    branch: str
    parameters: dict[str, str]
    polls: int = 0
    number: int | None = None
    cancel: bool = False


class JenkinsState:
    """Everything the stand-in knows: users, projects, queue, and the requests it saw."""

    def __init__(self) -> None:
        """Start with one admin user, one read-only user and no jobs."""
        self.tokens = {"alice": "alice-api-token-123", "reader": "reader-token-456"}
        self.read_only = {"reader"}
        self.crumb = "5f1e4c0ffee"
        self.projects: dict[str, Project] = {}
        self.queue: dict[int, QueueItem] = {}
        self.requests: list[tuple[str, str]] = []
        self.broken_paths: set[str] = set()
        self.lock = threading.Lock()
        self.base = ""

    def add_project(self, name: str, config_xml: str = "<project/>",
                    branches: tuple[str, ...] = ()) -> Project:
        """Create a multibranch project with empty branch jobs."""
        project = Project(name, config_xml, {b: BranchJob(b) for b in branches})
        self.projects[name] = project
        return project

    def index(self, name: str, branches: list[str], pulls: list[PullRequest],
              now_ms: int) -> list[str]:
        """Run a branch indexing of project `name` over the repository's heads.

        Creates a job for every head its config discovers, and removes the orphaned jobs its
        orphaned item strategy prunes; returns the names of the removed jobs.
        """
        project = self.projects[name]
        root = ElementTree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", project.config_xml))
        heads = discovered_heads(root, branches, pulls)
        for head in heads:
            project.branches.setdefault(head, BranchJob(head))
        orphaned = [job for job in project.branches.values() if job.name not in heads]
        removed = pruned(root.find("orphanedItemStrategy"), orphaned, now_ms)
        for job in removed:
            del project.branches[job.name]
        return [job.name for job in removed]

    def writes(self) -> list[tuple[str, str]]:
        """Return the POST requests received, in order."""
        return [r for r in self.requests if r[0] == "POST"]


def _trait(root: ElementTree.Element, suffix: str) -> ElementTree.Element | None:
    """Return the source trait whose element name ends with `suffix`."""
    return next((t for t in root.iterfind(".//traits/*") if t.tag.endswith(suffix)), None)


def discovered_heads(root: ElementTree.Element, branches: list[str],
                     pulls: list[PullRequest]) -> list[str]:
    """Return the head names a GitHub branch source with these traits discovers."""
    heads = []
    branch_trait = _trait(root, ".BranchDiscoveryTrait")
    if branch_trait is not None:
        strategy = int(branch_trait.findtext("strategyId", "1"))
        filed = {pr.source for pr in pulls if not pr.fork}
        for branch in branches:
            # strategy 1 excludes branches filed as origin PRs, 2 keeps only them, 3 keeps all
            if strategy == 3 or (strategy == 1) == (branch not in filed):
                heads.append(branch)
    origin = _trait(root, ".OriginPullRequestDiscoveryTrait") is not None
    forks = _trait(root, ".ForkPullRequestDiscoveryTrait") is not None
    heads += [f"PR-{pr.number}" for pr in pulls if (forks if pr.fork else origin)]
    wildcard = _trait(root, ".WildcardSCMHeadFilterTrait")
    if wildcard is not None:
        includes = (wildcard.findtext("includes") or "").split()
        excludes = (wildcard.findtext("excludes") or "").split()
        heads = [h for h in heads if any(fnmatch.fnmatchcase(h, p) for p in includes)
                 and not any(fnmatch.fnmatchcase(h, p) for p in excludes)]
    return heads


def pruned(strategy: ElementTree.Element | None, orphaned: list[BranchJob],
           now_ms: int) -> list[BranchJob]:
    """Return the orphaned jobs DefaultOrphanedItemStrategy deletes."""
    if strategy is None or strategy.findtext("pruneDeadBranches") != "true":
        return []
    days = int(strategy.findtext("daysToKeep") or -1)
    keep = int(strategy.findtext("numToKeep") or -1)

    def last_build_ms(job: BranchJob) -> int:
        return job.runs[max(job.runs)].timestamp_ms if job.runs else 0

    candidates = sorted((job for job in orphaned
                         if not any(run.building for run in job.runs.values())),
                        key=last_build_ms, reverse=True)
    removed = []
    if keep != -1:
        removed, candidates = candidates[keep:], candidates[:keep]
    if days != -1:
        removed += [job for job in candidates if last_build_ms(job) <= now_ms - days * 86_400_000]
    if days == -1 and keep == -1:
        removed = candidates
    return removed


def _json(handler: "Handler", status: int, body: Any) -> None:
    """Send a JSON answer."""
    handler.reply(status, json.dumps(body).encode(), "application/json;charset=utf-8")


class Handler(BaseHTTPRequestHandler):
    """Route one request to the part of the API it names."""

    server: "StandinServer"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""

    @property
    def state(self) -> JenkinsState:
        """Return the shared state."""
        return self.server.state

    def reply(self, status: int, body: bytes, content_type: str = "text/html;charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        """Send a complete answer."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Jenkins", "2.462.3")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def not_found(self) -> None:
        """Answer 404 with Jenkins's HTML page."""
        self.reply(404, PAGE_404.encode())

    def user(self) -> str | None:
        """Return the authenticated user; answer 401 and return None on bad credentials."""
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            name, _, token = base64.b64decode(header[6:]).decode().partition(":")
            if self.state.tokens.get(name) == token:
                return name
            body = f"<html><body>Invalid password/token for user: {name}</body></html>"
        else:
            body = "<html><body>Authentication required</body></html>"
        self.reply(401, body.encode(), headers={"WWW-Authenticate": 'Basic realm="Jenkins"'})
        return None

    def do_GET(self) -> None:
        """Answer a GET."""
        self.handle_method("GET")

    def do_POST(self) -> None:
        """Answer a POST (after checking the crumb and the write permission)."""
        self.handle_method("POST")

    def handle_method(self, method: str) -> None:
        """Authenticate, check crumb and permission, then route."""
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.state.lock:
            self.state.requests.append((method, url.path))
            user = self.user()
            if user is None:
                return
            if method == "POST" and self.headers.get(CRUMB_FIELD) != self.state.crumb:
                self.reply(403, b"<html><body>No valid crumb was included in the request"
                                b"</body></html>")
                return
            if method == "POST" and user in self.state.read_only:
                self.reply(403, f"<html><body>{user} is missing the Job/Configure permission"
                                "</body></html>".encode())
                return
            if url.path in self.state.broken_paths:
                self.reply(500, b"<html><body>java.lang.NullPointerException</body></html>")
                return
            self.route(method, url.path, parse_qs(url.query), body)

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        """Dispatch by path."""
        parts = [unquote(p) for p in path.strip("/").split("/") if p]
        if parts == ["crumbIssuer", "api", "json"] and method == "GET":
            return _json(self, 200, {"_class": "hudson.security.csrf.DefaultCrumbIssuer",
                                     "crumb": self.state.crumb,
                                     "crumbRequestField": CRUMB_FIELD})
        if parts == ["api", "json"] and method == "GET":
            return _json(self, 200, self.controller_json())
        if parts == ["createItem"] and method == "POST":
            return self.create_item(query.get("name", [""])[0], body)
        if len(parts) == 5 and parts[:2] == ["queue", "item"] and parts[3:] == ["api", "json"]:
            return self.queue_item(int(parts[2]))
        if parts[:1] == ["job"]:
            return self.job_route(method, parts, query, body)
        self.not_found()

    def controller_json(self) -> dict[str, Any]:
        """Return the controller's top-level JSON."""
        return {"_class": "hudson.model.Hudson", "mode": "NORMAL", "numExecutors": 2,
                "nodeDescription": "the Jenkins controller's built-in node",
                "useSecurity": True,
                "jobs": [{"_class": MULTIBRANCH, "name": n, "url": self.job_url(n)}
                         for n in self.state.projects]}

    def job_url(self, project: str, branch: str | None = None) -> str:
        """Return the absolute URL of a project or branch job."""
        url = f"{self.state.base}/job/{quote(project, safe='')}/"
        return url + (f"job/{quote(branch, safe='')}/" if branch else "")

    def create_item(self, name: str, body: bytes) -> None:
        """Create a job from a posted config.xml."""
        if name in self.state.projects:
            return self.reply(400, f"A job already exists with the name ‘{name}’".encode())
        self.state.add_project(name, reserialize(body.decode("utf-8")))
        self.reply(200, b"")

    def queue_item(self, item_id: int) -> None:
        """Answer a queue item: waiting on the first look, then left with its build."""
        item = self.state.queue.get(item_id)
        if item is None:
            return self.not_found()
        item.polls += 1
        task = {"_class": BRANCH_JOB, "name": item.branch,
                "url": self.job_url(item.project, item.branch), "color": "blue"}
        common = {"actions": [{"_class": "hudson.model.CauseAction", "causes": [
            {"_class": "hudson.model.Cause$UserIdCause",
             "shortDescription": "Started by user alice", "userId": "alice"}]}],
            "blocked": False, "buildable": False, "id": item_id,
            "inQueueSince": 1700000000000, "params": "", "stuck": False, "task": task,
            "url": f"queue/item/{item_id}/"}
        if item.polls == 1 and not item.cancel:
            return _json(self, 200, {"_class": "hudson.model.Queue$WaitingItem", **common,
                                     "timestamp": 1700000005000,
                                     "why": "In the quiet period. Expires in 4.9 sec"})
        if item.cancel:
            return _json(self, 200, {"_class": "hudson.model.Queue$LeftItem", **common,
                                     "cancelled": True, "executable": None})
        if item.number is None:
            item.number = self.start_run(item)
        run_url = self.job_url(item.project, item.branch) + f"{item.number}/"
        _json(self, 200, {"_class": "hudson.model.Queue$LeftItem", **common, "cancelled": False,
                          "executable": {"_class": RUN, "number": item.number, "url": run_url}})

    def start_run(self, item: QueueItem) -> int:
        """Turn a queue item into a running build of its branch job."""
        job = self.state.projects[item.project].branches[item.branch]
        job.definitions = dict(job.declares)  # the Jenkinsfile's properties step runs
        number = job.next_number
        job.runs[number] = Run(number, job.next_result, int(time.time() * 1000),
                               cause="Started by user alice", chunks=list(job.next_chunks),
                               parameters=item.parameters, queue_id=item.item_id)
        return number

    def job_route(self, method: str, parts: list[str], query: dict[str, list[str]],
                  body: bytes) -> None:
        """Route /job/P[/job/B]/... requests."""
        project = self.state.projects.get(parts[1]) if len(parts) > 1 else None
        if project is None:
            return self.not_found()
        rest = parts[2:]
        if rest[:1] == ["job"] and len(rest) > 1:
            job = project.branches.get(rest[1])
            if job is None:
                return self.not_found()
            return self.branch_route(method, project, job, rest[2:], query)
        if rest == ["api", "json"] and method == "GET":
            return _json(self, 200, self.project_json(project, query))
        if rest == ["config.xml"]:
            if method == "POST":
                project.config_xml = reserialize(body.decode("utf-8"))
                return self.reply(200, b"")
            return self.reply(200, project.config_xml.encode(), "application/xml")
        self.not_found()

    def project_json(self, project: Project, query: dict[str, list[str]]) -> dict[str, Any]:
        """Return a multibranch project's JSON (only its name for ?tree=name)."""
        if query.get("tree") == ["name"]:
            return {"_class": MULTIBRANCH, "name": project.name}
        return {"_class": MULTIBRANCH, "actions": [{}], "description": "pipeline",
                "displayName": project.name, "fullDisplayName": project.name,
                "fullName": project.name, "name": project.name,
                "url": self.job_url(project.name), "healthReport": [],
                "jobs": [{"_class": BRANCH_JOB, "name": b.name,
                          "url": self.job_url(project.name, b.name),
                          "color": COLORS.get(self.last_result(b), "blue")}
                         for b in project.branches.values()],
                "primaryView": {"_class": "jenkins.branch.MultiBranchProjectViewHolder$ViewImpl",
                                "name": "default", "url": self.job_url(project.name)},
                "sources": [{}]}

    @staticmethod
    def last_result(job: BranchJob) -> str | None:
        """Return the result of the job's newest build."""
        return job.runs[max(job.runs)].result if job.runs else None

    def branch_route(self, method: str, project: Project, job: BranchJob, rest: list[str],
                     query: dict[str, list[str]]) -> None:
        """Route requests under a branch job."""
        if rest == ["api", "json"] and method == "GET":
            return _json(self, 200, self.branch_json(project, job, query))
        if rest in (["build"], ["buildWithParameters"]) and method == "POST":
            return self.trigger(project, job, rest[0], query)
        if rest and rest[0].isdigit() and int(rest[0]) in job.runs:
            return self.run_route(project, job, job.runs[int(rest[0])], rest[1:], query)
        self.not_found()

    def branch_json(self, project: Project, job: BranchJob,
                    query: dict[str, list[str]]) -> dict[str, Any]:
        """Return a branch job's JSON; builds lists the newest 100, as Jenkins does."""
        url = self.job_url(project.name, job.name)
        refs = [{"_class": RUN, "number": n, "url": f"{url}{n}/"}
                for n in sorted(job.runs, reverse=True)]
        if query.get("tree") == ["name"]:
            return {"_class": BRANCH_JOB, "name": job.name}
        if query.get("tree") == ["allBuilds[number,url]"]:
            return {"_class": BRANCH_JOB, "allBuilds": refs}
        return {"_class": BRANCH_JOB, "actions": [{}], "description": None,
                "displayName": job.name, "fullDisplayName": f"{project.name} » {job.name}",
                "fullName": f"{project.name}/{job.name}", "name": job.name, "url": url,
                "buildable": True, "builds": refs[:100],
                "color": COLORS.get(self.last_result(job), "blue"),
                "firstBuild": refs[-1] if refs else None, "healthReport": [],
                "inQueue": False, "keepDependencies": False,
                "lastBuild": refs[0] if refs else None,
                "nextBuildNumber": job.next_number, "property": self.properties_json(job),
                "queueItem": None,
                "concurrentBuild": False, "resumeBlocked": False}

    @staticmethod
    def properties_json(job: BranchJob) -> list[dict[str, Any]]:
        """Return a branch job's properties: its parameter definitions once it has them."""
        properties: list[dict[str, Any]] = [
            {"_class": "org.jenkinsci.plugins.workflow.multibranch.BranchJobProperty"}]
        if job.definitions:
            definitions = [
                {"_class": "hudson.model.StringParameterDefinition",
                 "defaultParameterValue": {"_class": "hudson.model.StringParameterValue",
                                           "name": name, "value": default},
                 "description": "", "name": name, "type": "StringParameterDefinition"}
                for name, default in job.definitions.items()]
            properties.append({"_class": "hudson.model.ParametersDefinitionProperty",
                               "parameterDefinitions": definitions})
        return properties

    def trigger(self, project: Project, job: BranchJob, how: str,
                query: dict[str, list[str]]) -> None:
        """Queue a build: 201 with the queue item's URL in Location.

        As core's ParameterizedJobMixIn: a parameterized job refuses POST /build (its form
        submission is missing: 400 "Nothing is submitted"), a job that is not parameterized
        refuses /buildWithParameters (400); buildWithParameters takes the defined parameters
        from the request, defaults for the others, and ignores undefined names.
        """
        if how == "build" and job.definitions:
            return self.reply(400, b"<html><body>Nothing is submitted</body></html>")
        if how == "buildWithParameters" and not job.definitions:
            return self.reply(400, f"<html><body>{project.name}/{job.name} is not "
                                   "parameterized</body></html>".encode())
        params = {name: query.get(name, [default])[0]
                  for name, default in job.definitions.items()}
        item_id = max(self.state.queue, default=100) + 1
        self.state.queue[item_id] = QueueItem(item_id, project.name, job.name, params)
        self.reply(201, b"", headers={"Location": f"{self.state.base}/queue/item/{item_id}/"})

    def run_route(self, project: Project, job: BranchJob, run: Run, rest: list[str],
                  query: dict[str, list[str]]) -> None:
        """Answer build info, console text and progressive text."""
        if rest == ["api", "json"]:
            run.advance()
            return _json(self, 200, self.run_json(project, job, run))
        if rest == ["consoleText"]:
            return self.reply(200, run.log(), "text/plain;charset=utf-8")
        if rest == ["logText", "progressiveText"]:
            run.advance()
            start = int(query.get("start", ["0"])[0])
            log = run.log()
            headers = {"X-Text-Size": str(len(log))}
            if run.building:
                headers["X-More-Data"] = "true"
            return self.reply(200, log[start:], "text/plain;charset=utf-8", headers)
        self.not_found()

    def run_json(self, project: Project, job: BranchJob, run: Run) -> dict[str, Any]:
        """Return a WorkflowRun's JSON."""
        url = self.job_url(project.name, job.name) + f"{run.number}/"
        actions: list[dict[str, Any]] = [
            {"_class": "hudson.model.CauseAction",
             "causes": [{"_class": "jenkins.branch.BranchEventCause",
                         "shortDescription": run.cause}]}]
        if run.parameters:
            actions.append({"_class": "hudson.model.ParametersAction", "parameters": [
                {"_class": "hudson.model.StringParameterValue", "name": k, "value": v}
                for k, v in run.parameters.items()]})
        actions += [{}, {"_class": "org.jenkinsci.plugins.workflow.job.views.FlowGraphAction"}]
        change_sets = [{"_class": "hudson.plugins.git.GitChangeSetList", "kind": "git",
                        "items": [c.to_json() for c in run.commits]}] if run.commits else []
        return {"_class": RUN, "actions": actions, "artifacts": [], "building": run.building,
                "description": run.description, "displayName": f"#{run.number}",
                "duration": 0 if run.building else run.duration_ms,
                "estimatedDuration": 120000, "executor": {} if run.building else None,
                "fullDisplayName": f"{project.name} » {job.name} #{run.number}",
                "id": str(run.number), "keepLog": False, "number": run.number,
                "queueId": run.queue_id, "result": None if run.building else run.result,
                "timestamp": run.timestamp_ms, "url": url, "changeSets": change_sets,
                "culprits": [], "inProgress": run.building, "nextBuild": None,
                "previousBuild": None}


class StandinServer(ThreadingHTTPServer):
    """The HTTP server of the stand-in, bound to 127.0.0.1 on a free port."""

    daemon_threads = True

    def __init__(self, state: JenkinsState) -> None:
        """Bind and remember the state."""
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state
        state.base = f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        return self.state.base + "/"
