"""``--set key=value`` with bad paths and hostile values: one SpecError naming the override
(or the field it set), and from the CLI exit 2 with one line, no traceback, no output."""

from __future__ import annotations

import pytest

import sim
from sim.cli import main
from sim.errors import SpecError

BOMB = "[" + ", ".join(["&a [x]"] + ["*a"] * 101) + "]"
# (override, what the error names)
BAD = [
    ("horizon_days", "not key=value"),
    ("=5", "not key=value"),
    ("horizon_dayz=60", "horizon_dayz"),
    ("a..b=1", "no 'a' to change"),
    ("journeys.x.y=1", "no 'journeys' to change"),
    ("households.5.key=x", "items 0 to 0"),
    ("households.0.members.-1.age=5", "items 0 to 2"),
    ("households.0.key.x=1", "holds no fields"),
    ("horizon_days=1e9", "less than or equal to 36600"),
    ("horizon_days=.nan", "finite"),
    ("horizon_days=.inf", "finite"),
    ("horizon_days=[", "valid number"),
    ("horizon_days=" + "9" * 5000, "finite"),
    ("horizon_days=!!python/object/apply:os.system ['echo owned']", "valid number"),
    ("count=1000000000000", "less than or equal to 100000000"),
    ("seed=-1", "greater than or equal to 0"),
    ("start_date=2024-02-30", "valid date"),
    ("start_date=0001-01-01", "greater than or equal to 1900-01-01"),
    ("id=" + "x" * 20_000, "characters"),
    ("households.0.members.0.attributes.x=" + "9" * 30, "64 bits"),
    ("journeys=&a [*a]", "contains itself"),
    (f"journeys={BOMB}", "aliases"),
    ("households.0.members.0.age={a: 1, a: 2}", "duplicate key"),
    ("products=[patientsim, nope]", "products"),
    ("triggers=[{id: x}]", "triggers[0]"),
    ("households=[]", "at least 1 item"),
]


@pytest.mark.parametrize(("override", "named"), BAD, ids=[text[:30] for text, _ in BAD])
def test_a_bad_override_is_one_spec_error(tally, override, named):
    with pytest.raises(SpecError) as caught:
        sim.load_scenario("oswald-family", overrides=[override])
    assert named in str(caught.value)
    assert len(str(caught.value)) < 400
    tally["hostile values", "--set", "refused"] += 1


@pytest.mark.parametrize("overrides", ["horizon_days=5", [5], [None], [b"x=1"]])
def test_overrides_that_are_not_key_value_texts(overrides):
    with pytest.raises(SpecError, match="key=value"):
        sim.run("oswald-family", 1, seed=1, overrides=overrides)


@pytest.mark.parametrize("override", [text for text, _ in BAD[::5]])
def test_the_cli_exits_2_on_a_bad_override(tmp_path, capsys, override):
    out = tmp_path / "out.duckdb"
    with pytest.raises(SystemExit) as exited:
        main(["run", "oswald-family", "--set", override, "-o", str(out), "-w", "1", "-q"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not out.exists()


def test_a_good_override_still_applies():
    scenario = sim.load_scenario("oswald-family", overrides=["horizon_days=60", "seed=9"])
    assert scenario.spec.horizon_days == 60 and scenario.spec.seed == 9
