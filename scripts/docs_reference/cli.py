"""The command-line reference: every command of the typer app, its arguments and options."""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docs_reference.markdown import GENERATED, code, table

#: Python annotations -> what a user types
TYPE_WORDS = {str: "text", int: "integer", float: "number", Path: "path", bool: "flag"}


def commands() -> list[tuple[str, Any]]:
    """(``healthsim run``, its click command) for every command and group, by name."""
    import typer.main

    from sim import cli

    cli._register()  # the command modules register themselves on import
    root = typer.main.get_command(cli.app)
    return list(_walk("healthsim", root))


def _walk(path: str, command: Any) -> Iterator[tuple[str, Any]]:
    yield path, command
    # by name: the order of registration depends on which command module was imported first
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from _walk(f"{path} {name}", sub)


def _paragraphs(text: str | None) -> str:
    """A docstring's paragraphs, each on one line."""
    blocks = re.split(r"\n\s*\n", inspect.cleandoc(text or ""))
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def _annotations(command: Any) -> dict[str, Any]:
    function = getattr(command, "callback", None)
    function = getattr(function, "__wrapped__", function)
    try:
        return typing.get_type_hints(function) if function is not None else {}
    except (NameError, TypeError):
        return {}


def _type_words(annotation: Any) -> str:
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _type_words(args[0])
    if origin is list and args:
        return _type_words(args[0])
    return TYPE_WORDS.get(annotation, getattr(annotation, "__name__", "text"))


def _names(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return code(param.name.upper())
    names = ", ".join(code(opt) for opt in param.opts)
    if param.secondary_opts:
        names += " / " + ", ".join(code(opt) for opt in param.secondary_opts)
    return names


def _default(param: Any) -> str:
    if param.required:
        return "required"
    default = param.default
    if getattr(param, "is_flag", False) and isinstance(default, bool):
        if param.secondary_opts:
            return code(param.opts[-1] if default else param.secondary_opts[-1])
        return "off" if not default else "on"
    if default is None or default == [] or default == ():
        return ""
    return code(str(default))


def _param_row(param: Any, annotations: dict[str, Any]) -> tuple[str, str, str, str]:
    words = _type_words(annotations.get(param.name, str))
    if getattr(param, "is_flag", False):
        words = "flag"
    elif getattr(param, "multiple", False):
        words += ", repeatable"
    elif getattr(param, "nargs", 1) == -1:
        words += ", one or more"
    return _names(param), words, _default(param), _paragraphs(param.help)


def _usage(path: str, command: Any) -> str:
    pieces = [path]
    if getattr(command, "commands", None):
        return code(f"{path} COMMAND [ARGS]...")
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if any(getattr(p, "param_type_name", "") == "option" for p in params):
        pieces.append("[OPTIONS]")
    for param in params:
        if getattr(param, "param_type_name", "") != "argument":
            continue
        name = param.name.upper() + ("..." if param.nargs == -1 else "")
        pieces.append(name if param.required else f"[{name}]")
    return code(" ".join(pieces))


def command_section(path: str, command: Any) -> str:
    level = "#" * min(path.count(" ") + 1, 4)
    parts = [f"{level} {path}", "Usage: " + _usage(path, command)]
    if command.help:
        parts.append(_paragraphs(command.help))
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if params:
        annotations = _annotations(command)
        rows = [_param_row(param, annotations) for param in params]
        parts.append(table(("argument or option", "type", "default", "description"), rows))
    if getattr(command, "commands", None):
        parts.append(_command_table(path, command))
    return "\n\n".join(parts)


def _command_table(path: str, group: Any) -> str:
    rows = [
        (f"[{name}](#{_anchor(f'{path} {name}')})", _paragraphs(sub.help).split("\n")[0])
        for name, sub in sorted(group.commands.items())
        if not getattr(sub, "hidden", False)
    ]
    return table(("command", "what it does"), rows)


def _anchor(heading: str) -> str:
    return heading.lower().replace(" ", "-")


def cli_page() -> str:
    found = commands()
    (_, root), rest = found[0], found[1:]
    header = [
        "# Command line",
        GENERATED,
        _paragraphs(root.help),
        "Every command takes `--help`. Bad input exits with status 2 and one located message "
        "(file, line, field); see [running scenarios](../running.md).",
        _command_table("healthsim", root),
    ]
    sections = [command_section(path, command) for path, command in rest]
    return "\n\n".join([*header, *sections]) + "\n"
