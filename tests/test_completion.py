"""``harness completion bash|zsh|fish`` (issue 7, item 5): scripts generated from the
command line's own parser, exercised in the real shells (zsh and fish when installed)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.cli import COMMANDS, build_parser, main
from harness.cli.completion import describe, render_bash, render_fish, render_zsh

IDS = ["detective:StartMonitoringMember", "networkflowmonitor:CreateScope"]


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def bash_completions(source: str, line: str, *, cwd: Path | None = None) -> list[str]:
    """What Tab offers after ``line`` in bash with ``source`` loaded."""
    program = (
        f"{source}\n"
        f"COMP_LINE={_quote(line)}; COMP_POINT=${{#COMP_LINE}}; COMPREPLY=()\n"
        "_harness_complete\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, check=True, cwd=cwd)
    return [word for word in out.stdout.splitlines() if word]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


# --------------------------------------------------------------------------- bash


@pytest.fixture
def bash(capsys: pytest.CaptureFixture[str]) -> str:
    return script("bash", capsys)


def test_bash_completes_the_sub_commands(bash: str) -> None:
    assert bash_completions(bash, "harness ") == list(COMMANDS)
    assert bash_completions(bash, "harness r") == ["run", "report"]


def test_bash_completes_the_options_of_each_sub_command(bash: str) -> None:
    options = bash_completions(bash, "harness run --")
    assert {"--target", "--provider-states", "--operation", "--max-examples", "--report", "--config"} <= set(options)
    assert bash_completions(bash, "harness run --ta") == ["--target"]
    assert bash_completions(bash, "harness list --f") == ["--format"]
    assert bash_completions(bash, "harness --v") == ["--version"]


def test_bash_completes_choices_and_operation_ids(bash: str) -> None:
    assert bash_completions(bash, "harness list --format ") == ["text", "json"]
    assert bash_completions(bash, "harness completion ") == ["bash", "zsh", "fish"]
    assert bash_completions(bash, "harness run --operation ") == IDS
    assert bash_completions(bash, "harness validate net") == ["networkflowmonitor:CreateScope"]


def test_bash_completes_an_id_after_its_colon(bash: str) -> None:
    """Bash splits words at ':' (COMP_WORDBREAKS): only the part after the colon is offered."""
    assert bash_completions(bash, "harness run --operation detective:Start") == ["StartMonitoringMember"]


def test_bash_completes_file_names_where_a_file_is_expected(bash: str, tmp_path: Path) -> None:
    (tmp_path / "results-1.json").write_text("{}")
    (tmp_path / "results-2.json").write_text("{}")
    assert sorted(bash_completions(bash, "harness report res", cwd=tmp_path)) == ["results-1.json", "results-2.json"]
    assert bash_completions(bash, "harness run --report results-1", cwd=tmp_path) == ["results-1.json"]
    assert bash_completions(bash, "harness run --target ", cwd=tmp_path) == []  # a URL, not a file


# --------------------------------------------------------------------------- zsh and fish


#: Drives an interactive zsh in a pseudo-terminal (zsh/zpty): types LINE and Tab, and writes
#: every candidate the completion adds to OUT.  Usage: zsh -f DRIVER SCRIPT OUT LINE
ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT='> '; autoload -U compinit; compinit -u -d ${2}.dump; source ${1}"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; print -u2 -l -- "CAND:${^__hits[@]}"; builtin compadd "$@"; }'
zpty -w z "exec 2>${2}"
zpty -w -n z "${3}"$'\t'
zpty -w z $'\C-a\C-k'"print -u2 __DONE__"
for i in {1..100}; do grep -q __DONE__ ${2} 2>/dev/null && break; sleep 0.1; done
zpty -d z
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_commands_options_and_choices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "_harness"
    file.write_text(script("zsh", capsys))
    subprocess.run(["zsh", "-n", str(file)], check=True)
    driver = tmp_path / "driver.zsh"
    driver.write_text(ZSH_DRIVER)

    def complete(line: str) -> list[str]:
        out = tmp_path / "candidates"
        out.unlink(missing_ok=True)
        subprocess.run(["zsh", "-f", str(driver), str(file), str(out), line], check=True, timeout=30)
        text = out.read_text()
        assert "__DONE__" in text
        return sorted({entry[5:] for entry in text.splitlines() if entry.startswith("CAND:")})

    assert complete("harness ") == sorted(COMMANDS)
    assert complete("harness list --format ") == ["json", "text"]
    assert complete("harness run --operation ") == IDS
    assert complete("harness validate ") == IDS


def test_zsh_script_describes_every_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    text = script("zsh", capsys)
    assert text.startswith("#compdef harness\n")
    for command in COMMANDS:
        assert f"                {command})" in text
    assert "'--format[text for people (default), json for programs]:FORMAT:(text json)'" in text
    assert ":ID:(detective\\:StartMonitoringMember networkflowmonitor\\:CreateScope)'" in text
    assert "'*--operation[" in text  # repeatable
    assert ":FILE.html:_files'" in text


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_options_and_choices(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "harness.fish"
    file.write_text(script("fish", capsys))

    def complete(line: str) -> list[str]:
        program = f"source {file}; complete -C {_quote(line)}"
        out = subprocess.run(["fish", "--no-config", "-c", program], capture_output=True, text=True, check=True)
        return [entry.split("\t")[0] for entry in out.stdout.splitlines()]

    assert complete("harness ") == sorted(COMMANDS)
    assert complete("harness run --ta") == ["--target"]
    assert complete("harness list --format ") == ["json", "text"]
    assert complete("harness run --operation ") == IDS


# --------------------------------------------------------------------------- generated


def test_the_scripts_follow_the_parser_they_are_generated_from() -> None:
    parser = argparse.ArgumentParser(prog="tool")
    commands = parser.add_subparsers(dest="command")
    greet = commands.add_parser("greet", help="say hello")
    greet.add_argument("--tone", choices=["warm", "dry"], help="how")
    greet.add_argument("--out", type=Path, metavar="FILE", help="where")
    program = describe(parser)
    assert [c.name for c in program.commands] == ["greet"]
    assert "--tone)" in render_bash(program) and "'warm dry'" in render_bash(program)
    assert "'--tone[how]:TONE:(warm dry)'" in render_zsh(program)
    assert "-l tone -x -a 'warm dry' -d 'how'" in render_fish(program)
    assert "-l out -r -F -d 'where'" in render_fish(program)


def test_every_sub_command_of_harness_is_in_the_model() -> None:
    program = describe(build_parser(), operations=IDS)
    assert [c.name for c in program.commands] == list(COMMANDS)
    run = next(c for c in program.commands if c.name == "run")
    operation = next(o for o in run.options if "--operation" in o.flags)
    assert operation.choices == tuple(IDS) and operation.repeatable
    report = next(o for o in run.options if "--report" in o.flags)
    assert report.files and report.takes_value


def test_an_unknown_shell_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["completion", "powershell"])
    assert raised.value.code == 2
    assert "invalid choice: 'powershell'" in capsys.readouterr().err
