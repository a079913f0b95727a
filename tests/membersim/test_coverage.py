"""Plan labels of the profiles to shipped benefit plans; who is not a member."""

from pathlib import Path

import pytest
import yaml

from handlers.membersim import PLAN_LABELS, load_plan_benefits, resolve_plans
from handlers.membersim.coverage import PLAN_MARKETS, UNINSURED
from sim.errors import SpecError
from sim.profiles.coverage import DEFAULT_PLANS
from sim.specio import shipped_names

PROFILES = Path(__file__).parents[2] / "scenarios" / "profiles"


def profile_labels() -> set[str]:
    labels: set[str] = set()
    for path in PROFILES.glob("*.yaml"):
        coverage = yaml.safe_load(path.read_text("utf-8")).get("coverage") or {}
        labels |= set(coverage.get("plan_distribution") or {})
    return labels


def test_every_label_a_profile_can_draw_has_a_plan():
    labels = profile_labels() | {label for mix in DEFAULT_PLANS.values() for label in mix}
    assert {"Medicare Advantage", "Original Medicare", "PPO", "HDHP", "HMO", "POS"} <= labels
    ids, plans = resolve_plans(sorted(labels), [40] * len(labels))
    for label, plan_id in zip(sorted(labels), ids, strict=True):
        if label == UNINSURED:
            assert plan_id is None
        else:
            assert plan_id in shipped_names("plans"), label
            assert plans[plan_id].id == plan_id


def test_labels_map_to_plans_of_their_kind():
    kinds = {label: load_plan_benefits(plan).plan_type for label, plan in PLAN_LABELS.items()}
    assert kinds["Medicare Advantage"] == "Medicare Advantage"
    assert kinds["Original Medicare"] == "Original Medicare"
    for label in ("PPO", "HMO", "HDHP", "POS"):
        assert kinds[label] == label
    assert kinds["CHIP"] == "CHIP"
    assert kinds["Medicaid Fee-for-Service"] == "Medicaid"


def test_medicaid_children_pay_nothing():
    ids, plans = resolve_plans(["Medicaid Managed Care"] * 2, [12, 30])
    assert ids == ["medicaid-child", "medicaid"]
    child = plans["medicaid-child"]
    assert child.out_of_pocket_max.individual == 0 and child.deductible.individual == 0


def test_a_household_plan_id_or_a_plan_file_is_used_as_is(tmp_path):
    path = tmp_path / "my-plan.yaml"
    path.write_text(
        "id: my-plan\nname: Mine\nplan_type: HMO\ndeductible: {individual: 100}\n"
        "out_of_pocket_max: {individual: 1000}\ncoinsurance: 0.1\n"
    )
    ids, plans = resolve_plans(["family-ppo", str(path), "None", None], [40, 40, 40, 40])
    assert ids == ["family-ppo", "my-plan", None, None]
    assert set(plans) == {"family-ppo", "my-plan"}


def test_an_unknown_plan_is_a_spec_error_that_names_it():
    with pytest.raises(SpecError, match=r"persons\.plan: unknown plan 'Platnum'.*'Platinum'"):
        resolve_plans(["Platnum"], [40])


def test_markets_hold_shipped_plans_of_one_kind():
    for market in PLAN_MARKETS:
        kinds = {load_plan_benefits(p).plan_type for p in market}
        assert len(market) >= 2
        assert kinds <= {"Medicare Advantage", "Original Medicare"} or "Medicare Advantage" not in (
            kinds
        )
