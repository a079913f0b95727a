"""Adjudication: hand-worked family example, deductible kinds, resets, and invariants."""

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.membersim import (
    CLAIM_COLUMNS,
    SERVICE_CATEGORIES,
    adjudicate,
    load_plan_benefits,
    parse_plan_benefits,
)

FAMILY_PPO = parse_plan_benefits(
    {
        "id": "family",
        "name": "Family PPO",
        "plan_type": "PPO",
        "deductible": {"individual": 1500, "family": 3000},
        "out_of_pocket_max": {"individual": 6000, "family": 12000},
        "coinsurance": 0.2,
        "copays": {"office_visit": 25, "specialist": 50, "inpatient_admission": 250},
        "copay_only": ["office_visit", "specialist"],
    }
)
AGGREGATE = FAMILY_PPO.model_copy(update={"id": "aggregate", "family_deductible": "aggregate"})
PLANS = {"family": FAMILY_PPO, "aggregate": AGGREGATE}


def claims(*rows: tuple) -> pa.Table:
    """Rows of (claim_id, member_id, family_id, plan_id, date, category, allowed[, denied])."""
    rows = [row if len(row) == 8 else (*row, False) for row in rows]
    columns = dict(zip(CLAIM_COLUMNS, zip(*rows, strict=True), strict=True))
    return pa.table(
        {
            name: pa.array(values, pa.date32() if name == "service_date" else None)
            for name, values in columns.items()
        }
    )


def by_claim(table: pa.Table) -> dict[str, dict]:
    return {row["claim_id"]: row for row in table.to_pylist()}


def d(month: int, day: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, day)


def test_hand_worked_family_with_embedded_deductible_and_oop_max():
    # Input deliberately out of order: application is by family, then (service_date, claim_id).
    table = claims(
        ("c6", "A", "A", "family", d(6, 1), "inpatient_admission", 30000.0),
        ("c1", "A", "A", "family", d(1, 10), "inpatient_admission", 2000.0),
        ("c3", "B", "A", "family", d(2, 1), "imaging", 2000.0),
        ("c2", "C", "A", "family", d(1, 20), "lab", 80.0),
        ("c4", "C", "A", "family", d(3, 1), "imaging", 1000.0),
        ("c7", "A", "A", "family", d(7, 1), "office_visit", 150.0),
        ("c8", "B", "A", "family", d(8, 1), "inpatient_admission", 50000.0),
        ("c9", "C", "A", "family", d(9, 1), "specialist", 200.0),
    )
    out = adjudicate(table, PLANS)
    assert out["claim_id"].to_pylist() == table["claim_id"].to_pylist()
    r = by_claim(out)
    # A: $250 admission copay, the whole $1,500 individual deductible, 20 % of the last $250.
    assert (r["c1"]["copay_usd"], r["c1"]["deductible_usd"], r["c1"]["coinsurance_usd"]) == (
        250.0,
        1500.0,
        50.0,
    )
    assert r["c1"]["paid_usd"] == 200.0
    # C pays $80 toward the deductible; the family has 1,580 of 3,000.
    assert r["c2"]["deductible_usd"] == 80.0 and r["c2"]["family_deductible_to_date"] == 1580.0
    # B meets the family deductible with 1,420, below the 1,500 individual amount.
    assert r["c3"]["deductible_usd"] == 1420.0 and r["c3"]["coinsurance_usd"] == 116.0
    assert r["c3"]["family_deductible_to_date"] == 3000.0
    # C has paid only $80 of deductible but the family met it: coinsurance from the first dollar.
    assert r["c4"]["deductible_usd"] == 0.0 and r["c4"]["coinsurance_usd"] == 200.0
    assert r["c4"]["member_deductible_to_date"] == 80.0
    # A reaches the $6,000 individual OOP max exactly: coinsurance is cut from 5,950 to 3,950.
    assert r["c6"]["coinsurance_usd"] == 3950.0 and r["c6"]["member_cost_share_usd"] == 4200.0
    assert r["c6"]["member_oop_to_date"] == 6000.0 and r["c6"]["paid_usd"] == 25800.0
    assert r["c7"]["member_cost_share_usd"] == 0.0 and r["c7"]["paid_usd"] == 150.0
    # B's share stops where the family reaches $12,000, before B's own $6,000.
    assert r["c8"]["member_cost_share_usd"] == 4184.0
    assert r["c8"]["family_oop_to_date"] == 12000.0 and r["c8"]["member_oop_to_date"] == 5720.0
    # After the family OOP max, even a copay is waived.
    assert r["c9"]["member_cost_share_usd"] == 0.0 and r["c9"]["paid_usd"] == 200.0


def test_aggregate_deductible_ignores_the_individual_amount():
    table = claims(
        ("a1", "A", "F", "aggregate", d(1, 5), "imaging", 2500.0),
        ("a2", "B", "F", "aggregate", d(1, 6), "imaging", 1000.0),
        ("e1", "A", "G", "family", d(1, 5), "imaging", 2500.0),
    )
    r = by_claim(adjudicate(table, PLANS))
    assert r["a1"]["deductible_usd"] == 2500.0  # above the 1,500 individual amount
    assert r["a2"]["deductible_usd"] == 500.0 and r["a2"]["family_deductible_to_date"] == 3000.0
    assert r["a2"]["coinsurance_usd"] == 100.0
    assert r["e1"]["deductible_usd"] == 1500.0  # embedded: stops at the individual amount


def test_copay_only_categories_skip_the_deductible_and_coinsurance():
    table = claims(
        ("o1", "A", "A", "family", d(1, 2), "office_visit", 180.0),
        ("o2", "A", "A", "family", d(1, 3), "inpatient_admission", 1000.0),
    )
    r = by_claim(adjudicate(table, PLANS))
    assert r["o1"]["member_cost_share_usd"] == 25.0 and r["o1"]["paid_usd"] == 155.0
    assert r["o1"]["member_deductible_to_date"] == 0.0 and r["o1"]["member_oop_to_date"] == 25.0
    # not copay-only: the copay, then the deductible on the rest
    assert (r["o2"]["copay_usd"], r["o2"]["deductible_usd"], r["o2"]["paid_usd"]) == (
        250.0,
        750.0,
        0.0,
    )


def test_copay_never_exceeds_allowed():
    r = by_claim(
        adjudicate(claims(("x", "A", "A", "family", d(1, 2), "office_visit", 10.0)), PLANS)
    )
    assert r["x"]["copay_usd"] == 10.0 and r["x"]["paid_usd"] == 0.0


def test_preventive_costs_nothing_before_the_deductible():
    table = claims(("p", "A", "A", "family", d(1, 2), "preventive", 350.0))
    r = by_claim(adjudicate(table, PLANS))
    assert r["p"]["member_cost_share_usd"] == 0.0 and r["p"]["paid_usd"] == 350.0
    assert r["p"]["member_deductible_to_date"] == 0.0


def test_denied_claims_pay_nothing_cost_nothing_and_do_not_accumulate():
    table = claims(
        ("d1", "A", "A", "family", d(1, 2), "imaging", 800.0, True),
        ("d2", "A", "A", "family", d(1, 3), "imaging", 100.0),
    )
    r = by_claim(adjudicate(table, PLANS))
    assert r["d1"]["paid_usd"] == 0.0 and r["d1"]["member_cost_share_usd"] == 0.0
    assert r["d1"]["member_deductible_to_date"] == 0.0 and r["d1"]["family_oop_to_date"] == 0.0
    assert r["d2"]["deductible_usd"] == 100.0 and r["d2"]["member_deductible_to_date"] == 100.0


def test_accumulators_reset_at_the_plan_year_start():
    july = FAMILY_PPO.model_copy(update={"id": "july", "plan_year_start": "07-01"})
    table = claims(
        ("j1", "A", "A", "july", d(6, 30), "imaging", 1500.0),
        ("j2", "A", "A", "july", d(7, 1), "imaging", 1000.0),
        ("k1", "A", "A", "family", d(12, 31), "imaging", 1500.0),
        ("k2", "A", "A", "family", d(1, 1, 2026), "imaging", 1000.0),
        ("k3", "A", "A", "family", d(11, 1), "imaging", 1000.0),
    )
    r = by_claim(adjudicate(table, {"july": july, "family": FAMILY_PPO}))
    assert r["j1"]["deductible_usd"] == 1500.0
    assert r["j2"]["deductible_usd"] == 1000.0 and r["j2"]["member_deductible_to_date"] == 1000.0
    assert r["k3"]["deductible_usd"] == 1000.0 and r["k1"]["deductible_usd"] == 500.0
    assert r["k2"]["deductible_usd"] == 1000.0 and r["k2"]["family_oop_to_date"] == 1000.0


def test_same_day_claims_apply_in_claim_id_order():
    table = claims(
        ("b", "A", "A", "family", d(1, 2), "imaging", 1000.0),
        ("a", "A", "A", "family", d(1, 2), "imaging", 1000.0),
    )
    r = by_claim(adjudicate(table, PLANS))
    assert r["a"]["deductible_usd"] == 1000.0 and r["b"]["deductible_usd"] == 500.0


def test_self_only_plan_members_do_not_share_limits():
    ppo = load_plan_benefits("commercial-ppo")  # no family amounts
    table = claims(
        ("s1", "A", "F", "commercial-ppo", d(1, 2), "imaging", 1500.0),
        ("s2", "B", "F", "commercial-ppo", d(1, 3), "imaging", 1500.0),
    )
    r = by_claim(adjudicate(table, {"commercial-ppo": ppo}))
    assert r["s2"]["deductible_usd"] == 1500.0 and r["s2"]["family_deductible_to_date"] == 3000.0


def test_amounts_are_rounded_to_cents_and_add_up():
    table = claims(
        ("r1", "A", "A", "family", d(1, 2), "imaging", 1600.555),
        ("r2", "A", "A", "family", d(1, 3), "imaging", 0.07),
    )
    r = by_claim(adjudicate(table, PLANS))
    assert r["r1"]["allowed"] == 1600.56
    assert r["r1"]["coinsurance_usd"] == 20.11  # 20 % of 100.56 is 20.112
    assert r["r2"]["coinsurance_usd"] == 0.01  # 20 % of 0.07 is 0.014


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan_id": ["nope"]}, "unknown plan 'nope'"),
        ({"service_category": ["offic_visit"]}, "did you mean 'office_visit'"),
        ({"allowed": [-1.0]}, r"claims\.allowed: amounts must be finite and >= 0"),
        ({"allowed": [None]}, r"claims\.allowed: 1 null"),
    ],
)
def test_bad_claims_are_errors_that_name_the_column(change, message):
    table = claims(("x", "A", "A", "family", d(1, 2), "office_visit", 100.0))
    for name, values in change.items():
        table = table.set_column(
            table.column_names.index(name), name, pa.array(values, table.schema.field(name).type)
        )
    with pytest.raises(ValueError, match=message):
        adjudicate(table, PLANS)


def test_missing_column_is_named():
    table = claims(("x", "A", "A", "family", d(1, 2), "office_visit", 100.0)).drop_columns(
        ["denied"]
    )
    with pytest.raises(ValueError, match="missing column 'denied'"):
        adjudicate(table, PLANS)


def test_result_columns_already_present_are_replaced():
    once = adjudicate(claims(("x", "A", "A", "family", d(1, 2), "imaging", 100.0)), PLANS)
    twice = adjudicate(once, PLANS)
    assert twice.equals(once)


def test_no_claims_no_rows():
    empty = claims(("x", "A", "A", "family", d(1, 2), "imaging", 100.0)).slice(0, 0)
    assert adjudicate(empty, PLANS).num_rows == 0


# Property: random plans and claim sequences keep every invariant.
amounts_usd = st.integers(0, 500_000).map(lambda cents: cents / 100)


@st.composite
def plans_and_claims(draw):
    deductible = draw(st.integers(0, 5000))
    oop = deductible + draw(st.integers(0, 8000))
    copays = {c: draw(st.integers(0, 300)) for c in ("office_visit", "emergency", "rx_tier1")}
    plan = parse_plan_benefits(
        {
            "id": "p",
            "name": "P",
            "plan_type": "PPO",
            "plan_year_start": draw(st.sampled_from(["01-01", "07-01"])),
            "deductible": {"individual": deductible, "family": deductible * 2},
            "out_of_pocket_max": {"individual": oop, "family": oop * 2},
            "family_deductible": draw(st.sampled_from(["embedded", "aggregate"])),
            "coinsurance": draw(st.floats(0, 1)),
            "copays": copays,
            "copay_only": draw(
                st.sampled_from([[], ["office_visit"], ["office_visit", "rx_tier1"]])
            ),
        }
    )
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["A", "B", "C", "D"]),
                st.integers(0, 800).map(lambda days: d(1, 1) + dt.timedelta(days)),
                st.sampled_from(SERVICE_CATEGORIES),
                amounts_usd,
                st.booleans(),
            ),
            min_size=1,
            max_size=40,
        )
    )
    # A, B and C are one family; D is alone
    table = claims(
        *[
            (f"c{i}", member, "G" if member == "D" else "F", "p", *rest)
            for i, (member, *rest) in enumerate(rows)
        ]
    )
    return plan, table


def cents(value: float) -> int:
    return round(value * 100)


@settings(max_examples=200, deadline=None)
@given(plans_and_claims())
def test_invariants_hold_for_random_claims(case):
    plan, table = case
    out = adjudicate(table, {"p": plan}).to_pylist()
    reversed_rows = table.take(list(range(table.num_rows - 1, -1, -1)))
    assert adjudicate(reversed_rows, {"p": plan}).to_pylist() == out[::-1]
    ded, ded_family = cents(plan.deductible.individual), cents(plan.deductible.family)
    oop, oop_family = cents(plan.out_of_pocket_max.individual), cents(plan.out_of_pocket_max.family)
    for row in out:
        parts = [cents(row[k]) for k in ("copay_usd", "deductible_usd", "coinsurance_usd")]
        share, paid = cents(row["member_cost_share_usd"]), cents(row["paid_usd"])
        assert min(*parts, share, paid) >= 0
        assert share == sum(parts)
        if row["denied"]:
            assert share == paid == 0
        else:
            assert cents(row["allowed"]) == paid + share
        assert cents(row["family_deductible_to_date"]) <= ded_family
        assert cents(row["family_oop_to_date"]) <= oop_family
        assert cents(row["member_oop_to_date"]) <= oop
        if plan.family_deductible == "embedded":
            assert cents(row["member_deductible_to_date"]) <= ded
        assert cents(row["member_deductible_to_date"]) <= cents(row["member_oop_to_date"])
        if row["service_category"] == "preventive":
            assert share == 0
    # the family's accumulator is the sum of its shares in each plan year
    month, day = plan.plan_year_start_month_day
    totals: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    for row in sorted(out, key=lambda r: (r["service_date"], int(r["claim_id"][1:]))):
        date = row["service_date"]
        key = (row["family_id"], date.year - (date < date.replace(month=month, day=day)))
        totals[key] = totals.get(key, 0) + cents(row["member_cost_share_usd"])
        last[key] = max(last.get(key, 0), cents(row["family_oop_to_date"]))
    assert totals == last


# docs/plans-and-adjudication.md: its examples run and its worked example is what we compute.
DOC = Path(__file__).parents[2] / "docs" / "plans-and-adjudication.md"


def doc_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text("utf-8"), re.S | re.M)


def test_docs_examples_run():
    (plan_yaml,) = doc_blocks("yaml")
    parse_plan_benefits(yaml.safe_load(plan_yaml), source=str(DOC))
    for code in doc_blocks("python"):
        exec(compile(code, str(DOC), "exec"), {})


def usd(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_docs_worked_example_matches():
    plan = parse_plan_benefits(yaml.safe_load(doc_blocks("yaml")[0]))
    documented = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in DOC.read_text("utf-8").splitlines()
        if re.match(r"\| c\d+ \|", line)
    ]
    assert len(documented) == 8
    table = claims(
        *[
            (claim, member, "A", plan.id, dt.date.fromisoformat(f"2025-{day}"), category, usd(a))
            for claim, day, member, category, a, *_ in documented
        ]
    )
    results = adjudicate(table, {plan.id: plan}).to_pylist()
    for row, result in zip(documented, results, strict=True):
        assert [usd(cell) for cell in row[5:]] == [result[k] for k in DOC_COLUMNS]


DOC_COLUMNS = (
    "copay_usd",
    "deductible_usd",
    "coinsurance_usd",
    "member_cost_share_usd",
    "paid_usd",
    "family_deductible_to_date",
    "member_oop_to_date",
    "family_oop_to_date",
)
