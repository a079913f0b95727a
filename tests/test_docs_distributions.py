"""Every ```yaml block of docs/guide/distributions.md is executed: it compiles and samples, or,
when its first line is ``# invalid: <message>``, it is rejected with a SpecError saying that.
Every plot of the guide exists, is what scripts/plot_distributions.py draws from the YAML above
it, and every example marked as shipped still matches the spec it was copied from."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import matplotlib
import numpy as np
import pytest
import yaml

from sim.distributions import create_distribution, distribution_json_schema
from sim.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "guide" / "distributions.md"
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]+\]\((img/[^)\s]+)\)")
INVALID = re.compile(r"^# invalid: (.+)$")
ATTRIBUTES = ["age", "sex", "severity", "state"]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "plot_distributions", ROOT / "scripts" / "plot_distributions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


plots = _load_script()
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = plots.examples(TEXT)
BY_YAML = {example.yaml_text: example for example in EXAMPLES}


def blocks() -> list[str]:
    return BLOCK.findall(TEXT)


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
    names, people = ATTRIBUTES, columns(2_000)
    if text in BY_YAML and BY_YAML[text].population:  # the population its plot is drawn over
        people = plots.population_columns(BY_YAML[text], np.random.default_rng(1), 2_000)
        names = list(people)
    sampler = create_distribution(spec, attributes=names)
    values = sampler.sample(np.random.default_rng(0), 2_000, people)
    assert len(values) == 2_000
    low, high = sampler.support()
    if values.dtype.kind in "iuf":
        assert values.min() >= low and values.max() <= high


def test_every_plot_of_the_guide_exists_and_has_its_example():
    referenced = IMAGE.findall(TEXT)
    assert len(EXAMPLES) >= 20
    assert sorted(referenced) == sorted(f"img/{example.name}.svg" for example in EXAMPLES)
    on_disk = sorted(path.name for path in (DOC.parent / "img").glob("*.svg"))
    assert on_disk == sorted(f"{example.name}.svg" for example in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_plot_is_what_the_script_draws(example):
    stored = (DOC.parent / "img" / f"{example.name}.svg").read_bytes()
    creator = f"<dc:title>matplotlib {matplotlib.__version__}</dc:title>".encode()
    if creator not in stored:
        pytest.skip(f"drawn with another matplotlib than {matplotlib.__version__}")
    drawn = plots.render(example)
    assert drawn == stored, "stale plot: run python scripts/plot_distributions.py"
    assert len(drawn) < 60_000


def _mappings(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from _mappings(item)


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.source], ids=lambda e: f"{e.name}-{e.source}"
)
def test_shipped_example_matches_its_source(example):
    shipped = yaml.safe_load((ROOT / example.source).read_text(encoding="utf-8"))
    assert example.spec in list(_mappings(shipped)), f"{example.source} no longer has it"
