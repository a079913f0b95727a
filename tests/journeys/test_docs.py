"""The YAML examples of docs/journeys.md load and run."""

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import yaml

from sim.engine import simulate
from sim.journeys import parse_journey

DOC = Path(__file__).parents[2] / "docs" / "journeys.md"


def yaml_blocks():
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_docs_examples_load_and_run():
    blocks = yaml_blocks()
    assert blocks
    for block in blocks:
        data = yaml.safe_load(block)
        if "resources" in data:
            continue  # the shared-resources example: tests/engine/test_resources.py
        spec = parse_journey(data, source="docs/journeys.md")
        count = 50
        persons = pa.table(
            {
                "person_index": pa.array(np.arange(count), pa.int64()),
                "person_id": [f"P{i}" for i in range(count)],
                "age": np.full(count, 70),
                "severity": ["uncontrolled"] * count,
            }
        )
        events = simulate(
            persons, [spec], start_date=dt.date(2025, 1, 1), horizon_days=365, seeds=0
        )
        assert set(events["definition_id"].to_pylist()) >= {"diagnosis", "a1c"}
