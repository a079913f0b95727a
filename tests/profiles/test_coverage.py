"""Coverage agrees with age; impossible requests are errors, not nonsense."""

import numpy as np
import pytest

from sim.errors import SpecError
from sim.profiles import compile_profile, generate_population, load_profile

SEX = {"type": "categorical", "weights": {"M": 0.5, "F": 0.5}}


def _profile(age, coverage):
    return {"demographics": {"age": age, "sex": SEX}, "coverage": coverage}


def test_medicare_for_under_65_is_refused_without_a_reason():
    spec = _profile({"type": "uniform", "min": 40, "max": 90}, {"type": "Medicare"})
    with pytest.raises(SpecError, match=r"coverage\.type: .*below 65"):
        compile_profile(load_profile(spec))


def test_medicare_under_65_takes_disability_or_esrd_reasons():
    spec = _profile(
        {"type": "uniform", "min": 40, "max": 90},
        {"type": "Medicare", "medicare_under_65_reasons": {"disability": 0.8, "esrd": 0.2}},
    )
    table = generate_population(spec, 3000, seed=1).table
    ages = table.column("age").to_numpy()
    reasons = np.asarray(table.column("medicare_reason").to_pylist())
    assert set(reasons[ages < 65]) == {"disability", "esrd"}
    assert set(reasons[ages >= 65]) == {"age"}


def test_chip_for_adults_is_refused():
    spec = _profile({"type": "uniform", "min": 0, "max": 30}, {"type": "CHIP"})
    with pytest.raises(SpecError, match="CHIP"):
        compile_profile(load_profile(spec))


def test_coverage_by_age_when_no_type_is_given():
    spec = _profile({"type": "uniform", "min": 0, "max": 95}, None)
    del spec["coverage"]
    table = generate_population(spec, 20_000, seed=2).table
    ages = table.column("age").to_numpy()
    kinds = np.asarray(table.column("coverage_type").to_pylist())
    assert set(kinds[ages >= 65]) == {"Medicare"}
    assert "Medicare" not in set(kinds[ages < 65])
    children = kinds[ages <= 18]
    # about 38% of children on Medicaid (KFF), 4 standard errors
    assert abs(np.mean(children == "Medicaid") - 0.38) <= 4 * (0.38 * 0.62 / children.size) ** 0.5


def test_a_coverage_rule_that_gives_medicare_too_young_is_caught_at_run_time():
    spec = _profile(
        {"type": "uniform", "min": 50, "max": 90},
        {
            "type": {
                "type": "conditional",
                "rules": [
                    {"if": "age >= 60", "distribution": {"type": "fixed", "value": "Medicare"}}
                ],
                "default": {"type": "fixed", "value": "Commercial"},
            }
        },
    )
    with pytest.raises(SpecError, match="under 65 were given Medicare"):
        generate_population(spec, 500, seed=1)


def test_plan_mix_needs_a_single_coverage_type():
    spec = _profile({"type": "uniform", "min": 20, "max": 60}, {"plan_distribution": {"PPO": 1.0}})
    with pytest.raises(SpecError, match="plan_distribution"):
        compile_profile(load_profile(spec))
