"""docs/reliability.md: its YAML example is refused as its console block shows, its Python
example prints its comments, and its limits are the code's."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from sim.cli import main
from sim.expressions import MAX_EXPRESSION_CHARS
from sim.journeys.spec import MAX_EVENTS, MAX_OCCURRENCES
from sim.specio import MAX_ALIASES, MAX_DEPTH, MAX_SPEC_BYTES, MAX_TEXT_CHARS, MAX_VALUES

DOC = Path(__file__).parents[2] / "docs" / "reliability.md"
TEXT = DOC.read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, flags=re.S)


def test_the_yaml_example_is_refused_as_shown(tmp_path, monkeypatch, capsys):
    (yaml_block,) = _blocks("yaml")
    console = next(block for block in _blocks("console") if "validate" in block)
    command, shown = console.strip().splitlines()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-scenario.yaml").write_text(yaml_block, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(command.removeprefix("$ healthsim ").split())
    assert exited.value.code == 2
    assert capsys.readouterr().err.strip() == shown


def test_the_python_example_prints_its_comments():
    (block,) = _blocks("python")
    code, _, comments = block.partition("\n# ")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})
    expected = ("# " + comments).strip().splitlines()
    assert printed.getvalue().splitlines() == [line.removeprefix("# ") for line in expected]


def test_the_limits_table_states_the_code_limits():
    for value in (MAX_SPEC_BYTES, MAX_VALUES, MAX_TEXT_CHARS, MAX_EVENTS, MAX_OCCURRENCES):
        assert f"{value:,}" in TEXT, value
    assert f"| nesting | {MAX_DEPTH} levels" in TEXT
    assert f"| YAML aliases | {MAX_ALIASES} per file" in TEXT
    assert f"| a condition | {MAX_EXPRESSION_CHARS:,} characters" in TEXT
