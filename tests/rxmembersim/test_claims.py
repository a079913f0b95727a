"""Pharmacy claims: reversals point at what they reverse and are not counted as paid, prices
come from the drug table, cost sharing from the member's benefit plan, prior authorization
rejects then rebills, members without drug coverage are rejected with code 65."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from handlers.rxmembersim import load_pharmacy_benefit, records
from sim.codes import load_drugs
from sim.errors import SpecError

SEMAGLUTIDE = {"rxnorm": "2398841", "ndc": "00169413013", "quantity": 3, "days_supply": 28}


def _rows(table, **equal):
    for name, value in equal.items():
        table = table.filter(pc.equal(table[name], value))
    return table.to_pylist()


def test_reversals_point_to_the_claim_they_reverse(diabetic_run):
    claims = diabetic_run.tables["pharmacy_claims"]
    by_id = {row["claim_id"]: row for row in claims.to_pylist()}
    reversals = _rows(claims, transaction_type="reversal")
    reversed_ = _rows(claims, transaction_type="billing", status="reversed")
    assert len(reversals) == len(reversed_) > 50
    assert sorted(r["reverses_claim_id"] for r in reversals) == sorted(
        r["claim_id"] for r in reversed_
    )
    for reversal in reversals:
        original = by_id[reversal["reverses_claim_id"]]
        assert reversal["caused_by"] == original["event_id"]  # the reversal event's cause
        assert reversal["fill_id"] == original["fill_id"]
        assert reversal["claim_date"] >= original["claim_date"]
        for money in ("ingredient_cost_usd", "gross_amount_due_usd", "paid_usd", "copay_usd"):
            assert reversal[money] == -original[money]
    assert all(r["reverses_claim_id"] is None for r in _rows(claims, transaction_type="billing"))


def test_every_reversal_event_of_a_paid_claim_makes_a_reversal(diabetic_run):
    events = diabetic_run.tables["events"]
    claims = diabetic_run.tables["pharmacy_claims"]
    reversal_events = events.filter(pc.equal(events["event_type"], "pharmacy_claim_reversal"))
    covered_claims = claims.filter(pc.is_valid(claims["benefit_plan_id"]))["event_id"]
    expected = reversal_events.filter(pc.is_in(reversal_events["caused_by"], covered_claims))
    made = claims.filter(pc.equal(claims["transaction_type"], "reversal"))
    assert sorted(made["event_id"].to_pylist()) == sorted(expected["event_id"].to_pylist())


def test_reversed_claims_are_not_counted_as_paid(diabetic_run):
    claims = diabetic_run.tables["pharmacy_claims"]
    paid = claims.filter(pc.equal(claims["status"], "paid"))
    net = pc.sum(claims["paid_usd"]).as_py()
    assert net == pytest.approx(pc.sum(paid["paid_usd"]).as_py(), abs=0.005)
    reversed_total = pc.sum(
        claims.filter(pc.equal(claims["status"], "reversed"))["paid_usd"]
    ).as_py()
    assert reversed_total == pytest.approx(0, abs=0.005)  # each reversal cancels its claim
    fills = diabetic_run.tables["fills"]
    reversed_fills = set(_column(fills.filter(pc.equal(fills["status"], "reversed")), "fill_id"))
    reversal_rows = claims.filter(pc.equal(claims["transaction_type"], "reversal"))
    assert set(_column(reversal_rows, "fill_id")) <= reversed_fills


def _column(table, name):
    return table[name].to_pylist()


def test_prices_come_from_the_drug_table_and_plan(diabetic_run):
    drugs = load_drugs()
    config = load_pharmacy_benefit()
    for claim in _rows(diabetic_run.tables["pharmacy_claims"], status="paid")[:2000]:
        drug = drugs.by_ndc(claim["ndc"])
        assert claim["rxnorm"] == drug.rxnorm
        assert claim["ingredient_cost_usd"] == round(drug.unit_price_usd * claim["quantity"], 2)
        assert claim["gross_amount_due_usd"] == pytest.approx(
            claim["ingredient_cost_usd"] + claim["dispensing_fee_usd"], abs=0.005
        )
        assert claim["patient_pay_usd"] + claim["paid_usd"] == pytest.approx(
            claim["gross_amount_due_usd"], abs=0.005
        )
        plan = config.plan(claim["benefit_plan_id"])
        tier_copay = getattr(plan.copays, f"rx_tier{claim['formulary_tier']}")
        if tier_copay is not None:  # copay-only tiers: the lesser of the copay and the price
            assert claim["copay_usd"] == min(tier_copay, claim["gross_amount_due_usd"])
            assert claim["patient_pay_usd"] == claim["copay_usd"]


def test_part_d_members_pay_the_standard_deductible(diabetic_run):
    claims = diabetic_run.tables["pharmacy_claims"]
    part_d = _rows(claims, benefit_plan_id="medicare-part-d", status="paid")
    assert part_d
    for claim in part_d:
        # cheap generics stay under the $590 deductible all year: the member pays the price
        assert claim["deductible_usd"] == claim["gross_amount_due_usd"]
        assert claim["paid_usd"] == 0


def test_members_without_drug_coverage_are_rejected_with_code_65(diabetic_run):
    members = diabetic_run.tables["rx_members"]
    persons = diabetic_run.tables["persons"]
    uncovered = set(_column(persons.filter(pc.invert(persons["part_d_enrolled"])), "person_id"))
    assert set(_column(members.filter(pc.invert(members["drug_coverage"])), "person_id")) == (
        uncovered
    )
    claims = diabetic_run.tables["pharmacy_claims"]
    theirs = claims.filter(pc.is_in(claims["person_id"], pa.array(sorted(uncovered), pa.string())))
    assert theirs.num_rows > 0
    assert set(_column(theirs, "status")) == {"rejected"}
    assert set(_column(theirs, "reject_code")) == {"65"}
    assert pc.sum(theirs["paid_usd"]).as_py() == 0


def test_prior_authorization_rejects_then_rebills(glp1_run):
    claims = glp1_run.tables["pharmacy_claims"]
    fills = {row["fill_id"]: row for row in glp1_run.tables["fills"].to_pylist()}
    rejections = _rows(claims, status="rejected", reject_code="75")
    assert len(rejections) == 300  # the first claim of each member, and only that one
    rebills = {row["claim_id"]: row for row in _rows(claims, transaction_type="billing")}
    for rejected in rejections:
        assert rejected["paid_usd"] == 0 and rejected["patient_pay_usd"] == 0
        rebill = rebills[rejected["claim_id"].removesuffix("-PA")]
        assert rebill["fill_id"] == rejected["fill_id"]
        assert rebill["status"] in ("paid", "reversed")
        wait = (rebill["claim_date"] - rejected["claim_date"]).days
        assert 1 <= wait <= 5  # approval_delay_days: uniform 1-5
        assert fills[rebill["fill_id"]]["fill_date"] == rebill["service_date"]
        assert fills[rebill["fill_id"]]["refill_number"] == 0


def test_an_approval_after_the_horizon_leaves_the_fill_rejected(
    make_events, make_persons, make_context
):
    events = make_events(
        [
            ("E1", 0, "fill", 363.5, None, SEMAGLUTIDE),
            ("E2", 0, "pharmacy_claim", 363.5, "E1", SEMAGLUTIDE),
        ]
    )
    config = _config(approval_delay_days={"type": "fixed", "value": 5})
    tables = records(events, make_persons(["PPO"]), make_context(), pharmacy_benefit=config)
    (fill,) = tables["fills"].to_pylist()
    (claim,) = tables["pharmacy_claims"].to_pylist()
    assert fill["status"] == "rejected"
    assert (claim["claim_id"], claim["status"], claim["reject_code"]) == (
        "CE2-PA",
        "rejected",
        "75",
    )
    assert tables["adherence"].num_rows == 0


def _config(**prior_authorization) -> dict:
    shipped = load_pharmacy_benefit()
    data = shipped.model_dump(mode="json")
    if prior_authorization:
        data["prior_authorization"] |= prior_authorization
    else:
        data["prior_authorization"] = None
    return data


def test_a_reversed_claim_does_not_count_toward_later_claims(
    make_events, make_persons, make_context
):
    rows = []
    for k, day in enumerate([0, 28, 56, 84, 112]):
        rows += [
            (f"F{k}", 0, "fill", day, None, SEMAGLUTIDE),
            (f"C{k}", 0, "pharmacy_claim", day, f"F{k}", SEMAGLUTIDE),
        ]
    rows.append(("R0", 0, "pharmacy_claim_reversal", 2, "C0", SEMAGLUTIDE))
    tables = records(
        make_events(rows), make_persons(["HDHP"]), make_context(), pharmacy_benefit=_config()
    )
    claims = {row["claim_id"]: row for row in tables["pharmacy_claims"].to_pylist()}
    gross = claims["CC1"]["gross_amount_due_usd"]
    assert claims["CC0"]["status"] == "reversed"
    assert claims["CC0"]["deductible_usd"] == gross  # priced as it was at the counter
    assert claims["CR0"]["deductible_usd"] == -gross
    # the $3,300 deductible: three paid fills fill it to 3 x gross, the fourth finishes it
    assert [claims[f"CC{k}"]["deductible_usd"] for k in (1, 2, 3)] == [gross] * 3
    assert claims["CC4"]["deductible_usd"] == pytest.approx(3300 - 3 * gross)
    paid = [row for row in claims.values() if row["status"] == "paid"]
    assert sum(row["deductible_usd"] for row in paid) == pytest.approx(3300)


def test_an_unknown_plan_label_is_an_error_naming_it(make_events, make_persons, make_context):
    events = make_events([("E1", 0, "fill", 1, None, {"rxnorm": "314076"})])
    with pytest.raises(SpecError) as error:
        records(events, make_persons(["PP0"]), make_context())
    message = str(error.value)
    assert message.startswith("persons.plan: plan 'PP0' has no pharmacy benefit")
    assert "did you mean 'PPO'?" in message


def test_claims_are_dated_by_the_run_start(diabetic_run):
    claims = diabetic_run.tables["pharmacy_claims"]
    dates = claims["claim_date"].to_numpy().astype("datetime64[D]")
    assert dates.min() >= np.datetime64(dt.date(2025, 1, 1))
    assert dates.max() <= np.datetime64(dt.date(2025, 12, 31))


def test_a_pharmacy_claim_without_a_fill_is_an_error(make_events, make_persons, make_context):
    events = make_events([("E2", 0, "pharmacy_claim", 3, None, SEMAGLUTIDE)])
    with pytest.raises(SpecError) as error:
        records(events, make_persons(["PPO"]), make_context())
    assert str(error.value).startswith(
        "events.pharmacy_claim: pharmacy_claim event E2 (journey 'hand-made') is not caused by "
        "a fill"
    )


def test_a_fill_without_a_claim_is_dispensed(make_events, make_persons, make_context):
    events = make_events([("E1", 0, "fill", 3, None, {"rxnorm": "314076"})])
    tables = records(events, make_persons(["PPO"]), make_context())
    assert tables["fills"]["status"].to_pylist() == ["paid"]
    assert tables["pharmacy_claims"].num_rows == 0
