"""`focus-delivery --help` documents every command."""
from __future__ import annotations

import pytest

from delivery.cli import cli, main

COMMANDS = [["jenkins", "sync"], ["jenkins", "build"], ["jenkins", "status"],
            ["jenkins", "metrics"], ["image", "build"], ["image", "smoke"], ["image", "push"],
            ["image", "verify"], ["image", "sbom"], ["image", "tag"], ["image", "digest"],
            ["image", "clean"], ["report"], ["notify"]]


def test_top_level_help_lists_every_group_and_command(runner):
    result = runner.invoke(cli, ["--help"])
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == ["image", "jenkins", "notify", "report"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {' '.join(command)} [OPTIONS]")
    assert len(result.stdout.split("Options:")[0].strip().splitlines()) >= 3


@pytest.mark.parametrize("group,expected", [
    ("jenkins", ["build", "metrics", "status", "sync"]),
    ("image", ["build", "clean", "digest", "push", "sbom", "smoke", "tag", "verify"]),
])
def test_groups_list_their_commands(runner, group, expected):
    result = runner.invoke(cli, [group, "--help"])
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
              if line.strip()]
    assert listed == expected


def test_main_runs_as_focus_delivery(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["focus-delivery", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("Usage: focus-delivery [OPTIONS] COMMAND")
