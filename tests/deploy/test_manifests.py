"""The Kubernetes manifests: valid against the API schemas offline, and consistent with the app."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml")) + sorted((K8S / "example").glob("*.yaml"))


def _validate(*paths: Path) -> subprocess.CompletedProcess:
    """kubernetes-validate --strict (bundled schemas, no cluster, no network)."""
    command = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    assert command, "kubernetes-validate is missing: `make install` installs it"
    return subprocess.run([command, "--strict", *map(str, paths)], capture_output=True,
                          text=True)


def _documents() -> dict[str, dict]:
    """Every manifest document, keyed by kind/name."""
    documents = {}
    for path in MANIFESTS:
        for document in yaml.safe_load_all(path.read_text()):
            documents[f"{document['kind']}/{document['metadata']['name']}"] = document
    return documents


def test_every_manifest_is_valid_in_strict_mode() -> None:
    done = _validate(*MANIFESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    kinds = {key.split("/")[0] for key in _documents()}
    assert kinds >= {"Deployment", "Service", "HorizontalPodAutoscaler",
                     "PodDisruptionBudget", "ConfigMap", "Secret"}


def test_strict_validation_refuses_an_unknown_field(tmp_path: Path) -> None:
    broken = tmp_path / "deployment.yaml"
    broken.write_text((K8S / "deployment.yaml").read_text()
                      .replace("revisionHistoryLimit: 5", "revisionHistoryLimt: 5"))
    assert _validate(broken).returncode != 0


def test_the_deployment_follows_the_issue() -> None:
    documents = _documents()
    deployment = documents["Deployment/focus-meditation-agent"]["spec"]
    config = documents["ConfigMap/focus-meditation-agent"]["data"]
    pod = deployment["template"]["spec"]
    [container] = pod["containers"]
    assert deployment["replicas"] == 2
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert "startupProbe" in container
    security = container["securityContext"]
    assert security["runAsUser"] == 10001 and security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert security["seccompProfile"]["type"] == "RuntimeDefault"
    assert container["lifecycle"]["preStop"]["exec"]["command"] == [
        "sleep", config["DRAIN_SECONDS"]]
    memory_volumes = {volume["name"] for volume in pod["volumes"]
                      if volume.get("emptyDir", {}).get("medium") == "Memory"}
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]
              if mount["name"] in memory_volumes}
    assert any(config["PROMETHEUS_MULTIPROC_DIR"].startswith(path + "/") for path in mounts)
    grace = int(config["DRAIN_SECONDS"]) * 2 + 20  # preStop + drain + graceful_timeout
    assert pod["terminationGracePeriodSeconds"] > grace


def test_the_scraped_headless_service_selects_the_pods() -> None:
    documents = _documents()
    labels = documents["Deployment/focus-meditation-agent"]["spec"]["template"]["metadata"][
        "labels"]
    headless = documents["Service/focus-meditation-agent-pods"]["spec"]
    assert headless["clusterIP"] == "None" and headless["selector"].items() <= labels.items()
    scrape = (ROOT / "deploy" / "monitoring" / "prometheus.yml").read_text()
    assert "focus-meditation-agent-pods.focus.svc" in scrape
