"""docs/rxmembersim.md: its Python examples run (their asserts hold) and its pharmacy benefit
YAML loads as it says."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from handlers.rxmembersim import (
    ADHERENCE_SCHEMA,
    CLAIM_SCHEMA,
    FILL_SCHEMA,
    RX_MEMBER_SCHEMA,
    load_pharmacy_benefit,
)

DOC = Path(__file__).parents[2] / "docs" / "rxmembersim.md"
TEXT = DOC.read_text(encoding="utf-8")


def test_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})


def test_the_pharmacy_benefit_example_loads():
    (block,) = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.S)
    config = load_pharmacy_benefit(yaml.safe_load(block))
    assert config.benefit_plan_id("Original Medicare", 70) == "medicare-part-d"
    assert config.benefit_plan_id("Medicaid", 10) == "medicaid-child"
    assert config.benefit_plan_id("None") is None
    assert config.processor("medicare-part-d") == config.default_processor
    assert config.prior_authorization.applies_to("2398841", "GLP-1 receptor agonist")


def test_every_table_column_is_documented():
    for schema in (RX_MEMBER_SCHEMA, FILL_SCHEMA, CLAIM_SCHEMA, ADHERENCE_SCHEMA):
        for name in schema.names:
            assert f"`{name}`" in TEXT, name
