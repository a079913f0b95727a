"""docs/reference/ is what scripts/build_docs_reference.py writes, so it cannot go stale; every
command, spec field, table and column a run writes is there, with a description."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "build_docs_reference.py"
REFERENCE = ROOT / "docs" / "reference"
#: rendered by mkdocstrings from the docstrings, not by the script
HAND_WRITTEN = {"python-api.md"}


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_docs_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # puts scripts/ on sys.path for docs_reference
    return module


@pytest.fixture(scope="module")
def pages(build):
    return build.pages()


def test_committed_pages_are_what_the_script_writes(pages):
    stale = [
        name
        for name, text in pages.items()
        if not (REFERENCE / name).is_file() or (REFERENCE / name).read_text("utf-8") != text
    ]
    assert stale == [], (
        f"docs/reference/ is stale ({', '.join(stale)}): "
        "run `.venv/bin/python scripts/build_docs_reference.py` and commit the pages"
    )


def test_no_page_is_left_over_from_an_older_generation(pages):
    files = {path.relative_to(REFERENCE).as_posix() for path in REFERENCE.rglob("*.md")}
    assert files - HAND_WRITTEN == set(pages)


def test_every_column_a_run_writes_is_described(pages):
    tables = sys.modules["docs_reference.tables"]
    assert tables.undescribed(tables.observe()) == []


def test_every_table_a_run_writes_is_documented(pages):
    from sim.output.columns import table_docs

    observed = sys.modules["docs_reference.tables"].observe()
    assert set(observed.types) - set(table_docs()) == set()
    for name in observed.types:
        assert f"### {name}\n" in pages["tables.md"]


def test_every_command_appears(pages):
    commands = sys.modules["docs_reference.cli"].commands()
    assert len(commands) > 15
    for path, command in commands[1:]:
        assert f"# {path}\n" in pages["cli.md"], path
        for param in command.params:
            name = param.name.upper() if param.param_type_name == "argument" else param.opts[0]
            assert f"`{name}`" in pages["cli.md"], f"{path} {name}"


def test_every_spec_field_has_a_description(pages):
    specs = sys.modules["docs_reference.specs"]
    from sim.distributions import distribution_json_schema

    schemas = [kind.model().model_json_schema() for kind in specs.KINDS]
    schemas.append(distribution_json_schema())
    missing = []
    for schema in schemas:
        for name, model in {**schema.get("$defs", {}), "root": schema}.items():
            for field, value in model.get("properties", {}).items():
                if not value.get("description") and "const" not in value:
                    missing.append(f"{model.get('title', name)}.{field}")
    assert missing == []


def test_a_duckdb_output_carries_the_descriptions(tmp_path):
    import duckdb

    import sim

    sim.run("oswald-family", 1, seed=1, out=tmp_path / "run.duckdb")
    with duckdb.connect(str(tmp_path / "run.duckdb"), read_only=True) as connection:
        bare = connection.sql(
            "select table_name || '.' || column_name from duckdb_columns() "
            "where not internal and comment is null"
        ).fetchall()
        views = connection.sql(
            "select count(*) from duckdb_views() where not internal and comment is not null"
        ).fetchall()
    assert bare == []
    assert views == [(3,)]
