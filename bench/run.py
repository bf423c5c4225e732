"""`make bench`: /predict under wrk, both worker classes, keep-alive and not, metrics on and off.

Starts, all at once and each with the project's gunicorn.conf.py (2 workers, preload), the
bare-Flask ceiling (bench/ceiling.py) and the real app under the sync and the gthread worker
class, the real app also with METRICS=off. wrk then drives each with a single-prediction body
over keep-alive connections and with `Connection: close`, and a batch of 1000 over keep-alive;
runs alternate between servers so a drift in the machine's load hits all alike. It prints
every figure, the ratios the issues ask for, each server's memory, and writes
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
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARM_UP_SECONDS = 3
WORKERS = 2
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SINGLE = {"duration_minutes": 20, "mood_before": "stressed"}
BATCH = {"instances": [{"duration_minutes": 10 + i % 26,
                        "mood_before": ("stressed", "neutral", "anxious", "tired")[i % 4]}
                       for i in range(1000)]}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
# name: (WSGI target, environment); "ours" serves with metrics unless METRICS=off.
SERVERS = {
    "ceiling sync": ("ceiling:app", {"WORKER_CLASS": "sync"}),
    "ceiling gthread": ("ceiling:app", {"WORKER_CLASS": "gthread"}),
    "ours sync": ("app.wsgi:app", {"WORKER_CLASS": "sync"}),
    "ours sync, no metrics": ("app.wsgi:app", {"WORKER_CLASS": "sync", "METRICS": "off"}),
    "ours gthread": ("app.wsgi:app", {"WORKER_CLASS": "gthread"}),
    "ours gthread, no metrics": ("app.wsgi:app", {"WORKER_CLASS": "gthread", "METRICS": "off"}),
}
MODES = {"keep-alive": [], "close": ["-H", "Connection: close"]}
BATCH_SERVERS = ("ceiling gthread", "ours gthread", "ours sync")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: str, env: dict[str, str], port: int,
                   log: Path) -> subprocess.Popen:
    """Gunicorn with the project's settings, bound to 127.0.0.1:port."""
    env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(WORKERS)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server gets its own
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
               "--pythonpath", str(ROOT / "bench"), target]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def wait_listening(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
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
    """Stop a server this script started, by its PID (SIGINT: no drain period needed here)."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _milliseconds(text: str) -> float:
    """'1.23ms' / '850.00us' / '1.02s' in milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * UNITS[unit]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, p50 and p99 latency and error counts from wrk --latency output."""
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "Requests/sec" not in output or len(percentiles) != 2:
        raise SystemExit(f"unexpected wrk output:\n{output}")
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


def wrk(port: int, path: str, script: str, env: dict[str, str], options: Iterable[str] = (),
        seconds: int = SECONDS, timeout_s: int = 5) -> dict[str, float]:
    """One bounded wrk run against 127.0.0.1:port/path, with a Lua script of bench/."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", f"{timeout_s}s",
               "--latency", *options, "-s", str(ROOT / "bench" / script),
               f"http://127.0.0.1:{port}{path}"]
    output = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                            check=True, timeout=seconds + 60).stdout
    return parse_wrk(output)


def run_wrk(port: int, body_file: Path, mode: str, seconds: int = SECONDS) -> dict[str, float]:
    """One bounded wrk run against POST /predict."""
    return wrk(port, "/predict", "post.lua", {"BODY_FILE": str(body_file)}, MODES[mode],
               seconds)


def process_memory(pid: int) -> dict[str, float]:
    """RSS and PSS (shared pages split between sharers) of one process, in MiB."""
    fields = dict(re.findall(r"^(\w+):\s+(\d+) kB",
                             Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE))
    return {"pid": pid, "rss_mib": round(int(fields["Rss"]) / 1024, 1),
            "pss_mib": round(int(fields["Pss"]) / 1024, 1)}


def server_memory(master: int) -> dict[str, Any]:
    """Memory of the master and of each worker; the PSS sum is what the pod really uses."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    processes = [process_memory(master), *(process_memory(int(pid)) for pid in children)]
    return {"master": processes[0], "workers": processes[1:],
            "pss_total_mib": round(sum(p["pss_mib"] for p in processes), 1)}


def measure(bodies: dict[str, Path], work: Path) -> dict[str, Any]:
    """Every server up at once; each run goes round all servers before the next run."""
    servers: dict[str, tuple[int, subprocess.Popen]] = {}
    try:
        for name, (target, env) in SERVERS.items():
            port = free_port()
            log = work / (re.sub(r"\W+", "-", name) + ".log")
            servers[name] = port, start_gunicorn(target, env, port, log)
        for name, (port, process) in servers.items():
            wait_listening(port, process)
            run_wrk(port, bodies["single"], "keep-alive", WARM_UP_SECONDS)  # not recorded
        runs: list[dict[str, Any]] = []
        for mode in MODES:
            for name, (port, _) in servers.items():
                runs.append({"server": name, "body": "single", "mode": mode,
                             **run_wrk(port, bodies["single"], mode)})
        for name in BATCH_SERVERS:
            runs.append({"server": name, "body": "batch", "mode": "keep-alive",
                         **run_wrk(servers[name][0], bodies["batch"], "keep-alive")})
        memory = {name: server_memory(process.pid) for name, (_, process) in servers.items()}
        return {"runs": runs, "memory": memory}
    finally:
        for _, process in servers.values():
            stop(process)


def figure(runs: list[dict], server: str, mode: str, body: str = "single") -> float:
    """Requests/s of one run."""
    return next(run["rps"] for run in runs
                if (run["server"], run["mode"], run["body"]) == (server, mode, body))


def ratios(runs: list[dict]) -> dict[str, float]:
    """The ratios the issues set targets for."""
    sync_ceiling = max(figure(runs, "ceiling sync", mode) for mode in MODES)
    result = {"gthread keep-alive / sync ceiling (target >= 1.2)":
              figure(runs, "ours gthread", "keep-alive") / sync_ceiling}
    for worker in ("sync", "gthread"):
        for mode in MODES:
            ours = figure(runs, f"ours {worker}", mode)
            result[f"{worker} {mode}: ours / ceiling, same class (target >= 0.9)"] = \
                ours / figure(runs, f"ceiling {worker}", mode)
            result[f"{worker} {mode}: metrics on / off"] = \
                ours / figure(runs, f"ours {worker}, no metrics", mode)
    return {name: round(value, 3) for name, value in result.items()}


def report(results: dict[str, Any]) -> str:
    """The figures as tables."""
    lines = [f"{'server':<26} {'body':<7} {'mode':<11} {'req/s':>8} {'pred/s':>9} "
             f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"]
    for run in results["runs"]:
        per_request = 1000 if run["body"] == "batch" else 1
        predictions = "" if run["server"].startswith("ceiling") else \
            f"{run['rps'] * per_request:.0f}"
        lines.append(f"{run['server']:<26} {run['body']:<7} {run['mode']:<11} "
                     f"{run['rps']:>8.0f} {predictions:>9} {run['p50_ms']:>7.2f} "
                     f"{run['p99_ms']:>7.2f} {run['non_2xx'] + run['socket_errors']:>6}")
    lines.append("")
    lines += [f"{name}: {value:.3f}x" for name, value in results["ratios"].items()]
    lines.append("")
    for name, memory in results["memory"].items():
        workers = ", ".join(f"{w['rss_mib']}/{w['pss_mib']}" for w in memory["workers"])
        lines.append(f"{name:<26} MiB RSS/PSS master {memory['master']['rss_mib']}/"
                     f"{memory['master']['pss_mib']}, workers {workers}; "
                     f"PSS total {memory['pss_total_mib']}")
    return "\n".join(lines)


def require_wrk() -> None:
    """Stop with one line when wrk is not installed."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench` (it installs Debian's wrk)")


def publish(path: Path, results: dict[str, Any], table: str) -> None:
    """Write the results as JSON to `path`, then print the table and where they went."""
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    print(f"\nwritten to {path.relative_to(ROOT)}")


def main() -> int:
    """Run the benchmark and write bench/results.json."""
    require_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bodies = {"single": work / "single.json", "batch": work / "batch.json"}
        bodies["single"].write_text(json.dumps(SINGLE))
        bodies["batch"].write_text(json.dumps(BATCH))
        measured = measure(bodies, work)
    results = {
        "settings": {"workers": WORKERS, "seconds": SECONDS, "connections": CONNECTIONS,
                     "cpus": os.cpu_count(), "wrk_threads": 2,
                     "servers": {name: env for name, (_, env) in SERVERS.items()}},
        **measured,
        "ratios": ratios(measured["runs"]),
    }
    publish(RESULTS, results, report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
