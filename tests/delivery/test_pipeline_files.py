"""The pipeline files keep their contract: Jenkinsfile, workflows and scripts call only make
targets that exist, and the Jenkinsfile, workflows and Dockerfile have the shape the delivery
issue asks for.

No Jenkins server or GitHub runner can run on this machine, so these checks read the files;
`make delivery-lint` adds actionlint, a Groovy parse of the Jenkinsfile and hadolint, and
`make delivery-check` runs every make target the Jenkinsfile calls against a real Docker
engine and registry."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JENKINSFILE = ROOT / "Jenkinsfile"
WORKFLOWS = ROOT / ".github" / "workflows"
DOCKERFILE = ROOT / "Dockerfile"
CLI_COMMANDS = ("focus-agent", "focus-delivery")

_RULE = re.compile(r"^([A-Za-z0-9_.\- ]+?)\s*:(?!=)", re.MULTILINE)
_SH_STEP = re.compile(r"\bsh\s*(?:\(\s*script\s*:\s*)?(['\"]{1,3})(.*?)\1", re.DOTALL)
_MAKE_CALL = re.compile(r"(?:^|[;&|(]\s*|\s)make\s+([^;&|)\n]*)")


def makefile_rules() -> dict[str, set[str]]:
    """Every explicit target of the Makefile with its prerequisites (recipes left out)."""
    rules: dict[str, set[str]] = {}
    for line in (ROOT / "Makefile").read_text("utf-8").splitlines():
        match = _RULE.match(line)
        if match and not line.startswith("\t"):
            rest = line[match.end():].split("##")[0].replace("|", " ")
            for target in match.group(1).split():
                rules.setdefault(target, set()).update(rest.split())
    return rules


def makefile_targets() -> set[str]:
    """Every explicit target of the Makefile (rule lines, not recipes or assignments)."""
    return set(makefile_rules())


def with_prerequisites(targets: set[str]) -> set[str]:
    """The targets and, recursively, every target they depend on."""
    rules, seen, todo = makefile_rules(), set(), list(targets)
    while todo:
        target = todo.pop()
        if target not in seen:
            seen.add(target)
            todo.extend(rules.get(target, ()))
    return seen


def makefile_recipe(target: str) -> str:
    """The recipe lines of one Makefile rule."""
    text = (ROOT / "Makefile").read_text("utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, f"no rule for {target}"
    return match.group(1)


def make_targets_in(command: str) -> list[str]:
    """The make targets a shell command line names (options, VAR=value, redirections out)."""
    targets = []
    for match in _MAKE_CALL.finditer(command):
        for word in match.group(1).split():
            if word.startswith(("-", "$", ">", "2>", "<", "&")) or "=" in word:
                continue
            targets.append(word)
    return targets


def jenkins_sh_steps() -> list[tuple[str, str]]:
    """Every `sh` step of the Jenkinsfile as (quote, command)."""
    return [(m.group(1), m.group(2).strip()) for m in _SH_STEP.finditer(JENKINSFILE.read_text())]


def delivery_check_commands() -> list[str]:
    """The command lines of scripts/delivery-check.sh that run make (comments left out)."""
    text = (ROOT / "scripts" / "delivery-check.sh").read_text("utf-8")
    return [line.replace('"$MAKE"', "make") for line in text.splitlines()
            if '"$MAKE"' in line and not line.lstrip().startswith("#")]


def workflow(name: str) -> dict[str, Any]:
    """A workflow file parsed as YAML (YAML 1.1 reads the key `on` as True)."""
    doc = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def workflow_steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """All the steps of all the jobs of a workflow."""
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def stage_names() -> list[str]:
    """The Jenkinsfile's stage names, in order."""
    return re.findall(r"stage\('([^']+)'\)", JENKINSFILE.read_text("utf-8"))


def stage_body(name: str) -> str:
    """The Jenkinsfile text from a stage's header to the next stage's header."""
    text = JENKINSFILE.read_text("utf-8")
    start = text.index(f"stage('{name}')")
    following = text.find("stage('", start + 1)
    return text[start:following if following > 0 else len(text)]


def test_jenkinsfile_sh_steps_are_single_quoted() -> None:
    """Groovy never interpolates into a shell command, so secrets stay with the shell."""
    steps = jenkins_sh_steps()
    assert steps, "no sh step found in the Jenkinsfile"
    assert [command for quote, command in steps if quote != "'"] == []


def test_jenkinsfile_sh_steps_call_make_or_the_cli() -> None:
    """Every sh step runs a make target or the project's CLI, nothing else."""
    others = [command for _, command in jenkins_sh_steps()
              if not command.startswith(("make ",) + CLI_COMMANDS)]
    assert others == []


@pytest.mark.parametrize("source", ["Jenkinsfile", "lint.yml", "test.yml", "delivery-check.sh"])
def test_every_make_target_named_exists(source: str) -> None:
    """A make target named by Jenkins, a workflow or delivery-check is defined in the Makefile."""
    if source == "Jenkinsfile":
        commands = [command for _, command in jenkins_sh_steps()]
    elif source == "delivery-check.sh":
        commands = delivery_check_commands()
    else:
        commands = [step["run"] for step in workflow_steps(workflow(source)) if "run" in step]
    named = [target for command in commands for target in make_targets_in(command)]
    assert named, f"{source} names no make target"
    assert sorted(set(named) - makefile_targets()) == []


def test_ci_runs_every_make_target_jenkins_and_the_workflows_call() -> None:
    """CI runs `make test` and delivery-check, which with their prerequisites run each target
    the Jenkinsfile and the workflows call: nothing in Jenkins or Actions goes untried."""
    tried = with_prerequisites({"test"} | {target for command in delivery_check_commands()
                                           for target in make_targets_in(command)})
    called = {target for _, command in jenkins_sh_steps() for target in make_targets_in(command)}
    for name in ("lint.yml", "test.yml"):
        called |= {target for step in workflow_steps(workflow(name)) if "run" in step
                   for target in make_targets_in(step["run"])}
    assert called
    assert sorted(called - tried) == []


@pytest.mark.parametrize(("target", "command"), [
    ("image", "image build"), ("smoke", "image smoke"), ("sbom", "image sbom"),
    ("push", "image push"), ("image-verify", "image verify"), ("image-tag", "image tag"),
    ("image-digest", "image digest"), ("image-clean", "image clean"), ("notify", "notify"),
])
def test_image_targets_run_the_delivery_tool(target: str, command: str) -> None:
    """One implementation: the make targets Jenkins and CI call run `focus-delivery`."""
    assert re.search(re.escape(f"$(DELIVERY) {command}") + r"(\s|$)", makefile_recipe(target))


def test_no_script_drives_the_image_itself() -> None:
    """The scripts keep to machine set-up (engine, base, registry, lints, orchestration);
    building, running and pushing the image is focus-delivery's alone."""
    pattern = re.compile(r"\bdocker\s+(build|run|push|pull|login|tag|rmi)\b")
    offenders = [f"{path.name}: {line.strip()}" for path in sorted((ROOT / "scripts").rglob("*.sh"))
                 for line in path.read_text("utf-8").splitlines()
                 if pattern.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


def test_jenkinsfile_has_the_required_options() -> None:
    """Timestamps, a timeout, a build discarder and no concurrent builds."""
    text = JENKINSFILE.read_text("utf-8")
    for option in ("timestamps()", "timeout(", "buildDiscarder(", "disableConcurrentBuilds()"):
        assert option in text, option


def test_jenkinsfile_stages_are_in_delivery_order() -> None:
    """Checkout, install, lint, test, train, build, smoke, push, then the description."""
    assert stage_names() == ["Checkout", "Install", "Lint", "Test", "Train & Gate",
                             "Build Image", "Smoke Test", "Push to Docker Hub", "Describe"]


def test_jenkinsfile_pushes_only_master_and_pull_requests_into_it() -> None:
    """The push stage is guarded by branch master or a change request targeting master."""
    body = stage_body("Push to Docker Hub")
    assert "branch 'master'" in body
    assert "changeRequest target: 'master'" in body
    assert "credentials('dockerhub-creds')" in body


def test_jenkinsfile_passes_registry_credentials_only_to_make_push() -> None:
    """One way to pass registry credentials: the stage binds them and `make push` (focus-delivery
    image push) logs in through the engine's API; no docker login writes them to disk."""
    body = stage_body("Push to Docker Hub")
    assert "DOCKERHUB = credentials('dockerhub-creds')" in body
    assert re.findall(r"sh '([^']*)'", body) == ["make push"]
    assert "DOCKER_CONFIG" not in body


def test_no_make_target_runs_docker_login() -> None:
    """`docker login` would store the token in a Docker config file; nothing runs it."""
    text = (ROOT / "Makefile").read_text("utf-8")
    assert "docker login" not in text
    assert "registry-login" not in makefile_targets()


def test_jenkinsfile_describes_the_build_with_image_digest_and_accuracy() -> None:
    """The description names the image, the pushed digest (metrics count deployments by it)
    and the model's accuracy."""
    body = stage_body("Describe")
    for target in ("image-tag", "image-digest", "model-accuracy"):
        assert f"sh(script: 'make -s {target}'" in body, target
    assert '| digest ${digest}' in body


@pytest.mark.parametrize("path", ["Jenkinsfile", "docs/delivery.md", "docs/releasing.md"])
def test_recipients_are_admin_email_everywhere(path: str) -> None:
    """One name for the recipients: ADMIN_EMAIL, as `focus-delivery notify` reads it."""
    text = (ROOT / path).read_text("utf-8")
    assert "ADMIN_EMAIL" in text
    assert "ADMIN_EMAILS" not in text


@pytest.mark.parametrize("path", ["docs/delivery.md", "docs/releasing.md",
                                  "delivery/jobs.py", "delivery/cli_jenkins.py"])
def test_github_credentials_id_is_github_creds_everywhere(path: str) -> None:
    """The Jenkins credentials that scan GitHub have one id, github-creds."""
    text = (ROOT / path).read_text("utf-8")
    assert "github-creds" in text
    assert "github-token" not in text


def test_jenkinsfile_publishes_tests_and_archives_model_and_sbom() -> None:
    """JUnit and coverage in the test stage's post; manifest, card and SBOM archived."""
    assert re.search(r"always\s*\{\s*junit ", stage_body("Test"))
    assert "recordCoverage(" in stage_body("Test")
    assert "model/artifacts/model.json" in stage_body("Train & Gate")
    assert "model/artifacts/MODEL_CARD.md" in stage_body("Train & Gate")
    assert "sbom.cdx.json" in stage_body("Build Image")


def post_section() -> str:
    """The Jenkinsfile's pipeline-level post section."""
    return JENKINSFILE.read_text("utf-8").rsplit("\n    post {", 1)[1]


@pytest.mark.parametrize("condition", ["success", "failure", "fixed", "unstable", "aborted"])
def test_jenkinsfile_mails_every_outcome(condition: str) -> None:
    """The post section e-mails the admins whatever the result, the timeout's ABORTED too."""
    assert re.search(condition + r"\s*\{[^}]*notifyAdmins\(", post_section()), condition
    assert "emailext(" in JENKINSFILE.read_text("utf-8")


def test_jenkinsfile_starts_each_build_clean() -> None:
    """reports/ and model/artifacts/ are deleted before anything else, so a build that fails
    early never reports (or mails) the image, tests or model of the build before it."""
    body = stage_body("Checkout")
    reports = body.index("dir('reports') { deleteDir() }")
    artifacts = body.index("dir('model/artifacts') { deleteDir() }")
    assert max(reports, artifacts) < body.index("checkout scm")
    assert stage_names()[0] == "Checkout"


def test_jenkinsfile_takes_git_commit_and_url_from_the_checkout() -> None:
    """skipDefaultCheckout() + checkout scm exports neither; the checkout's map has both."""
    body = stage_body("Checkout")
    assert re.search(r"def (\w+) = checkout scm", body)
    variable = re.search(r"def (\w+) = checkout scm", body).group(1)
    assert f"env.GIT_COMMIT = {variable}.GIT_COMMIT" in body
    assert f"env.GIT_URL = {variable}.GIT_URL" in body


def test_the_always_block_writes_the_summary_first_and_without_the_venv() -> None:
    """The summary is written on every path: first in post { always }, by a make target that
    does not depend on `make install`, with a fallback when there is no Makefile at all."""
    always = post_section().split("always {", 1)[1]
    assert always.index("writeSummary()") < always.index("make image-clean")
    text = JENKINSFILE.read_text("utf-8")
    helper = text[text.index("def writeSummary()"):text.index("pipeline {")]
    assert "fileExists('Makefile')" in helper and "writeFile file: 'reports/summary.html'" in helper
    assert "install" not in with_prerequisites({"report"})
    assert "install" not in with_prerequisites({"image-clean"})


def _make(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run make in the repository with no venv at all (VENV points nowhere usable) and, for the
    report, a python3 without site-packages: the standard library alone."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("BUILD_", "GIT_", "JOB_", "BRANCH_"))}
    environment.update(env)
    return subprocess.run(["make", "-s", *args, "VENV=/dev/null/no-venv",
                           "REPORT_PYTHON=python3 -S"], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_make_report_writes_the_summary_without_a_venv(tmp_path: Path) -> None:
    """As after a failed `make install`: the summary is still written, from python3 alone."""
    done = _make("report", f"REPORTS={tmp_path}", f"ARTIFACTS={tmp_path}/none",
                 tmp_path=tmp_path, BUILD_RESULT="FAILURE", BUILD_NUMBER="42")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "summary.txt").read_text().splitlines()[0] == (
        "focus-meditation-agent #42: FAILURE")
    assert "<!DOCTYPE html>" in (tmp_path / "summary.html").read_text()


def test_a_failed_builds_summary_names_no_image_of_another_build(tmp_path: Path) -> None:
    """A record left in the workspace by build #41 is not build #42's image."""
    (tmp_path / "image.json").write_text(json.dumps({
        "repository": "acme/focus-meditation-agent", "tags": ["41", "0ld0ld0"],
        "digest": "sha256:01d", "build_number": "41"}))
    done = _make("report", f"REPORTS={tmp_path}", f"ARTIFACTS={tmp_path}/none",
                 tmp_path=tmp_path, BUILD_RESULT="FAILURE", BUILD_NUMBER="42")
    summary = (tmp_path / "summary.txt").read_text()
    assert done.returncode == 0, done.stderr
    assert "Image:    not available (the image record is of build #41)" in summary
    assert "sha256:01d" not in summary


def test_make_image_clean_without_a_venv_has_nothing_to_clean(tmp_path: Path) -> None:
    """No venv means no image was built: the always-block's clean-up must not fail on it."""
    done = _make("image-clean", f"REPORTS={tmp_path}", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing to clean" in done.stdout


def test_the_docs_say_what_the_job_discovers() -> None:
    """The job config builds master, test, dev and origin pull requests (PR-N), no fork PRs
    and no feature branches as such; docs/delivery.md and docs/gitflow.md say the same."""
    template = (ROOT / "delivery" / "templates" / "job-config.xml").read_text("utf-8")
    assert "ForkPullRequestDiscoveryTrait" not in template
    assert "<includes>${branches}</includes>" in template
    delivery = (ROOT / "docs" / "delivery.md").read_text("utf-8")
    assert "Pull requests from forks are not built" in delivery
    assert "from forks with" not in delivery
    gitflow = (ROOT / "docs" / "gitflow.md").read_text("utf-8")
    assert "Jenkins also builds `dev`, `test` and feature branches" not in gitflow
    assert "feature branches are not built as branches" in gitflow


@pytest.mark.parametrize("name", ["lint.yml", "test.yml"])
def test_workflow_runs_only_make_targets(name: str) -> None:
    """Each run step is a single make call; the rest are uses: steps."""
    runs = [step["run"] for step in workflow_steps(workflow(name)) if "run" in step]
    assert runs
    assert [run for run in runs if not re.fullmatch(r"make [a-z][a-z -]*", run.strip())] == []


@pytest.mark.parametrize("name", ["lint.yml", "test.yml"])
def test_workflow_is_least_privilege_and_cancels_stale_runs(name: str) -> None:
    """Read-only token and one run per ref, the older one cancelled."""
    doc = workflow(name)
    assert doc["permissions"] == {"contents": "read"}
    assert doc["concurrency"]["cancel-in-progress"] is True


@pytest.mark.parametrize("name", ["lint.yml", "test.yml"])
def test_workflow_uses_python_311_with_pip_cache(name: str) -> None:
    """actions/setup-python with Python 3.11 and the pip cache."""
    setups = [step for step in workflow_steps(workflow(name))
              if step.get("uses", "").startswith("actions/setup-python@")]
    assert len(setups) == 1
    assert str(setups[0]["with"]["python-version"]) == "3.11"
    assert setups[0]["with"]["cache"] == "pip"


def test_lint_workflow_runs_on_dev_with_flake8_and_hadolint() -> None:
    """Pushes to dev (and pull requests into dev) run make lint and make hadolint."""
    doc = workflow("lint.yml")
    assert doc["on"]["push"]["branches"] == ["dev"]
    assert doc["on"]["pull_request"]["branches"] == ["dev"]
    runs = [step.get("run") for step in workflow_steps(doc)]
    assert "make lint" in runs and "make hadolint" in runs


def test_test_workflow_runs_on_pull_requests_to_test_and_uploads_reports() -> None:
    """Pull requests into test run make test and upload reports/ even when tests fail."""
    doc = workflow("test.yml")
    assert list(doc["on"]) == ["pull_request"]
    assert doc["on"]["pull_request"]["branches"] == ["test"]
    uploads = [step for step in workflow_steps(doc)
               if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert uploads[0]["with"]["path"].rstrip("/") == "reports"
    assert uploads[0]["if"] == "always()"


def test_dockerfile_every_stage_starts_from_python_image_arg() -> None:
    """Every FROM uses ARG PYTHON_IMAGE, which defaults to python:3.11-slim."""
    text = DOCKERFILE.read_text("utf-8")
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert len(froms) >= 2
    assert set(froms) == {"${PYTHON_IMAGE}"}
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.MULTILINE)
    assert text.index("ARG PYTHON_IMAGE") < text.index("FROM ")


def test_dockerfile_runtime_is_non_root_with_python_healthcheck() -> None:
    """The last stage runs as a numeric non-root user, checks health with Python, exec CMD."""
    runtime = DOCKERFILE.read_text("utf-8").rsplit("\nFROM ", 1)[1]
    user = re.search(r"^USER\s+(\d+)(?::(\d+))?$", runtime, re.MULTILINE)
    assert user and user.group(1) != "0"
    assert re.search(r'^HEALTHCHECK .*\n?.*CMD \["python"', runtime, re.MULTILINE)
    assert re.search(r'^CMD \["focus-agent", "serve"\]$', runtime, re.MULTILINE)  # execs Gunicorn
    assert re.search(r"^EXPOSE 5000$", runtime, re.MULTILINE)
    for label in ("source", "revision", "created", "version"):
        assert f"org.opencontainers.image.{label}=" in runtime, label


def test_dockerfile_installs_requirements_before_copying_code() -> None:
    """Requirements are installed before app/ and model/ are copied (layer caching)."""
    text = DOCKERFILE.read_text("utf-8")
    assert text.index("pip install -r requirements.txt") < text.index("COPY app/")
    assert text.index("COPY app/") < text.index("focus-agent train")


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    """The context is an allow-list; local artifacts and caches are excluded again."""
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    assert "model/artifacts/" in lines
    assert not any(line.startswith("!") and (".git" in line or ".venv" in line) for line in lines)


def test_make_targets_of_the_delivery_section_are_documented() -> None:
    """Each delivery target carries a `## description` for `make help`."""
    text = (ROOT / "Makefile").read_text("utf-8")
    section = text[text.index("# Delivery:"):]
    rules = re.findall(r"^([a-z][a-z-]*):(?!=)(.*)$", section, re.MULTILINE)
    assert rules
    assert [name for name, rest in rules if "## " not in rest] == []


def test_test_workflow_takes_registry_and_database_from_service_containers() -> None:
    """GitHub's way: registry:2 and postgres as services, named by REGISTRY_URL and
    TEST_DATABASE_URL for the tests (no apt-get of a registry or a database server)."""
    job = workflow("test.yml")["jobs"]["test"]
    images = {name: service["image"].split(":")[0] for name, service in job["services"].items()}
    assert images == {"registry": "registry", "postgres": "postgres"}
    assert job["env"]["REGISTRY_URL"] == "localhost:5000"
    assert job["env"]["TEST_DATABASE_URL"].startswith("postgresql://")
    assert "localhost:5432/" in job["env"]["TEST_DATABASE_URL"]


def test_only_the_shared_helper_calls_apt_get() -> None:
    """Installing goes through scripts/lib/common.sh (root, or sudo -n, else one line): no
    Makefile recipe, script or .ci/run calls apt-get itself (base-image.sh's one call runs
    inside the chroot it builds)."""
    files = [ROOT / "Makefile", ROOT / ".ci" / "run", *sorted((ROOT / "scripts").rglob("*.sh"))]
    offenders = [f"{path.relative_to(ROOT)}: {line.strip()}" for path in files
                 if path.name != "common.sh"
                 for line in path.read_text("utf-8").splitlines()
                 if re.search(r"\bapt-get\s+(install|update)", line)
                 and not line.lstrip().startswith("#")]
    assert offenders == []


def test_ci_runs_make_test_as_an_unprivileged_user_without_sudo() -> None:
    """.ci/run installs the system tools as root, then runs the README's make test as a user
    in the docker group that has no sudo, in a copy of the checkout it owns."""
    text = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "as_ci_user make --no-print-directory -C \"$COPY\" test" in text
    assert "runuser -u \"$CI_USER\"" in text
    assert "if as_ci_user sudo -n true" in text
    assert "--groups docker" in text
    assert text.index("step system system") < text.index("step test unprivileged_test") \
        < text.index("step delivery delivery")


def test_jenkinsfile_lint_runs_npm_groovy_lint_pinned_in_package_lock() -> None:
    """npm-groovy-lint lints the Jenkinsfile in make delivery-lint, at the version the lock
    file pins (Node 20 and Java 17 run version 15)."""
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    version = lock["packages"]["node_modules/npm-groovy-lint"]["version"]
    assert version.startswith("15.")
    assert json.loads((ROOT / "package.json").read_text("utf-8"))["devDependencies"][
        "npm-groovy-lint"] == version
    assert "jenkinsfile-lint" in with_prerequisites({"delivery-lint"})
    assert "node-deps" in with_prerequisites({"jenkinsfile-lint"})
    assert "\"$linter\" --noserver --failon info" in (
        ROOT / "scripts" / "lint-pipelines.sh").read_text("utf-8")
