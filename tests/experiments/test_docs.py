"""docs/experiments.md: its experiment is the shipped one, and it loads."""

import re
from pathlib import Path

import yaml

from sim.experiments import load_experiment
from sim.specio import shipped_path

DOC = Path(__file__).parents[2] / "docs" / "experiments.md"


def test_the_documented_experiment_is_the_shipped_one_and_loads():
    (block,) = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    documented = yaml.safe_load(block)
    shipped = yaml.safe_load(shipped_path("experiments", "specialist-capacity").read_text())
    assert documented == {k: v for k, v in shipped.items() if k in documented}
    assert load_experiment(documented).spec.id == "specialist-capacity"
