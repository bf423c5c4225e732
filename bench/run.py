"""`make bench`: /predict under wrk against a bare-Flask ceiling, same Gunicorn settings.

Starts Gunicorn (the project's gunicorn.conf.py, 2 workers) once for the real app and once for
bench/ceiling.py, drives each with wrk at 16 and 64 connections with a single-prediction body
and a batch-of-1000 body, prints every figure and the ratios ours/ceiling, and writes
bench/results.json. Traffic goes to 127.0.0.1 only; every run is bounded by BENCH_SECONDS.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WORKERS = 2
CONNECTIONS = (16, 64)
SINGLE = {"duration_minutes": 20, "mood_before": "stressed"}
BATCH = {"instances": [{"duration_minutes": 10 + i % 26,
                        "mood_before": ("stressed", "neutral", "anxious", "tired")[i % 4]}
                       for i in range(1000)]}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: str, port: int, log: Path) -> subprocess.Popen:
    """Gunicorn with the project's settings, bound to 127.0.0.1:port."""
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(WORKERS)}
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--pythonpath", str(ROOT / "bench"), target]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def wait_listening(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until the server accepts a POST, or fail."""
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(f"http://127.0.0.1:{port}/predict",
                                     data=json.dumps(SINGLE).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a server this script started, by its PID."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _milliseconds(text: str) -> float:
    """'1.23ms' / '850.00us' / '1.02s' in milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, p50 and p99 latency and error counts from wrk --latency output."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _milliseconds(percentiles["50"]),
        "p99_ms": _milliseconds(percentiles["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def run_wrk(port: int, body_file: Path, connections: int) -> dict[str, float]:
    """One bounded wrk run against POST /predict."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--timeout", "5s",
               "--latency", "-s", str(ROOT / "bench" / "post.lua"),
               f"http://127.0.0.1:{port}/predict"]
    output = subprocess.run(command, env={**os.environ, "BODY_FILE": str(body_file)},
                            capture_output=True, text=True, check=True,
                            timeout=SECONDS + 30).stdout
    return parse_wrk(output)


def worker_memory(master: int) -> list[dict[str, float]]:
    """RSS and PSS (shared pages split between sharers) of each worker, in MiB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    workers = []
    for pid in children:
        fields = dict(re.findall(r"^(\w+):\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup")
                                 .read_text(), re.MULTILINE))
        workers.append({"pid": int(pid), "rss_mib": round(int(fields["Rss"]) / 1024, 1),
                        "pss_mib": round(int(fields["Pss"]) / 1024, 1)})
    return workers


def measure(bodies: dict[str, Path], work: Path) -> dict[str, Any]:
    """Both servers up at once; each (body, connections) run on the ceiling, then on ours.

    Alternating keeps both sides under the same machine conditions when the load on it drifts.
    """
    targets = {"ceiling": "ceiling:app", "ours": "app.wsgi:app"}
    servers: dict[str, tuple[int, subprocess.Popen]] = {}
    try:
        for name, target in targets.items():
            port = free_port()
            servers[name] = port, start_gunicorn(target, port, work / f"{name}.log")
            wait_listening(port, servers[name][1])
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for body_name, body_file in bodies.items():
            for connections in CONNECTIONS:
                for name, (port, _) in servers.items():
                    if connections == CONNECTIONS[0]:
                        run_wrk(port, body_file, connections)  # warm-up, not recorded
                    result = run_wrk(port, body_file, connections)
                    runs[name].append({"body": body_name, "connections": connections,
                                       **result})
        return {name: {"runs": runs[name], "workers": worker_memory(server.pid)}
                for name, (_, server) in servers.items()}
    finally:
        for _, server in servers.values():
            stop(server)


def ratios(ours: list[dict], ceiling: list[dict]) -> list[dict[str, Any]]:
    """Ours divided by the ceiling for throughput and p99, run by run."""
    paired = []
    for mine, theirs in zip(ours, ceiling):
        paired.append({"body": mine["body"], "connections": mine["connections"],
                       "throughput_ratio": round(mine["rps"] / theirs["rps"], 3),
                       "p99_ratio": round(mine["p99_ms"] / theirs["p99_ms"], 3)})
    return paired


def report(results: dict[str, Any]) -> str:
    """The figures as a table."""
    lines = [f"{'target':<9} {'body':<7} {'conns':>5} {'req/s':>9} {'pred/s':>10} "
             f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"]
    for target in ("ceiling", "ours"):
        for run in results[target]["runs"]:
            per_request = 1000 if run["body"] == "batch" else 1
            predictions = "" if target == "ceiling" else f"{run['rps'] * per_request:.0f}"
            lines.append(
                f"{target:<9} {run['body']:<7} {run['connections']:>5} {run['rps']:>9.0f} "
                f"{predictions:>10} "
                f"{run['p50_ms']:>8.2f} {run['p99_ms']:>8.2f} "
                f"{run['non_2xx'] + run['socket_errors']:>6}")
    lines.append("")
    for pair in results["ratios"]:
        lines.append(f"ours/ceiling {pair['body']:<6} @{pair['connections']:>2}: throughput "
                     f"{pair['throughput_ratio']:.3f}x, p99 {pair['p99_ratio']:.3f}x")
    for target in ("ceiling", "ours"):
        memory = ", ".join(f"RSS {w['rss_mib']} MiB / PSS {w['pss_mib']} MiB"
                           for w in results[target]["workers"])
        lines.append(f"{target} workers: {memory}")
    return "\n".join(lines)


def main() -> int:
    """Run the benchmark and write bench/results.json."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench` (it installs Debian's wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bodies = {"single": work / "single.json", "batch": work / "batch.json"}
        bodies["single"].write_text(json.dumps(SINGLE))
        bodies["batch"].write_text(json.dumps(BATCH))
        measured = measure(bodies, work)
    our_runs = measured["ours"]["runs"]
    results = {
        "settings": {"workers": WORKERS, "seconds": SECONDS, "connections": CONNECTIONS,
                     "cpus": os.cpu_count(), "wrk_threads": 2},
        **measured,
        "ratios": ratios(our_runs, measured["ceiling"]["runs"]),
        "batch_predictions_per_s": {str(run["connections"]): round(run["rps"] * 1000)
                                    for run in our_runs if run["body"] == "batch"},
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
