"""The pharmacy benefit: the shipped one covers every plan label the shipped profiles make;
bad ones are located errors."""

from __future__ import annotations

import pytest
import yaml

from handlers.membersim.coverage import PLAN_LABELS
from handlers.rxmembersim import load_pharmacy_benefit
from handlers.rxmembersim.config import SHIPPED_CONFIG
from sim.errors import SpecError
from sim.profiles.coverage import DEFAULT_PLANS
from sim.specio import read_spec, shipped_names


def _shipped_labels() -> set[str]:
    labels = {label for plans in DEFAULT_PLANS.values() for label in plans}
    for name in shipped_names("profiles"):
        coverage = read_spec(name, "profiles").data.get("coverage") or {}
        labels |= set(coverage.get("plan_distribution") or {})
    return labels


def test_every_shipped_plan_label_has_a_pharmacy_benefit():
    config = load_pharmacy_benefit()
    for label in _shipped_labels():
        for age in (10, 40, 70):
            plan_id = config.benefit_plan_id(label, age)
            assert plan_id is None or config.plan(plan_id).id == plan_id, label
    assert config.benefit_plan_id("None") is None  # uninsured
    assert config.benefit_plan_id("Medicaid Managed Care", 18) == "medicaid-child"
    assert config.benefit_plan_id("Medicaid Managed Care", 19) == "medicaid"


def test_drugs_are_paid_by_the_medical_plan_except_under_original_medicare():
    config = load_pharmacy_benefit()
    for label, medical in PLAN_LABELS.items():
        expected = "medicare-part-d" if label == "Original Medicare" else medical
        assert config.benefit_plan_id(label, 40) == expected, label


def test_plans_without_their_own_processor_use_the_default(tmp_path):
    config = load_pharmacy_benefit()
    assert config.processor("medicaid").dispensing_fee_usd == 10.5
    assert config.processor("some-employer-plan") == config.default_processor
    plan_file = tmp_path / "acme.yaml"
    plan_file.write_text(
        "id: acme\nname: Acme PPO\nplan_type: PPO\ndeductible: {individual: 0}\n"
        "out_of_pocket_max: {individual: 1000}\ncoinsurance: 0.1\n"
    )
    assert config.benefit_plan_id(str(plan_file)) == "acme"
    assert config.plan("acme").name == "Acme PPO"


def test_shipped_plan_ids_stand_for_themselves():
    config = load_pharmacy_benefit()
    for name in shipped_names("plans"):
        assert config.benefit_plan_id(name) == name


def test_part_d_is_the_2025_standard_benefit():
    plan = load_pharmacy_benefit().plan("medicare-part-d")
    assert (plan.deductible.individual, plan.coinsurance, plan.out_of_pocket_max.individual) == (
        590,
        0.25,
        2000,
    )


def test_a_bad_file_names_the_field_and_line(fixtures):
    with pytest.raises(SpecError) as error:
        load_pharmacy_benefit(fixtures / "bad-pharmacy-benefit.yaml")
    text = str(error.value)
    assert text.startswith(
        f"{fixtures / 'bad-pharmacy-benefit.yaml'}:5: prior_authorization.drug_classes"
    )
    assert "no drug of class 'GLP-1 agonist'" in text
    assert "did you mean 'GLP-1 receptor agonist'?" in text


def _shipped_data() -> dict:
    return yaml.safe_load(SHIPPED_CONFIG.read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["coverage"].update(PPO="comercial-ppo"),
            "coverage.PPO: unknown benefit plan 'comercial-ppo' (did you mean 'commercial-ppo'?)",
        ),
        (
            lambda d: d["child_coverage"].update(CHIP="chip-kids"),
            "child_coverage.CHIP: unknown benefit plan 'chip-kids'",
        ),
        (
            lambda d: d["processors"]["medicaid"].update(bin="12345"),
            "processors.medicaid.bin: String should match pattern",
        ),
        (
            lambda d: d["prior_authorization"].update(
                approval_delay_days={"type": "normal", "mean": 3, "std_dev": 2}
            ),
            "approval_delay_days: a delay cannot be negative",
        ),
        (
            lambda d: d["prior_authorization"].update(rxnorm=["999999999"]),
            "unknown RxNorm code '999999999'",
        ),
        (
            lambda d: d["prior_authorization"].update(reject_code="7 5"),
            "'7 5' is not an NCPDP reject code",
        ),
        (
            lambda d: d["benefit_plans"][0].update(coinsurance=1.5),
            "benefit_plans[0].coinsurance: Input should be less than or equal to 1",
        ),
    ],
)
def test_bad_settings_are_located_errors(change, message):
    data = _shipped_data()
    change(data)
    with pytest.raises(SpecError) as error:
        load_pharmacy_benefit(data)
    assert message in str(error.value)
