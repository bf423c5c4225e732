"""The Deployment's container, run in Docker with the flags its securityContext implies.

No Kubernetes cluster can run here, so the image is run by a real Docker engine the way the
kubelet would run deploy/k8s/deployment.yaml: its user, a read-only root, every capability
dropped, no new privileges, the default seccomp profile, its memory limit, the ConfigMap as
environment and a tmpfs for each memory-backed emptyDir. The image must serve, export metrics
from both workers, and stop cleanly through its drain on SIGTERM.
"""

from __future__ import annotations

import json
import time
import urllib.request

import docker
import pytest
import yaml

from tests.conftest import ROOT

K8S = ROOT / "deploy" / "k8s"


def _run_options(deployment: dict, config: dict[str, str]) -> dict:
    """docker-py run() options equivalent to the pod spec's single container."""
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    security = {**pod["securityContext"], **container["securityContext"]}
    memory_volumes = {volume["name"]: volume["emptyDir"] for volume in pod["volumes"]
                      if volume.get("emptyDir", {}).get("medium") == "Memory"}
    tmpfs = {mount["mountPath"]: f"size={memory_volumes[mount['name']]['sizeLimit']},mode=1777"
             .replace("Mi,", "m,")
             for mount in container["volumeMounts"] if mount["name"] in memory_volumes}
    assert security["seccompProfile"]["type"] == "RuntimeDefault"  # Docker's default profile
    return {
        "user": f"{security['runAsUser']}:{security['runAsGroup']}",
        "read_only": security["readOnlyRootFilesystem"],
        "cap_drop": security["capabilities"]["drop"],
        "security_opt": [] if security["allowPrivilegeEscalation"] else ["no-new-privileges"],
        "tmpfs": tmpfs,
        "mem_limit": container["resources"]["limits"]["memory"].replace("Mi", "m"),
        "environment": config,
        "ports": {f"{container['ports'][0]['containerPort']}/tcp": ("127.0.0.1", None)},
    }


def _get(url: str, body: dict | None = None) -> tuple[int, bytes]:
    """One request: status and body."""
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.fixture()
def deployment_container(built_image, docker_client):
    """The built image, run as the Deployment says; removed afterwards."""
    deployment = yaml.safe_load((K8S / "deployment.yaml").read_text())
    config = yaml.safe_load((K8S / "configmap.yaml").read_text())["data"]
    options = _run_options(deployment, config)
    container = docker_client.containers.run(f"{built_image.repository}:{built_image.tags[0]}",
                                             detach=True, **options)
    try:
        yield container, deployment, options
    finally:
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass


def test_the_image_honours_the_deployments_security_context(deployment_container) -> None:
    container, deployment, options = deployment_container
    assert options["read_only"] and options["cap_drop"] == ["ALL"]
    assert options["security_opt"] == ["no-new-privileges"] and "/tmp" in options["tmpfs"]
    container.reload()
    port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if _get(base + "/health")[0] == 200:
                break
        except OSError:
            pass
        container.reload()
        assert container.status == "running", container.logs().decode()[-3000:]
        assert time.monotonic() < deadline, container.logs().decode()[-3000:]
        time.sleep(1)
    status, body = _get(base + "/predict", {"duration_minutes": 20, "mood_before": "stressed"})
    assert status == 200 and json.loads(body)["mood_after"]
    metrics = b""
    for _ in range(20):  # two workers have to answer before both count themselves
        metrics = _get(base + "/metrics")[1]
        if b"focus_workers 2.0" in metrics:
            break
        time.sleep(0.5)
    assert b"focus_workers 2.0" in metrics
    top = container.top(ps_args="-o pid,uid,comm")
    column = top["Titles"].index("UID")
    assert {row[column] for row in top["Processes"]} == {"10001"}, top
    write = container.exec_run(["python", "-c", "open('/app/probe', 'w')"])
    assert write.exit_code != 0 and b"Read-only file system" in write.output
    memory = container.stats(stream=False)["memory_stats"]["usage"] / 2**20
    print(f"\nthe Deployment's container: {memory:.0f} MiB in use after start and a few requests")

    grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    container.stop(timeout=grace)  # SIGTERM, as the kubelet sends after preStop
    container.reload()
    logs = container.logs().decode()
    assert container.attrs["State"]["ExitCode"] == 0, logs[-3000:]
    assert "SIGTERM: draining for 5.0 s" in logs
    assert all(json.loads(line) for line in logs.splitlines() if line.strip())
