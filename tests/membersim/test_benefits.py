"""Benefit plans: shipped plans load; spec errors name the field and the line."""

from pathlib import Path

import pytest

from handlers.membersim import BenefitPlan, load_plan_benefits, parse_plan_benefits
from sim.errors import SpecError
from sim.specio import shipped_names

PLAN = {
    "id": "test-ppo",
    "name": "Test PPO",
    "plan_type": "PPO",
    "deductible": {"individual": 1000, "family": 2000},
    "out_of_pocket_max": {"individual": 5000, "family": 10000},
    "coinsurance": 0.2,
    "copays": {"office_visit": 25},
    "copay_only": ["office_visit"],
}


def test_every_shipped_plan_loads():
    names = shipped_names("plans")
    assert set(names) >= {
        "commercial-ppo",
        "commercial-hmo",
        "commercial-hdhp",
        "family-ppo",
        "medicare-advantage",
        "medicaid",
    }
    for name in names:
        plan = load_plan_benefits(name)
        assert plan.id == name
        assert plan.copays.preventive == 0


def test_shipped_plans_respect_the_2025_limits():
    for name in shipped_names("plans"):
        plan = load_plan_benefits(name)
        if plan.plan_type == "Original Medicare":  # no out-of-pocket maximum by law
            assert plan.out_of_pocket_max is None
            continue
        assert plan.out_of_pocket_max.individual <= 9_200  # ACA 2025 (MA: CMS 9,350)
        if plan.out_of_pocket_max.family is not None:
            assert plan.out_of_pocket_max.family <= 18_400
    hdhp = load_plan_benefits("commercial-hdhp")
    assert hdhp.deductible.individual >= 1_650 and hdhp.deductible.family >= 3_300
    assert hdhp.out_of_pocket_max.individual <= 8_300
    assert not set(hdhp.copay_only) - {"preventive"}


def test_defaults():
    plan = parse_plan_benefits(PLAN)
    assert plan.plan_year_start_month_day == (1, 1)
    assert plan.family_deductible == "embedded"
    assert plan.premium_pmpm is None
    assert plan.price_to_medicare.professional == plan.price_to_medicare.institutional == 1.0
    assert 0.05 < sum(plan.denials.professional.values()) < 0.15
    assert plan.pays_copay_only("preventive") and plan.pays_copay_only("office_visit")
    assert not plan.pays_copay_only("lab")


def test_plans_are_frozen():
    plan = parse_plan_benefits(PLAN)
    with pytest.raises(ValueError, match="frozen"):
        plan.coinsurance = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"deductible": {"individual": 1000, "family": 500}},
            r"deductible\.family: \$500 is below the individual amount \$1,000",
        ),
        (
            {"out_of_pocket_max": {"individual": 800, "family": 10000}},
            r"out_of_pocket_max: individual \$800 is below the individual deductible \$1,000",
        ),
        (
            {
                "deductible": {"individual": 1000, "family": 3000},
                "out_of_pocket_max": {"individual": 2000, "family": 2500},
            },
            r"out_of_pocket_max: family \$2,500 is below the family deductible \$3,000",
        ),
        ({"coinsurance": 1.2}, r"coinsurance: .*less than or equal to 1"),
        ({"coinsurance": -0.1}, r"coinsurance: .*greater than or equal to 0"),
        ({"deductible": {"individual": -5}}, r"deductible\.individual: .*greater than or equal"),
        ({"copays": {"emergency": -1}}, r"copays\.emergency: .*greater than or equal to 0"),
        ({"copays": {"preventive": 10}}, r"copays\.preventive: must be 0"),
        ({"copay_only": ["lab"]}, r"copay_only: 'lab' has no copay"),
        ({"copay_only": ["labs"]}, r"copay_only\[0\]: Input should be"),
        ({"plan_type": "PPOO"}, r"plan_type: Input should be"),
        ({"plan_year_start": "02-29"}, r"plan_year_start: '02-29' is not a month-day"),
        ({"plan_type": "HDHP"}, r"copay_only: an HDHP pays for nothing but preventive"),
        ({"premium": 500}, r"premium: unknown field"),
        (
            {"deductible": {"individual": 1000}, "family_deductible": "aggregate"},
            r"out_of_pocket_max: give a family amount for both",
        ),
        (
            {"price_to_medicare": {"professional": 2.5}},
            r"price_to_medicare\.professional: "
            r"2\.5 is above 1\.6",
        ),
        ({"price_to_medicare": {"institutional": 0}}, r"institutional: .*greater than 0"),
        ({"denials": {"professional": {"CO-61": 0.1}}}, r"denials\.professional: CO-61: unknown"),
        ({"denials": {"institutional": {"PR-27": 0.1}}}, r"PR-27 comes from the enrollment"),
        ({"denials": {"professional": {"CO-16": 0.7, "CO-50": 0.4}}}, r"add up to 1\.1"),
        ({"denials": {"resubmitted": {"CO-16": 1.5}}}, r"resubmitted\.CO-16: .*less than or"),
    ],
)
def test_spec_errors_name_the_field(change, message):
    with pytest.raises(SpecError, match=message):
        parse_plan_benefits(PLAN | change)


def test_out_of_pocket_max_is_required_and_null_means_no_limit():
    with pytest.raises(SpecError, match="out_of_pocket_max: Field required"):
        parse_plan_benefits({k: v for k, v in PLAN.items() if k != "out_of_pocket_max"})
    plan = parse_plan_benefits(PLAN | {"out_of_pocket_max": None, "deductible": {"individual": 1}})
    assert plan.out_of_pocket_max is None


def test_aggregate_needs_a_family_deductible():
    plan = PLAN | {
        "deductible": {"individual": 1000},
        "out_of_pocket_max": {"individual": 5000},
        "family_deductible": "aggregate",
    }
    with pytest.raises(SpecError, match="family_deductible: an aggregate deductible needs"):
        parse_plan_benefits(plan)


def test_file_errors_carry_the_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\n"
        "name: Bad\n"
        "plan_type: PPO\n"
        "deductible:\n"
        "  individual: 3000\n"
        "  family: 2000\n"
        "out_of_pocket_max: {individual: 5000, family: 10000}\n"
        "coinsurance: 0.2\n"
    )
    with pytest.raises(SpecError, match=r"bad\.yaml:6: deductible\.family: \$2,000 is below"):
        load_plan_benefits(path)


def test_unknown_shipped_name_suggests_the_closest():
    with pytest.raises(SpecError, match="did you mean 'commercial-ppo'"):
        load_plan_benefits("comercial-ppo")


def test_a_model_or_a_mapping_loads_as_is():
    plan = parse_plan_benefits(PLAN)
    assert load_plan_benefits(plan) is plan
    assert isinstance(load_plan_benefits(dict(PLAN)), BenefitPlan)
