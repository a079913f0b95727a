"""The MemberSim tables of a run: schemas, money that adds up, family accumulators within the
plan's limits, claims only inside coverage, and draws that depend only on seed and person."""

import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import sim
from handlers.membersim import load_plan_benefits
from handlers.membersim.enrollment import ENROLLMENT_SCHEMA
from handlers.membersim.members import MEMBER_SCHEMA
from handlers.membersim.premiums import PREMIUM_SCHEMA
from handlers.membersim.schemas import CLAIM_LINE_SCHEMA, CLAIM_SCHEMA

TABLES = ("members", "enrollments", "claims", "claim_lines", "premiums")
SCHEMAS = {
    "members": MEMBER_SCHEMA,
    "enrollments": ENROLLMENT_SCHEMA,
    "claims": CLAIM_SCHEMA,
    "claim_lines": CLAIM_LINE_SCHEMA,
    "premiums": PREMIUM_SCHEMA,
}
RUNS = ("oswald", "diabetic", "chf", "surgeries", "changes")


def cents(column: pa.ChunkedArray) -> np.ndarray:
    return np.round(column.to_numpy() * 100).astype(np.int64)


def test_the_five_tables_have_their_schemas(oswald):
    for name in TABLES:
        assert oswald.tables[name].schema == SCHEMAS[name], name
    assert oswald.tables["members"].num_rows == 3
    assert oswald.tables["enrollments"].num_rows == 3
    assert oswald.tables["premiums"].num_rows == 3 * 12


@pytest.mark.parametrize("run", RUNS)
def test_every_claim_reconciles_in_cents(run, request):
    claims = request.getfixturevalue(run).tables["claims"]
    assert claims.num_rows > 0
    allowed, paid = cents(claims["allowed_usd"]), cents(claims["paid_usd"])
    share = cents(claims["member_cost_share_usd"])
    assert (allowed == paid + share).all()
    parts = sum(cents(claims[c]) for c in ("copay_usd", "deductible_usd", "coinsurance_usd"))
    assert (share == parts).all()
    assert (paid >= 0).all() and (share >= 0).all()
    assert (cents(claims["billed_usd"]) >= allowed).all()
    denied = claims["status"].to_numpy(zero_copy_only=False) == "denied"
    assert (allowed[denied] == 0).all()
    assert set(claims["status"].to_pylist()) <= {"paid", "denied"}


@pytest.mark.parametrize("run", ["oswald", "chf", "surgeries"])
def test_lines_add_up_to_their_claim(run, request):
    tables = request.getfixturevalue(run).tables
    lines = tables["claim_lines"]
    assert (
        cents(lines["allowed_usd"])
        == cents(lines["paid_usd"]) + cents(lines["member_cost_share_usd"])
    ).all()
    sums = lines.group_by("claim_id").aggregate(
        [(c, "sum") for c in ("billed_usd", "allowed_usd", "paid_usd", "member_cost_share_usd")]
    )
    claims = tables["claims"]
    index = pc.index_in(claims["claim_id"], sums["claim_id"])
    assert index.null_count == 0
    for name in ("billed_usd", "allowed_usd", "paid_usd", "member_cost_share_usd"):
        summed = cents(pc.take(sums[f"{name}_sum"], index))
        assert (summed == cents(claims[name])).all(), name


def test_the_oswald_family_shares_its_accumulators(oswald):
    claims = oswald.tables["claims"]
    assert set(claims["member_id"].to_pylist()) == {"M000000000", "M000000001", "M000000002"}
    assert set(claims["subscriber_id"].to_pylist()) == {"M000000000"}
    plan = load_plan_benefits("family-ppo")
    order = pc.sort_indices(claims, [("service_date", "ascending"), ("claim_id", "ascending")])
    ordered = claims.take(order)
    # the family total after each claim is the running sum over all three members
    running = np.cumsum(cents(ordered["member_cost_share_usd"]))
    assert (cents(ordered["family_oop_to_date"]) == running).all()
    assert len(set(ordered["member_id"].to_pylist())) == 3
    assert running[-1] <= plan.out_of_pocket_max.family * 100
    assert pc.max(claims["family_deductible_to_date"]).as_py() <= plan.deductible.family
    assert pc.max(claims["member_oop_to_date"]).as_py() <= plan.out_of_pocket_max.individual


def test_family_limits_hold_when_they_are_reached(surgeries):
    claims = surgeries.tables["claims"]
    plan = load_plan_benefits("family-ppo")
    family_oop = claims["family_oop_to_date"].to_numpy()
    family_deductible = claims["family_deductible_to_date"].to_numpy()
    assert family_oop.max() == plan.out_of_pocket_max.family  # reached, never passed
    assert family_deductible.max() == plan.deductible.family
    assert claims["member_oop_to_date"].to_numpy().max() == plan.out_of_pocket_max.individual
    assert claims["member_deductible_to_date"].to_numpy().max() == plan.deductible.individual
    # each family's members pay no more in total than the family maximum
    totals = claims.group_by("subscriber_id").aggregate([("member_cost_share_usd", "sum")])
    assert max(totals["member_cost_share_usd_sum"].to_pylist()) <= 12_000 + 1e-6
    assert totals.num_rows == 40


@pytest.mark.parametrize("run", RUNS)
def test_claims_are_covered_or_denied_for_eligibility(run, request):
    tables = request.getfixturevalue(run).tables
    spans: dict[str, list[tuple]] = {}
    for span in tables["enrollments"].to_pylist():
        spans.setdefault(span["member_id"], []).append(span)
    for claim in tables["claims"].to_pylist():
        day = claim["service_date"]
        holding = [s for s in spans[claim["member_id"]] if s["start_date"] <= day <= s["end_date"]]
        if holding:
            assert claim["coverage"] == "covered"
            assert claim["plan_id"] == holding[0]["plan_id"]
            assert claim["denial_code"] not in ("PR-26", "PR-27")
        else:
            assert claim["status"] == "denied"
            assert claim["denial_code"] == ("PR-26" if claim["coverage"] == "before" else "PR-27")


def test_no_paid_claim_outside_coverage(changes):
    claims = changes.tables["claims"]
    outside = claims.filter(pc.not_equal(claims["coverage"], "covered"))
    assert outside.num_rows == 2  # one before joining, one after leaving
    assert set(outside["status"].to_pylist()) == {"denied"}


def parquet_bytes(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_same_seed_same_bytes(oswald):
    again = sim.run("oswald-family")
    for name in TABLES:
        assert parquet_bytes(again.tables[name]) == parquet_bytes(oswald.tables[name]), name


def test_another_seed_other_claims(oswald):
    other = sim.run("oswald-family", seed=8)
    assert not other.tables["claims"]["billed_usd"].equals(oswald.tables["claims"]["billed_usd"])


def member_rows(result: sim.RunResult, name: str, members: set[str]) -> pa.Table:
    table = result.tables[name]
    return table.filter(pc.is_in(table["member_id"], pa.array(sorted(members))))


def test_a_person_does_not_change_when_persons_are_added_or_shards_change():
    small = sim.run("medicare-diabetic", 30, seed=4)
    large = sim.run("medicare-diabetic", 90, seed=4, shard_size=16)
    members = set(small.tables["members"]["member_id"].to_pylist())
    for name in TABLES:
        assert member_rows(large, name, members).equals(small.tables[name]), name


def test_household_copies_are_families_of_their_own():
    copies = sim.run("oswald-family", 4)
    claims = copies.tables["claims"]
    subscribers = set(claims["subscriber_id"].to_pylist())
    assert len(subscribers) == 4
    for subscriber in subscribers:
        family = claims.filter(pc.equal(claims["subscriber_id"], subscriber))
        ordered = family.take(
            pc.sort_indices(family, [("service_date", "ascending"), ("claim_id", "ascending")])
        )
        running = np.cumsum(cents(ordered["member_cost_share_usd"]))
        assert (cents(ordered["family_oop_to_date"]) == running).all()
