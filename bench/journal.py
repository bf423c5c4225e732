"""`make bench`, the journal's part: writes per second and reads of a 100,000-session store.

For SQLite (a file) and PostgreSQL (a throwaway cluster, or BENCH_DATABASE_URL's server), it
starts Gunicorn with the project's settings (2 workers) on an empty journal, drives it with wrk:
single POST /sessions and batches of 100 (writes/s), then fills the store to 100,000 sessions
and measures GET /stats and a filtered /sessions page (p50/p99). Prints a table and writes
bench/journal-results.json. Traffic goes to 127.0.0.1 only; every run lasts BENCH_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

from run import (CONNECTIONS, ROOT, SECONDS, free_port, publish, require_wrk, start_gunicorn,
                 stop, wait_listening, wrk)

sys.path.insert(0, str(ROOT))
from sqlalchemy import insert  # noqa: E402

from store.journal import Journal, SessionFilter  # noqa: E402
from store.tables import sessions  # noqa: E402
from tests.pgcluster import Cluster, Databases  # noqa: E402

RESULTS = ROOT / "bench" / "journal-results.json"
KEY = "bench-key"
STORED = 100_000
BATCH = 100
MOODS = ("stressed", "neutral", "anxious", "tired")
AFTER = ("calm", "relaxed", "focused", "energized")
PAGE = "/sessions?mood_before=tired&since=2024-06-01&until=2024-12-31&limit=100&offset=500"


def session(i: int) -> dict[str, Any]:
    """A varied valid session."""
    return {"date": (dt.date(2024, 1, 1) + dt.timedelta(days=i % 365)).isoformat(),
            "duration_minutes": 10 + i % 26, "mood_before": MOODS[i % 4],
            "mood_after": AFTER[(i // 4) % 4]}


def journal_wrk(port: int, path: str, method: str = "GET",
                body: Path | None = None) -> dict[str, float]:
    """One bounded wrk run with the API key (bench/journal.lua)."""
    env = {"METHOD": method, "BODY_FILE": str(body or ""), "API_KEY": KEY}
    return wrk(port, path, "journal.lua", env, timeout_s=10)


def fill(url: str, total: int) -> None:
    """Insert sessions straight into the store until it holds `total`."""
    store = Journal(url)
    missing = total - store.page(SessionFilter(), 0, 1)[0]
    now = dt.datetime.now(dt.timezone.utc)
    with store.engine.begin() as connection:
        for start in range(0, max(missing, 0), 10_000):
            connection.execute(insert(sessions), [
                {**session(i), "date": dt.date.fromisoformat(session(i)["date"]),
                 "recorded_at": now, "source": "api"}
                for i in range(start, min(start + 10_000, missing))])
    store.dispose()


def measure(name: str, url: str, work: Path) -> dict[str, Any]:
    """Writes, then reads at 100,000 sessions, against one backend."""
    store = Journal(url)
    store.upgrade()
    store.dispose()
    bodies = {"single": work / "single.json", "batch": work / "batch.json"}
    bodies["single"].write_text(json.dumps(session(1)))
    bodies["batch"].write_text(json.dumps({"sessions": [session(i) for i in range(BATCH)]}))
    port = free_port()
    server = start_gunicorn("app.wsgi:app", {"DATABASE_URL": url, "API_KEYS": KEY}, port,
                            work / f"{name}.log")
    try:
        wait_listening(port, server, 300)
        single = journal_wrk(port, "/sessions", "POST", bodies["single"])
        batch = journal_wrk(port, "/sessions", "POST", bodies["batch"])
        fill(url, STORED)
        stats = journal_wrk(port, "/stats")
        page = journal_wrk(port, PAGE)
    finally:
        stop(server)
    return {"single_post": {**single, "writes_per_s": round(single["rps"])},
            "batch_post": {**batch, "writes_per_s": round(batch["rps"] * BATCH)},
            "stats": stats, "filtered_page": page}


def backends(work: Path) -> Iterator[tuple[str, str]]:
    """(name, URL) of each backend; the PostgreSQL cluster lives while its run lasts."""
    yield "sqlite", f"sqlite:///{work / 'focus.db'}"
    server = os.environ.get("BENCH_DATABASE_URL")
    cluster = None if server else Cluster().init().start()
    try:
        yield "postgresql", Databases(server or cluster.admin_url).new()
    finally:
        if cluster is not None:
            cluster.remove()


def report(results: dict[str, Any]) -> str:
    """The figures as a table."""
    lines = [f"{'backend':<11} {'run':<14} {'req/s':>8} {'writes/s':>9} {'p50 ms':>8} "
             f"{'p99 ms':>8} {'errors':>6}"]
    for backend, runs in results["backends"].items():
        for run_name, run in runs.items():
            lines.append(f"{backend:<11} {run_name:<14} {run['rps']:>8.0f} "
                         f"{run.get('writes_per_s', ''):>9} {run['p50_ms']:>8.2f} "
                         f"{run['p99_ms']:>8.2f} {run['non_2xx'] + run['socket_errors']:>6}")
    return "\n".join(lines)


def main() -> int:
    """Run the journal benchmark and write bench/journal-results.json."""
    require_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        measured = {name: measure(name, url, work) for name, url in backends(work)}
    results = {"settings": {"workers": 2, "seconds": SECONDS, "connections": CONNECTIONS,
                            "stored_sessions_for_reads": STORED, "batch_size": BATCH,
                            "page": PAGE, "cpus": os.cpu_count()},
               "backends": measured}
    publish(RESULTS, results, report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
