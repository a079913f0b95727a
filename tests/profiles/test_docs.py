"""The examples in docs/profiles.md run."""

import re
from pathlib import Path

import yaml

from sim.profiles import generate_population

DOC = Path(__file__).parents[2] / "docs" / "profiles.md"


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def test_every_yaml_profile_in_the_docs_generates_and_validates():
    blocks = _blocks("yaml")
    assert blocks
    for text in blocks:
        report = generate_population(yaml.safe_load(text), 2000, seed=1).validation_report()
        assert report.passed, report.failures()


def test_every_python_example_in_the_docs_runs():
    for code in _blocks("python"):
        exec(compile(code, str(DOC), "exec"), {})
