"""docs/triggers.md: its trigger YAML compiles, its scenario fragment validates, its Python
example prints what it says."""

import contextlib
import io
import re
from pathlib import Path

import yaml

from sim.scenario.spec import ScenarioSpecification
from sim.triggers import compile_triggers, parse_triggers

DOC = Path(__file__).parents[2] / "docs" / "triggers.md"
TEXT = DOC.read_text(encoding="utf-8")


def test_yaml_examples():
    triggers_block, scenario_block = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.S)
    compiled = compile_triggers(parse_triggers(yaml.safe_load(triggers_block)))
    assert compiled.ids() == [
        "encounter-professional-claim",
        "order-first-fill",
        "lab-order-result",
    ]
    fragment = yaml.safe_load(scenario_block)
    spec = ScenarioSpecification.model_validate(
        {"id": "x", "profile": "medicare-diabetic", "start_date": "2025-01-01", **fragment}
    )
    assert spec.disable_triggers == ["pharmacy-claim-reversal"]


def test_python_example_prints_its_comment():
    (block,) = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
    code, expected = block.rsplit("\n# ", 1)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})
    assert printed.getvalue().strip() == expected.strip()


def test_the_default_table_lists_every_shipped_default():
    from sim.triggers import load_triggers

    for trigger_id in load_triggers().ids():
        assert trigger_id in TEXT
