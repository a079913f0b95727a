"""Hostile spec documents (YAML and JSON files) are refused before work starts, by every
loader, with one SpecError that names the file, the line and (for a value) the field, and a
hint where a limit was hit; the CLI says the same and exits 2 without a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sim
from handlers.membersim import load_plan_benefits
from sim.cli import main
from sim.errors import SpecError
from sim.profiles import compile_profile
from sim.specio import MAX_DEPTH, MAX_SPEC_BYTES, MAX_TEXT_CHARS
from sim.triggers import load_triggers

LOADERS: dict[str, Callable[[Any], Any]] = {
    "journeys": sim.load_journey,
    "profiles": lambda source: compile_profile(sim.load_profile(source)),
    "scenarios": sim.load_scenario,
    "triggers": load_triggers,
    "plans": load_plan_benefits,
}


def _nested_block(levels: int) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)) + f"{'  ' * levels}x: 1\n"


def _laughs(levels: int, width: int) -> str:
    """The billion-laughs document: each level refers ``width`` times to the one below."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


# (name, text, line, field path, message fragment, hint expected)
DOCUMENTS = [
    ("nested-block", _nested_block(200), MAX_DEPTH, None, "levels deep", True),
    ("nested-flow", "a: " + "[" * 100_000 + "]" * 100_000, 1, None, "levels deep", True),
    # l5 is the first anchor that expands to more than a million values
    ("billion-laughs", _laughs(9, 10), 6, ("l5",), "1,000,000 values", True),
    ("many-aliases", "a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n", 2, None, "aliases", True),
    ("self-reference", "id: x\nlist: &a [1, *a]\n", 2, ("list", 1), "contains itself", True),
    ("duplicate-key", "id: x\nname: a\nname: b\n", 3, None, "duplicate key 'name'", True),
    ("5000-digit-number", "id: x\ncount: " + "9" * 5000 + "\n", 2, None, "4300 digits", False),
    ("number-beyond-64-bits", f"id: x\ncount: {2**70}\n", 2, ("count",), "64 bits", True),
    ("not-a-date", "id: x\nstart_date: 2024-02-30\n", 2, None, "day is out of range", False),
    ("nan", "id: x\nhorizon_days: .nan\n", 2, ("horizon_days",), "not a finite number", False),
    ("infinity", "id: x\nweights: [1, -.inf]\n", 2, ("weights", 1), "not a finite number", False),
    (
        "huge-text",
        f"id: x\nname: {'x' * (MAX_TEXT_CHARS + 1)}\n",
        2,
        ("name",),
        "characters",
        False,
    ),
    (
        "python-tag",
        "id: !!python/object/apply:os.system ['echo owned']\n",
        1,
        None,
        "constructor",
        False,
    ),
    ("unclosed", "id: [x\n", 2, None, "invalid YAML", False),
    ("tab-indent", "id: x\n\tname: y\n", 2, None, "invalid YAML", False),
    ("two-documents", "id: x\n---\nid: y\n", 2, None, "invalid YAML", False),
]
JSON_DOCUMENTS = [
    ("nested-json", "[" * 100_000 + "]" * 100_000, None, None, "levels deep", False),
    ("json-5000-digit-number", '{"count": ' + "9" * 5000 + "}", None, None, "4300 digits", False),
    ("json-nan", '{"id": "x",\n "horizon_days": NaN}', 2, ("horizon_days",), "finite", False),
    ("json-syntax", '{"id": "x",\n "a": }', 2, None, "invalid JSON", False),
]


def _write(tmp_path: Path, name: str, content: str | bytes, suffix: str = ".yaml") -> Path:
    path = tmp_path / f"{name}{suffix}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _refused(load: Callable[[Any], Any], source: Any) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load(source)
    return caught.value


@pytest.mark.parametrize("kind", LOADERS)
@pytest.mark.parametrize(
    ("name", "text", "line", "field", "fragment", "hint"),
    [*DOCUMENTS, *JSON_DOCUMENTS],
    ids=[d[0] for d in [*DOCUMENTS, *JSON_DOCUMENTS]],
)
def test_hostile_document_is_refused_with_its_place(
    tmp_path, tally, kind, name, text, line, field, fragment, hint
):
    suffix = ".json" if name.startswith(("json", "nested-json")) else ".yaml"
    path = _write(tmp_path, name, text, suffix)
    error = _refused(LOADERS[kind], path)
    tally["hostile documents", name, "refused"] += 1
    assert error.source == str(path)
    assert fragment in str(error)
    assert error.line == line
    if field is not None:
        assert error.path == field
    if hint:
        assert error.hint
    assert len(str(error)) < 400  # one readable line, never the hostile text itself


@pytest.mark.parametrize("kind", LOADERS)
def test_a_file_over_the_size_limit_is_not_read(tmp_path, tally, kind):
    path = _write(tmp_path, "big", "id: x\n#" + "x" * MAX_SPEC_BYTES + "\n")
    error = _refused(LOADERS[kind], path)
    tally["hostile documents", "over-5-MB", "refused"] += 1
    assert error.source == str(path) and "bytes" in error.message


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("binary", bytes(range(256)), "cannot read"),
        ("latin-1", "id: café\n".encode("latin-1"), "cannot read"),
        ("utf-16", "id: x\n".encode("utf-16"), "cannot read"),
        ("empty", b"", "mapping"),
        ("a-number", b"42\n", "mapping"),
    ],
)
def test_unreadable_and_shapeless_files(tmp_path, tally, name, content, fragment):
    path = _write(tmp_path, name, content)
    for kind, load in LOADERS.items():
        error = _refused(load, path)
        tally["hostile documents", name, "refused"] += 1
        assert error.source == str(path), kind
        assert fragment in error.message or kind == "triggers", (kind, str(error))


@pytest.mark.parametrize(
    "source",
    [None, 42, 1.5, True, ["x"], b"x.yaml", "x" * 100_000, "bad\x00name", "/nonexistent/x.yaml"],
    ids=["none", "int", "float", "bool", "list", "bytes", "name-too-long", "nul", "missing"],
)
def test_sources_that_are_not_specs(tally, source):
    for kind, load in LOADERS.items():
        error = _refused(load, source)
        tally["hostile documents", "not-a-source", "refused"] += 1
        assert len(str(error)) < 400, kind
    with pytest.raises(SpecError):
        sim.run(source, 1, seed=1)


def test_json_and_yaml_refuse_alike(tmp_path):
    text = json.dumps(
        {
            "id": "x",
            "duration_days": 10,
            "events": [
                {"id": "a", "product": "patientsim", "event_type": "diagnosis", "delay": 1.5e400}
            ],
        },
        indent=1,
    )
    path = _write(tmp_path, "journey", text.replace("Infinity", "1e999"), ".json")
    error = _refused(sim.load_journey, path)
    assert error.path == ("events", 0, "delay") and "finite" in error.message
    assert error.line == text.splitlines().index('   "delay": Infinity') + 1


@pytest.mark.parametrize(
    ("name", "text"),
    [(d[0], d[1]) for d in DOCUMENTS if d[0] in ("nested-flow", "billion-laughs", "duplicate-key")],
)
def test_cli_validate_exits_2_with_the_located_message(tmp_path, capsys, name, text):
    path = _write(tmp_path, name, text)
    with pytest.raises(SystemExit) as exited:
        main(["validate", str(path), "--kind", "scenarios"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}:") and "Traceback" not in err
    assert err.count("\n") <= 3


def test_cli_in_a_fresh_process_refuses_a_bomb(tmp_path, cli):
    path = _write(tmp_path, "bomb", _laughs(9, 10))
    result = cli("run", str(path), "-o", str(tmp_path / "out.duckdb"))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}:6: l5: more than 1,000,000 values")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.duckdb").exists()
