"""The README shows what the server says: its curl examples replayed against real Gunicorn.

`README_EXAMPLES=write pytest tests/e2e/test_readme_examples.py` rewrites the printed answers
from a real run instead of comparing them (then review the diff).
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import ContextManager, Iterator

import pytest

from tests.conftest import ROOT
from tests.e2e.conftest import Http, Server, serving
from tests.e2e.readme_examples import (Example, differences, expected_of, read_examples, replay,
                                       rewrite)

README = ROOT / "README.md"
EXAMPLES = read_examples(README.read_text())


def served(trained_dir: Path, dataset_path: Path) -> ContextManager[Server]:
    """A real server with the README's API key and a fresh journal (the examples write to it)."""
    return serving(trained_dir, dataset_path, env={"API_KEYS": "change-me"})


@pytest.fixture(scope="module")
def readme_server(trained_dir: Path, dataset_path: Path) -> Iterator[Http]:
    """The server the examples are checked against; in write mode the README's answers are
    first regenerated from another, fresh one."""
    if os.environ.get("README_EXAMPLES") == "write":
        with served(trained_dir, dataset_path) as server:
            rewrite(README, server.http.base)
    with served(trained_dir, dataset_path) as server:
        yield server.http


def test_the_readme_has_examples_of_every_endpoint() -> None:
    targets = {example.target.split("?")[0] for example in EXAMPLES}
    assert {"/", "/health", "/livez", "/sessions", "/stats", "/predict", "/recommend", "/model",
            "/openapi.json"} <= targets


def current(command: str) -> Example:
    """The example with this command as the README holds it now (write mode changes it)."""
    return next(mine for mine in read_examples(README.read_text()) if mine.command == command)


@pytest.mark.parametrize("command", [example.command for example in EXAMPLES],
                         ids=[example.command.split("\n")[0][8:60] for example in EXAMPLES])
def test_readme_example_matches_the_server(readme_server: Http, command: str) -> None:
    example = current(command)
    answer = replay(example, readme_server.base)
    if not example.answer:
        assert answer.status_line.split()[1].startswith("2"), answer.status_line
        return
    status_line, headers, body = expected_of(example)
    if status_line is not None:
        assert status_line == answer.status_line
        assert {name: answer.headers.get(name) for name in headers} == headers
    problems = differences(body, answer.body)
    assert not problems, (f"README's answer to {example.command!r} differs from the server "
                          f"(README_EXAMPLES=write regenerates it):\n" + "\n".join(problems))


def test_recommend_example_prints_every_field(readme_server: Http) -> None:
    example = current(next(example.command for example in EXAMPLES
                           if example.target == "/recommend"))
    assert set(expected_of(example)[2]) == set(replay(example, readme_server.base).body)


def test_readme_says_which_address_the_server_binds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    bind = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"]
    api_section = README.read_text().split("## The API", 1)[1].split("\n## ", 1)[0]
    assert f"binds `{bind}`" in api_section
