"""docs/patientsim.md: its Python examples print what their comments say, and its tables list
every column the handler writes."""

import contextlib
import io
import re
from pathlib import Path

import pytest

from handlers.patientsim import SCHEMAS
from sim.codes.diagnoses import load_diagnoses
from sim.codes.procedures import load_procedures

DOC = Path(__file__).parents[2] / "docs" / "patientsim.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


@pytest.mark.parametrize("block", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_python_examples_print_their_comments(block):
    lines = block.rstrip("\n").split("\n")
    expected = [line[2:] for line in lines if line.startswith("# ")]
    code = "\n".join(line for line in lines if not line.startswith("# "))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})
    assert printed.getvalue().splitlines() == expected


def test_there_are_examples_and_no_yaml_left_unexecuted():
    assert len(EXAMPLES) == 2
    assert "```yaml" not in TEXT


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_column_is_documented(table):
    section = TEXT.split(f"**{table}**", 1)[1].split("\n\n**", 1)[0]
    for column in SCHEMAS[table].names:
        assert f"`{column}`" in section, (table, column)


def test_the_doc_states_the_table_sizes():
    assert f"({len(load_diagnoses())} codes)" in TEXT
    assert f"({len(load_procedures())} codes)" in TEXT
