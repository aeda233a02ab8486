"""``--help`` and ``--version`` (issue 7, item 5): every sub-command explains itself with at
least one example, and every example it gives is a command line the parser accepts."""

from __future__ import annotations

import re
import shlex

import pytest

from harness import __version__
from harness.cli import COMMANDS, build_parser, main

#: A harness command line inside an example, up to a shell operator or comment.
EXAMPLE = re.compile(r"(?<![\w/.-])harness(?: [^|&;<>()#\n]*)?")


def help_text(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    with pytest.raises(SystemExit) as raised:
        main([*arguments, "--help"])
    assert raised.value.code == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def examples(text: str) -> list[list[str]]:
    """The harness command lines of the part of ``text`` from its first "example" on."""
    start = text.lower().index("example")
    joined = re.sub(r"\\\n\s*", " ", text[start:])  # shell line continuations
    found = []
    for line in joined.splitlines():
        for match in EXAMPLE.finditer(line):
            words = shlex.split(match.group().strip())
            if len(words) > 1:
                found.append(words[1:])
    return found


@pytest.mark.parametrize("command", COMMANDS)
def test_every_sub_command_s_help_exits_0_with_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = help_text(capsys, command)
    assert text.startswith(f"usage: harness {command}")
    assert "example" in text.lower(), f"harness {command} --help has no example"
    assert examples(text), f"harness {command} --help shows no harness command line as an example"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_is_a_command_line_the_parser_accepts(capsys: pytest.CaptureFixture[str], command: str) -> None:
    found = examples(help_text(capsys, command))
    assert any(words[0] == command for words in found), f"no example of harness {command} runs it"
    for words in found:
        build_parser().parse_args(words)  # exits 2 (failing the test) if it does not parse


def test_the_top_level_help_lists_every_sub_command_and_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    for command in COMMANDS:
        assert re.search(rf"^    {command}\s", text, re.MULTILINE), f"{command} is not listed"
    assert examples(text) == [["run", "--target", "mock", "--report", "report.html"]]


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == f"harness {__version__}\n"
