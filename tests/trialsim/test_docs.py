"""docs/trialsim.md: its protocol runs, its Python examples print what they say, its tables
list the columns the handler makes."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from handlers.trialsim import parse_protocol

DOC = Path(__file__).parents[2] / "docs" / "trialsim.md"
TEXT = DOC.read_text(encoding="utf-8")


def test_the_protocol_example_runs(trial, make_persons):
    (block,) = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.S)
    protocol = parse_protocol(yaml.safe_load(block), source="docs/trialsim.md")
    persons = make_persons(400)
    persons = persons.append_column("has_I10", pa.array(np.ones(persons.num_rows, bool)))
    run = trial(protocol, persons, seed=4)
    subjects = run["trial_subjects"]
    assert subjects.num_rows == 400
    assert set(subjects["arm_code"].drop_null().to_pylist()) == {"PBO", "DRUG10"}
    exposure = run["exposure"].filter(pc.equal(run["exposure"]["arm_code"], "DRUG10"))
    assert set(exposure["dose"].to_pylist()) == {5.0, 10.0}
    headache = run["adverse_events"].filter(pc.equal(run["adverse_events"]["term"], "Headache"))
    assert pc.max(headache["onset_day"]).as_py() <= 51


def test_the_python_examples_print_their_comments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the example writes out/sdtm
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
    assert len(blocks) == 2
    for block in blocks:
        code, expected = block.rsplit("\n# ", 1)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(DOC), "exec"), {})
        assert printed.getvalue().strip() == expected.strip()
    assert sorted(p.name for p in (tmp_path / "out" / "sdtm").iterdir()) == [
        "ae.csv",
        "dm.csv",
        "ex.csv",
        "sv.csv",
    ]


def test_the_table_section_lists_every_column(glp1):
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*) \|$", TEXT, flags=re.M))
    tables = ["trial_subjects", "trial_visits", "adverse_events", "exposure"]
    for name in [*tables, "sdtm_dm", "sdtm_sv", "sdtm_ae", "sdtm_ex"]:
        listed = [re.sub(r" \(.*\)$", "", c) for c in re.split(r", (?![^(]*\))", rows[name])]
        assert listed == glp1[name].column_names, name
