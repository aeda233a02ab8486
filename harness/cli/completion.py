"""``harness completion bash|zsh|fish``: a shell completion script, generated from the
command line's own argparse parser, so it always knows every sub-command and option.

It completes sub-commands, options, the values of options with choices (``--format``),
operation ids (``--operation``, ``harness validate ID``) and file names where a file is
expected.  The operation ids are those of the contracts when the script was generated.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from harness import __version__

SHELLS = ("bash", "zsh", "fish")

EPILOG = """\
examples:
  source <(harness completion bash)                 # this bash session
  harness completion bash > ~/.local/share/bash-completion/completions/harness
  harness completion zsh > "${fpath[1]}/_harness"   # then start a new zsh
  harness completion fish > ~/.config/fish/completions/harness.fish
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description=(
            "Print a completion script for SHELL: sub-commands, options, choices, operation "
            "ids and file names complete with Tab. Load it in the current shell, or install "
            "it where the shell looks for completions."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


def run(args: argparse.Namespace) -> int:
    from harness.cli import build_parser
    from harness.contract import load_contracts

    program = describe(build_parser(), operations=sorted(load_contracts()))
    print(RENDERERS[args.shell](program), end="")
    return 0


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool = False
    metavar: str = ""
    choices: tuple[str, ...] = ()
    files: bool = False  # the value is a file or directory name
    repeatable: bool = False


@dataclass(frozen=True)
class Positional:
    name: str
    help: str
    choices: tuple[str, ...] = ()
    files: bool = False
    many: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Option, ...]
    positionals: tuple[Positional, ...]


@dataclass(frozen=True)
class Program:
    name: str
    options: tuple[Option, ...]
    commands: tuple[Command, ...]


def describe(parser: argparse.ArgumentParser, *, operations: Iterable[str] = ()) -> Program:
    """What completes where, read from ``parser``.

    argparse has no public way to list a parser's arguments: ``_actions`` and
    ``_get_subactions()`` are what its own help formatter reads, unchanged since Python 2.7.
    """
    ids = tuple(operations)
    options: list[Option] = []
    commands: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {sub.dest: _help(sub, parser.prog) for sub in action._get_subactions()}
            for name, sub in action.choices.items():
                commands.append(_command(name, helps.get(name, ""), sub, ids))
        elif action.option_strings:
            options.append(_option(action, parser.prog, ids))
    return Program(name=parser.prog, options=tuple(options), commands=tuple(commands))


def _command(name: str, help_text: str, parser: argparse.ArgumentParser, ids: tuple[str, ...]) -> Command:
    options = []
    positionals = []
    for action in parser._actions:
        if action.option_strings:
            options.append(_option(action, parser.prog, ids))
        else:
            positionals.append(
                Positional(
                    name=_metavar(action),
                    help=_help(action, parser.prog),
                    choices=_choices(action, ids),
                    files=_is_path(action),
                    many=action.nargs in ("*", "+"),
                    optional=action.nargs in ("?", "*"),
                )
            )
    return Command(name=name, help=help_text, options=tuple(options), positionals=tuple(positionals))


def _option(action: argparse.Action, prog: str, ids: tuple[str, ...]) -> Option:
    takes_value = action.nargs != 0
    return Option(
        flags=tuple(action.option_strings),
        help=_help(action, prog),
        takes_value=takes_value,
        metavar=_metavar(action) if takes_value else "",
        choices=_choices(action, ids),
        files=takes_value and _is_path(action),
        repeatable=isinstance(action, argparse._AppendAction),
    )


def _metavar(action: argparse.Action) -> str:
    metavar = action.metavar if isinstance(action.metavar, str) else None
    return metavar or action.dest.upper()


def _choices(action: argparse.Action, ids: tuple[str, ...]) -> tuple[str, ...]:
    if action.choices is not None:
        return tuple(str(choice) for choice in action.choices)
    if action.dest == "operation":
        return ids
    return ()


def _is_path(action: argparse.Action) -> bool:
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    return action.type is Path or metavar.startswith(("FILE", "DIR"))


def _help(action: argparse.Action, prog: str) -> str:
    """The help text as ``--help`` shows it, on one line."""
    text = action.help or ""
    if text == argparse.SUPPRESS:
        return ""
    with contextlib.suppress(KeyError, TypeError, ValueError):  # a help text with a stray %
        text = text % {**vars(action), "prog": prog}
    return " ".join(text.split())


# --------------------------------------------------------------------------- bash


def render_bash(program: Program) -> str:
    name = program.name
    function = f"_{_identifier(name)}_complete"
    after = f"_{_identifier(name)}_after_colon"
    commands = " ".join(c.name for c in program.commands)
    lines = [
        f"# bash completion for {name} {__version__}, generated by `{name} completion bash`.",
        f"# This session:  source <({name} completion bash)",
        f"# Every session: {name} completion bash > ~/.local/share/bash-completion/completions/{name}",
        f"{function}() {{",
        # Words are read from the line itself: COMP_WORDS splits `detective:CreateScope` at the colon.
        '    local line="${COMP_LINE:0:COMP_POINT}" cur="" prev="" command="" options="" words="" files="" i',
        "    local -a typed",
        '    read -ra typed <<< "$line"',
        '    if [[ "$line" =~ [[:space:]]$ ]]; then',
        '        typed+=("")',
        "    fi",
        '    cur="${typed[${#typed[@]}-1]}"',
        '    (( ${#typed[@]} > 1 )) && prev="${typed[${#typed[@]}-2]}"',
        "    for ((i = 1; i < ${#typed[@]} - 1; i++)); do",
        '        case "${typed[i]}" in',
        f'            {"|".join(c.name for c in program.commands)}) command="${{typed[i]}}"; break ;;',
        "        esac",
        "    done",
        '    case "$command" in',
        f'        "") options={_sh(_all_flags(program.options))}; words={_sh(commands)} ;;',
    ]
    for command in program.commands:
        lines.append(f"        {command.name})")
        lines += _bash_values(command.options, after=after)
        words = " ".join(choice for p in command.positionals for choice in p.choices)
        files = "1" if any(p.files for p in command.positionals) else ""
        lines.append(f"            options={_sh(_all_flags(command.options))}; words={_sh(words)}; files={_sh(files)}")
        lines.append("            ;;")
    lines += [
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$options" -- "$cur"))',
        "    else",
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        '        if [[ -n "$files" ]]; then',
        "            compopt -o filenames 2>/dev/null",
        '            COMPREPLY+=($(compgen -f -- "$cur"))',
        "        fi",
        "    fi",
        f"    {after}",
        "}",
        "",
        "# Bash replaces only the part of the word after its last colon: offer only that part.",
        f"{after}() {{",
        '    if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then',
        '        local before="${cur%"${cur##*:}"}" i',
        '        for i in "${!COMPREPLY[@]}"; do',
        '            COMPREPLY[i]="${COMPREPLY[i]#"$before"}"',
        "        done",
        "    fi",
        "}",
        f"complete -F {function} {name}",
    ]
    return "\n".join(lines) + "\n"


def _bash_values(options: Iterable[Option], *, after: str) -> list[str]:
    """The ``case "$prev"`` completing the value of an option."""
    branches = []
    for option in options:
        if not option.takes_value:
            continue
        pattern = "|".join(option.flags)
        if option.choices:
            action = f'COMPREPLY=($(compgen -W {_sh(" ".join(option.choices))} -- "$cur"))'
        elif option.files:
            action = 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))'
        else:
            action = ":"  # a value to type: nothing to offer
        branches.append(f"                {pattern}) {action}; {after}; return 0 ;;")
    if not branches:
        return []
    return ['            case "$prev" in', *branches, "            esac"]


def _all_flags(options: Iterable[Option]) -> str:
    return " ".join(flag for option in options for flag in option.flags)


def _sh(text: str) -> str:
    """``text`` quoted for a POSIX shell."""
    return "'" + text.replace("'", "'\\''") + "'"


def _identifier(name: str) -> str:
    return re.sub(r"\W", "_", name)


# --------------------------------------------------------------------------- zsh


def render_zsh(program: Program) -> str:
    name = program.name
    function = f"_{_identifier(name)}"
    lines = [
        f"#compdef {name}",
        f"# zsh completion for {name} {__version__}, generated by `{name} completion zsh`.",
        f"# This session:  source <({name} completion zsh)",
        f'# Every session: {name} completion zsh > "${{fpath[1]}}/_{name}"',
        "",
        f"{function}() {{",
        '    local curcontext="$curcontext" state line',
        "    typeset -A opt_args",
        "    _arguments -C \\",
        *(f"        {spec} \\" for option in program.options for spec in _zsh_option(option, exclusive=True)),
        "        '1: :->command' \\",
        "        '*:: :->argument'",
        "    case $state in",
        "        command)",
        "            local -a commands",
        "            commands=(",
        *(f"                {_sh(_zsh_word(c.name) + ':' + c.help)}" for c in program.commands),
        "            )",
        f"            _describe -t commands '{name} command' commands",
        "            ;;",
        "        argument)",
        "            case $line[1] in",
    ]
    for command in program.commands:
        specs = [spec for option in command.options for spec in _zsh_option(option, exclusive=False)]
        specs += [_zsh_positional(p) for p in command.positionals]
        lines.append(f"                {command.name})")
        lines.append("                    _arguments \\")
        lines += [f"                        {spec} \\" for spec in specs[:-1]]
        lines.append(f"                        {specs[-1]}")
        lines.append("                    ;;")
    lines += [
        "            esac",
        "            ;;",
        "    esac",
        "}",
        "",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        f'    {function} "$@"',
        "else",
        f"    compdef {function} {name}",
        "fi",
    ]
    return "\n".join(lines) + "\n"


def _zsh_option(option: Option, *, exclusive: bool) -> list[str]:
    if exclusive:  # --help, --version: nothing else follows
        prefix = "(- *)"
    elif option.repeatable:
        prefix = "*"
    elif len(option.flags) > 1:
        prefix = "(" + " ".join(option.flags) + ")"
    else:
        prefix = ""
    value = ""
    if option.takes_value:
        value = ":" + _zsh_word(option.metavar) + ":" + _zsh_action(option.choices, option.files, option.metavar)
    return [_sh(f"{prefix}{flag}[{_zsh_explanation(option.help)}]{value}") for flag in option.flags]


def _zsh_positional(positional: Positional) -> str:
    action = _zsh_action(positional.choices, positional.files, positional.name)
    start = "*:" if positional.many else ("::" if positional.optional else ":")
    return _sh(f"{start}{_zsh_word(positional.name)}:{action}")


def _zsh_action(choices: tuple[str, ...], files: bool, metavar: str) -> str:
    if choices:
        return "(" + " ".join(_zsh_word(c) for c in choices) + ")"
    if files:
        return "_files -/" if metavar.startswith("DIR") else "_files"
    return " "


def _zsh_explanation(text: str) -> str:
    """The ``[explanation]`` of an ``_arguments`` option: a bracket would end it."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _zsh_word(text: str) -> str:
    """A message, a choice or a command name: colons separate an ``_arguments`` spec's
    fields, and blanks and parentheses a list of choices."""
    return re.sub(r"([\\:() ])", r"\\\1", text)


# --------------------------------------------------------------------------- fish


def render_fish(program: Program) -> str:
    name = program.name
    head = f"complete -c {name}"
    lines = [
        f"# fish completion for {name} {__version__}, generated by `{name} completion fish`.",
        f"# This session:  {name} completion fish | source",
        f"# Every session: {name} completion fish > ~/.config/fish/completions/{name}.fish",
        f"{head} -f",  # no file names unless an argument takes one
    ]
    top = "-n __fish_use_subcommand"
    lines += [f"{head} {top} {_fish_option(option)}" for option in program.options]
    lines += [f"{head} {top} -a {_fish(c.name)} -d {_fish(c.help)}" for c in program.commands]
    for command in program.commands:
        when = f"-n {_fish('__fish_seen_subcommand_from ' + command.name)}"
        lines += [f"{head} {when} {_fish_option(option)}" for option in command.options]
        for positional in command.positionals:
            if positional.choices:
                words = _fish(" ".join(positional.choices))
                lines.append(f"{head} {when} -a {words} -d {_fish(positional.help or positional.name)}")
            if positional.files:
                lines.append(f"{head} {when} -F")
    return "\n".join(lines) + "\n"


def _fish_option(option: Option) -> str:
    parts = []
    for flag in option.flags:
        parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if option.takes_value:
        if option.choices:
            parts.append(f"-x -a {_fish(' '.join(option.choices))}")
        elif option.files:
            parts.append("-r -F")
        else:
            parts.append("-x")
    parts.append(f"-d {_fish(option.help)}")
    return " ".join(parts)


def _fish(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


RENDERERS: dict[str, Callable[[Program], str]] = {"bash": render_bash, "zsh": render_zsh, "fish": render_fish}
