"""Every ```yaml block of docs/distributions.md is executed: it compiles and samples, or, when
its first line is ``# invalid: <message>``, it is rejected with a SpecError saying that."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml

from sim.distributions import create_distribution, distribution_json_schema
from sim.errors import SpecError

DOC = Path(__file__).resolve().parent.parent / "docs" / "distributions.md"
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)
INVALID = re.compile(r"^# invalid: (.+)$")
ATTRIBUTES = ["age", "sex", "severity", "state"]


def blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def columns(n: int) -> dict[str, np.ndarray]:
    g = np.random.default_rng(1)
    return {
        "age": g.integers(0, 100, n),
        "sex": g.choice(np.array(["F", "M"]), n),
        "severity": g.choice(np.array(["controlled", "uncontrolled", "none"]), n),
        "state": g.choice(np.array(["TX", "LA", "CA"]), n),
    }


def test_the_page_has_an_example_of_every_type():
    types = {yaml.safe_load(text)["type"] for text in blocks()}
    schema_types = {
        branch["properties"]["type"]["const"]
        for branch in distribution_json_schema()["$defs"].values()
        if "type" in branch.get("properties", {}) and "const" in branch["properties"]["type"]
    }
    assert len(schema_types) == 17
    assert schema_types <= types


@pytest.mark.parametrize("text", blocks(), ids=lambda t: yaml.safe_load(t)["type"])
def test_docs_example(text):
    spec = yaml.safe_load(text)
    expected_error = INVALID.match(text.splitlines()[0])
    if expected_error:
        with pytest.raises(SpecError) as caught:
            create_distribution(spec, attributes=ATTRIBUTES)
        assert expected_error.group(1) in str(caught.value)
        return
    assert list(jsonschema.Draft202012Validator(distribution_json_schema()).iter_errors(spec)) == []
    sampler = create_distribution(spec, attributes=ATTRIBUTES)
    values = sampler.sample(np.random.default_rng(0), 2_000, columns(2_000))
    assert len(values) == 2_000
    low, high = sampler.support()
    if values.dtype.kind in "iuf":
        assert values.min() >= low and values.max() <= high
