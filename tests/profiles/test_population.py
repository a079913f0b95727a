"""Age bands, conditional labs, birth dates, names and determinism of the persons table."""

import datetime as dt
import math

import numpy as np
import pytest

from sim.errors import SpecError
from sim.profiles import generate_population, load_profile

BASE = {
    "demographics": {
        "age": {"type": "normal", "mean": 50, "std_dev": 15, "min": 18, "max": 90},
        "sex": {"type": "categorical", "weights": {"M": 0.5, "F": 0.5}},
    }
}


def test_pediatric_age_bands_shares_and_bounds():
    bands = {"0-2": 0.15, "3-5": 0.15, "6-12": 0.35, "13-17": 0.35}
    table = generate_population("medicaid-pediatric", 20_000, seed=3).table
    ages = table.column("age").to_numpy()
    assert ages.min() >= 0 and ages.max() <= 17
    for label, share in bands.items():
        low, high = map(int, label.split("-"))
        assert abs(np.mean((ages >= low) & (ages <= high)) - share) <= 0.015


def test_a1c_matches_each_severity_branch_mean():
    table = generate_population("medicare-diabetic", 8000, seed=11).table
    a1c = table.column("a1c").to_numpy()
    severity = np.asarray(table.column("severity").to_pylist())
    # the branches are normal(6.8, 0.4), (7.8, 0.8), (9.5, 1.0) truncated far out at [5, 14]
    for level, mean, sd in (
        ("controlled", 6.8, 0.4),
        ("with_complications", 7.8, 0.8),
        ("uncontrolled", 9.5, 1.0),
    ):
        values = a1c[severity == level]
        assert values.size > 500
        assert abs(values.mean() - mean) <= 4 * sd / math.sqrt(values.size)
    controlled = a1c[severity == "controlled"].mean()
    assert a1c[severity == "uncontrolled"].mean() - controlled == pytest.approx(2.7, abs=0.15)


def test_birth_date_gives_exactly_the_age_on_the_reference_date():
    spec = {**BASE, "generation": {"reference_date": "2024-02-29"}}
    table = generate_population(spec, 3000, seed=5).table
    reference = dt.date(2024, 2, 29)
    for born, age in zip(
        table.column("birth_date").to_pylist(), table.column("age").to_pylist(), strict=True
    ):
        had_birthday = (born.month, born.day) <= (reference.month, reference.day)
        assert reference.year - born.year - (0 if had_birthday else 1) == age


def test_birth_dates_spread_over_the_year():
    table = generate_population(BASE, 4000, seed=8).table
    months = {d.month for d in table.column("birth_date").to_pylist()}
    assert months == set(range(1, 13))


def test_person_i_is_the_same_in_small_and_large_populations():
    small = generate_population("medicare-diabetic", 5, seed=9).table
    large = generate_population("medicare-diabetic", 10_000, seed=9).table
    assert small.equals(large.slice(0, 5))


def test_a_slice_generated_alone_equals_the_same_rows_of_a_whole_run():
    whole = generate_population("medicare-diabetic", 3000, seed=9).table
    part = generate_population("medicare-diabetic", 700, seed=9, start=1500).table
    assert part.equals(whole.slice(1500, 700))


def test_same_seed_same_table_and_seed_zero_is_a_seed():
    first = generate_population("commercial-healthy", 2000, seed=0).table
    assert first.equals(generate_population("commercial-healthy", 2000, seed=0).table)
    assert not first.equals(generate_population("commercial-healthy", 2000, seed=1).table)


def test_names_agree_with_sex_and_can_be_turned_off():
    from sim.profiles.names import name_sampler

    table = generate_population(BASE, 2000, seed=4).table
    male_names = set(name_sampler().male.values.tolist())
    for sex, first in zip(
        table.column("sex").to_pylist(), table.column("first_name").to_pylist(), strict=True
    ):
        assert (first in male_names) == (sex == "M")
    assert all(line.split()[0].isdigit() for line in table.column("address_line").to_pylist())
    bare = generate_population(BASE, 10, seed=4, names=False).table
    assert "first_name" not in bare.column_names


def test_conditions_list_matches_the_flags():
    table = generate_population("chf-medicare", 1000, seed=2).table
    rows = table.to_pylist()
    for row in rows:
        flagged = {
            c
            for c in ("I50.9", "I10", "I25.10", "I48.91", "E11.9", "N18.3")
            if row["has_" + c.replace(".", "_")]
        }
        assert set(row["conditions"]) == flagged


def test_comorbidity_that_depends_on_severity_follows_its_rule():
    table = generate_population("medicare-diabetic", 20_000, seed=12).table
    severity = np.asarray(table.column("severity").to_pylist())
    ckd = table.column("has_N18_3").to_numpy(zero_copy_only=False)
    uncontrolled = ckd[severity == "uncontrolled"]
    assert abs(uncontrolled.mean() - 0.38) <= 4 * math.sqrt(0.38 * 0.62 / uncontrolled.size)


@pytest.mark.parametrize("count", [0, -5, 10**12, True, 2.5])
def test_counts_out_of_range_are_refused(count):
    with pytest.raises(SpecError, match="count"):
        generate_population(BASE, count, seed=1)


def test_load_profile_from_a_path_and_a_shipped_name(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "id: mine\ndemographics:\n  age: {type: fixed, value: 30}\n"
        "  sex: {type: categorical, weights: {F: 1.0}}\n"
    )
    assert load_profile(path).id == "mine"
    assert load_profile("medicare-diabetic").id == "medicare-diabetic"
