"""The README's curl examples: parse them, replay them over HTTP, compare or rewrite answers.

An example is a line starting with `curl ` (continued by trailing backslashes), followed by the
answer it prints as `# ` comment lines: JSON, or with `-i` the status line and the headers that
matter, a `#` line, then JSON. An example with no answer lines only has to succeed.
"""

from __future__ import annotations

import http.client
import json
import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Differ on every training or call, so only their type is checked.
VOLATILE = {"model_version", "timestamp", "recorded_at", "since"}
WIDTH = 96  # README code lines stay within this many characters


@dataclass
class Example:
    """One curl command of the README, where its answer lines are, and what they say."""

    command: str
    method: str = "GET"
    target: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    include_head: bool = False
    answer_lines: tuple[int, int] = (0, 0)  # [start, end) line numbers in the README
    answer: list[str] = field(default_factory=list)


def parse_curl(command: str) -> Example:
    """The request a README curl command sends (only the options the README uses)."""
    words = shlex.split(command.replace("\\\n", " "), comments=True)
    example = Example(command=command)
    method = None
    position = 1
    while position < len(words):
        word = words[position]
        if word in ("-s", "-S", "-sS"):
            pass
        elif word in ("-i", "-si", "-is"):
            example.include_head = True
        elif word == "-H":
            name, _, value = words[position + 1].partition(":")
            example.headers[name.strip()] = value.strip()
            position += 1
        elif word in ("-d", "--data"):
            example.body = words[position + 1].encode()
            position += 1
        elif word == "-o":  # where curl saves the answer: the check only reads it
            position += 1
        elif word == "-X":
            method = words[position + 1]
            position += 1
        elif word.startswith("-"):
            raise ValueError(f"README example uses a curl option this check does not know: "
                             f"{word} in {command!r}")
        else:
            url = urlsplit(word if "://" in word else "http://" + word)
            example.target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        position += 1
    if example.body is not None:
        example.headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    example.method = method or ("POST" if example.body is not None else "GET")
    return example


def _complete(command: str) -> bool:
    """True when a shell command ends here: no trailing backslash, no open quote."""
    if command.rstrip().endswith("\\"):
        return False
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def read_examples(readme: str) -> list[Example]:
    """Every curl example in the README, with the answer lines that follow it."""
    lines = readme.split("\n")
    examples, number = [], 0
    while number < len(lines):
        if not lines[number].startswith("curl "):
            number += 1
            continue
        start = number
        while not _complete("\n".join(lines[start:number + 1])):
            number += 1
        example = parse_curl("\n".join(lines[start:number + 1]))
        number += 1
        first = number
        while number < len(lines) and (lines[number] == "#" or lines[number].startswith("# ")):
            number += 1
        example.answer_lines = (first, number)
        example.answer = [line[2:] for line in lines[first:number]]
        examples.append(example)
    return examples


@dataclass
class Answer:
    """What the server said: status line, headers, decoded JSON body."""

    status_line: str
    headers: dict[str, str]
    body: Any


def replay(example: Example, base: str) -> Answer:
    """Send the example's request to the server at base, as curl would."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(example.method, example.target, body=example.body,
                           headers={"User-Agent": "curl/8", "Accept": "*/*", **example.headers})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    json_answer = response.headers.get("Content-Type", "").startswith("application/json")
    return Answer(f"HTTP/1.1 {response.status} {response.reason}", dict(response.headers),
                  json.loads(raw) if json_answer else raw.decode())


def expected_of(example: Example) -> tuple[str | None, dict[str, str], Any]:
    """The status line, headers and JSON the README prints for an example."""
    lines = example.answer
    status_line, headers = None, {}
    if example.include_head:
        blank = lines.index("") if "" in lines else len(lines)
        status_line = lines[0]
        headers = dict(line.split(": ", 1) for line in lines[1:blank])
        lines = lines[blank + 1:]
    return status_line, headers, json.loads("\n".join(lines))


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where the README's JSON differs from the server's (floats to 1e-12, volatile by type)."""
    key = where.rsplit(".", 1)[-1]
    if key in VOLATILE:
        same = type(expected) is type(actual)
        return [] if same else [f"{where}: {expected!r} has another type than {actual!r}"]
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return [f"{where or 'body'}: keys {sorted(expected)} != {sorted(actual)}"]
        return [problem for name in actual
                for problem in differences(expected[name], actual[name], f"{where}.{name}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items != {len(actual)}"]
        return [problem for index, (mine, theirs) in enumerate(zip(expected, actual))
                for problem in differences(mine, theirs, f"{where}[{index}]")]
    if isinstance(actual, float) and type(expected) is float:
        close = math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-15)
        return [] if close else [f"{where}: {expected!r} != {actual!r}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: {expected!r} != {actual!r}"]
    return []


def render_json(value: Any, indent: int = 0, prefix: str = "") -> list[str]:
    """JSON as the README prints it: one line when it fits, else one member per line."""
    pad = " " * indent
    compact = pad + prefix + json.dumps(value, ensure_ascii=False)
    if len(compact) <= WIDTH or not isinstance(value, (dict, list)) or not value:
        return [compact]
    items = ([(json.dumps(name) + ": ", item) for name, item in value.items()]
             if isinstance(value, dict) else [("", item) for item in value])
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    lines = [pad + prefix + opening]
    for position, (name, item) in enumerate(items):
        inner = render_json(item, indent + 2, name)
        inner[-1] += "," if position < len(items) - 1 else ""
        lines += inner
    return lines + [pad + closing]


def render_answer(example: Example, answer: Answer) -> list[str]:
    """The `# ` lines that print an answer under its example."""
    lines = []
    if example.include_head:
        old_names = expected_of(example)[1] if example.answer else {}
        names = [name for name in old_names if name in answer.headers] or ["Content-Type"]
        lines = [answer.status_line] + [f"{name}: {answer.headers[name]}" for name in names] + [""]
    lines += render_json(answer.body)
    return ["#" if not line else f"# {line}" for line in lines]


def rewrite(readme_path: Path, base: str) -> None:
    """Replace every printed answer in the README by what the server at base says now."""
    lines = readme_path.read_text().split("\n")
    examples = read_examples("\n".join(lines))
    answers = [replay(example, base) for example in examples]  # in order: writes come first
    for example, answer in reversed(list(zip(examples, answers))):
        if example.answer:
            start, end = example.answer_lines
            lines[start:end] = render_answer(example, answer)
    readme_path.write_text("\n".join(lines))
