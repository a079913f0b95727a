"""Loading: the HealthSim form, invalid fixtures with located errors."""

import json

import pytest

from sim.errors import SpecError
from sim.profiles import compile_profile, generate_population, load_profile


def test_healthsim_template_loads_with_our_semantics(fixtures):
    spec = load_profile(json.loads((fixtures / "healthsim_medicare_diabetic.json").read_text()))
    profile = compile_profile(spec)
    assert spec.id == "medicare-diabetic"
    assert [c.code for c in profile.conditions][:2] == ["E11", "I10"]
    # has_condition('N18.3') became the flag; the {"else": true} rule became the default
    table = generate_population(spec, 3000, seed=1).table
    egfr = table.column("egfr").to_numpy()
    ckd = table.column("has_N18_3").to_numpy(zero_copy_only=False)
    assert ((egfr[ckd] >= 30) & (egfr[ckd] <= 59)).all()
    assert (egfr[~ckd] >= 60).all()  # truncated at 60, not clamped: no pile-up at 60
    assert (egfr[~ckd] == 60).sum() == 0


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("unknown_key", r"unknown_key.yaml:\d+: demographics\.agee: unknown field"),
        ("bad_weights", r"bad_weights.yaml:\d+: demographics\.sex\.weights: weights sum to 0\.9"),
        (
            "unknown_attribute",
            r"comorbidities\[0\]\.prevalence\.rules\[0\]\.if: unknown attribute "
            r"'agee'.*did you mean 'age'",
        ),
        ("bad_code", r"comorbidities\[0\]\.code: .*ICD-10-CM"),
        ("medicare_too_young", r"coverage\.type: coverage is Medicare"),
        ("unbounded_age", r"demographics\.age: ages can fall outside"),
        ("bad_yaml", r"bad_yaml.yaml:\d+: invalid YAML"),
    ],
)
def test_invalid_profiles_give_one_located_error(fixtures, fixture, message):
    path = fixtures / "invalid" / f"{fixture}.yaml"
    with pytest.raises(SpecError, match=message):
        compile_profile(load_profile(path), source=str(path))


def test_unknown_shipped_name_suggests_the_closest():
    with pytest.raises(SpecError, match="did you mean 'medicare-diabetic'"):
        load_profile("medicare-diabetc")
