"""PDC: the worked example of docs/rxmembersim.md by hand, a day-by-day reference on random
fills, and perfect adherence from a journey of on-time refills."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from handlers.rxmembersim import adherence

START = dt.date(2025, 1, 1)
ACE = "ACE inhibitor"


def fills(rows: list[tuple], member: str = "RX1") -> pa.Table:
    """(day, ingredient, drug_class, days_supply, status[, maintenance]) -> a fills table."""
    return pa.table(
        {
            "rx_member_id": [member] * len(rows),
            "person_id": ["P1"] * len(rows),
            "drug_class": [r[2] for r in rows],
            "ingredient": [r[1] for r in rows],
            "maintenance": [r[5] if len(r) > 5 else True for r in rows],
            "fill_date": pa.array([START + dt.timedelta(days=r[0]) for r in rows], pa.date32()),
            "days_supply": pa.array([r[3] for r in rows], pa.int32()),
            "status": [r[4] for r in rows],
        }
    )


# The worked example of docs/rxmembersim.md: a 120-day horizon (days 0-119).
WORKED = [
    (0, "lisinopril", ACE, 30, "paid"),
    (20, "lisinopril", ACE, 30, "paid"),
    (75, "lisinopril", ACE, 30, "paid"),
    (105, "lisinopril", ACE, 30, "reversed"),
    (100, "enalapril maleate", ACE, 30, "paid"),
    (90, "atorvastatin", "statin", 90, "paid"),
    (10, "amoxicillin", "aminopenicillin", 10, "paid", False),
]


def test_the_worked_example():
    table = adherence(fills(WORKED), START, 120)
    rows = {row["drug_class"]: row for row in table.to_pylist()}
    assert set(rows) == {ACE, "statin"}  # amoxicillin is no maintenance drug
    ace = rows[ACE]
    # lisinopril covers days 0-29; the day-20 fill starts when that runs out: 30-59; the day-75
    # fill 75-104; the reversed day-105 fill nothing. Enalapril is another ingredient, so it is
    # not shifted: 100-119 (cut at the end), of which 105-119 are new. 60 + 30 + 15 = 105.
    assert ace["first_fill_date"] == START
    assert ace["period_end_date"] == dt.date(2025, 4, 30)
    assert (ace["period_days"], ace["days_covered"], ace["fills"]) == (120, 105, 4)
    assert ace["pdc"] == 105 / 120
    assert ace["adherent"] and ace["pqa_denominator"]
    statin = rows["statin"]
    # one 90-day fill on day 90: the period is days 90-119, all covered
    assert (statin["period_days"], statin["days_covered"], statin["pdc"]) == (30, 30, 1.0)
    assert statin["first_fill_date"] == dt.date(2025, 4, 1)
    assert not statin["pqa_denominator"]  # a single fill


def test_without_the_shift_the_example_would_not_be_adherent():
    # the day-20 fill as a different ingredient covers 20-49 only: 95 days, PDC 0.79
    shifted = [WORKED[0], (20, "ramipril", ACE, 30, "paid"), *WORKED[2:5]]
    (row,) = adherence(fills(shifted), START, 120).to_pylist()
    assert row["days_covered"] == 95
    assert not row["adherent"]


def reference_pdc(rows: list[tuple], end_day: int) -> dict[str, tuple[int, int]]:
    """Day-by-day PQA PDC: {class: (days covered, period days)} from (day, ingredient, class,
    supply, status) rows."""
    out = {}
    for drug_class in {r[2] for r in rows if r[4] == "paid"}:
        paid = sorted(r for r in rows if r[2] == drug_class and r[4] == "paid")
        days: set[int] = set()
        for ingredient in {r[1] for r in paid}:
            free_from = 0
            for day, _, _, supply, _ in (r for r in paid if r[1] == ingredient):
                begin = max(day, free_from)
                days |= set(range(begin, min(begin + supply, end_day)))
                free_from = begin + supply
        first = min(r[0] for r in paid)
        out[drug_class] = (len(days), end_day - first)
    return out


fill_rows = st.lists(
    st.tuples(
        st.integers(0, 99),
        st.sampled_from(["lisinopril", "enalapril maleate", "atorvastatin"]),
        st.sampled_from([ACE, "statin"]),
        st.sampled_from([7, 30, 90]),
        st.sampled_from(["paid", "paid", "paid", "reversed", "rejected"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(fill_rows, st.integers(100, 200))
def test_matches_a_day_by_day_count(rows, end_day):
    table = adherence(fills(rows), START, end_day)
    got = {r["drug_class"]: (r["days_covered"], r["period_days"]) for r in table.to_pylist()}
    assert got == reference_pdc(rows, end_day)


def test_members_and_classes_are_measured_apart():
    table = pa.concat_tables([fills(WORKED, "RX1"), fills(WORKED[:2], "RX2")])
    result = adherence(table, START, 120)
    assert result.num_rows == 3
    rx2 = result.filter(pc.equal(result["rx_member_id"], "RX2")).to_pylist()[0]
    assert (rx2["days_covered"], rx2["period_days"]) == (60, 120)


def test_a_fractional_horizon_counts_its_last_partial_day():
    (row,) = adherence(fills([(0, "lisinopril", ACE, 30, "paid")]), START, 29.5).to_pylist()
    assert (row["period_days"], row["days_covered"], row["pdc"]) == (30, 30, 1.0)


def test_on_time_refills_give_pdc_one(fixtures, make_scenario):
    spec = make_scenario(
        str(fixtures / "on-time-refills.yaml"), disable_triggers=["pharmacy-claim-reversal"]
    )
    result = sim.run(spec, 200, seed=3)
    table = result.tables["adherence"]
    assert table.num_rows == 200
    assert pc.min(table["pdc"]).as_py() == 1.0
    fills_table = result.tables["fills"]
    assert pc.max(fills_table["refill_number"]).as_py() == 12  # 13 fills: days 0, 30, ... 360
