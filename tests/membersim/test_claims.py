"""Claims: prices from the fee schedule and the DRG table, charges, providers, denials at the
plan's rates and lags, checked against what the code tables and plans say."""

import math
import re
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
import yaml

import sim
from handlers.membersim import is_valid_npi, load_fee_schedule, load_plan_benefits
from handlers.membersim.chargemaster import MARKUPS
from handlers.membersim.drg import load_drgs
from handlers.membersim.fee_schedule import parse_fee_schedule
from sim.errors import SpecError

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def test_every_procedure_code_the_shipped_specs_bill_is_priced():
    fees = load_fee_schedule().by_code
    text = "\n".join(p.read_text("utf-8") for p in SCENARIOS.glob("*/*.yaml"))
    codes = set(re.findall(r"cpt: \"?(\d{4}[0-9A-Z])\"?", text))
    assert {"99213", "99214", "92004", "99396", "27447", "99496"} <= codes
    assert codes <= set(fees)


def test_fee_schedule_rows_are_checked():
    with pytest.raises(SpecError, match=r"codes\[0\]\.code: String should match"):
        parse_fee_schedule(
            {
                "conversion_factor_usd": 32.3465,
                "codes": [
                    {"code": "9921", "description": "x", "medicare_usd": 1, "category": "lab"}
                ],
            }
        )


def test_allowed_is_the_medicare_amount_times_the_plans_multiple(oswald, diabetic):
    fees = load_fee_schedule().by_code
    for result in (oswald, diabetic):
        claims = result.tables["claims"].filter(
            pc.and_(
                pc.equal(result.tables["claims"]["status"], "paid"),
                pc.equal(result.tables["claims"]["claim_type"], "professional"),
            )
        )
        lines = result.tables["claim_lines"]
        line_of = dict(zip(lines["claim_id"].to_pylist(), lines.to_pylist(), strict=True))
        for claim in claims.to_pylist():
            line = line_of[claim["claim_id"]]
            multiple = load_plan_benefits(claim["plan_id"]).price_to_medicare.professional
            expected = round(
                fees[line["procedure_code"]].medicare_usd * line["units"] * multiple, 2
            )
            assert claim["allowed_usd"] == pytest.approx(expected, abs=0.005)


def test_charges_are_the_medicare_amount_times_a_markup_of_the_documented_median(diabetic):
    fees = load_fee_schedule().by_code
    lines = diabetic.tables["claim_lines"]
    medicare = np.array(
        [
            fees[c].medicare_usd * u
            for c, u in zip(
                lines["procedure_code"].to_pylist(), lines["units"].to_pylist(), strict=True
            )
        ]
    )
    ratio = lines["billed_usd"].to_numpy() / medicare
    markup = MARKUPS["professional"]
    assert ratio.min() >= markup.low - 0.01 and ratio.max() <= markup.high + 0.01
    # the median of the truncated log-normal, within four standard errors of a sample median
    lo = 0.5 * math.erfc(-(math.log(markup.low / markup.median) / markup.sigma) / math.sqrt(2))
    hi = 0.5 * math.erfc(-(math.log(markup.high / markup.median) / markup.sigma) / math.sqrt(2))
    z = _normal_quantile((lo + hi) / 2)
    expected = markup.median * math.exp(markup.sigma * z)
    standard_error = 1.2533 * markup.sigma * expected / math.sqrt(ratio.size)
    assert abs(np.median(ratio) - expected) < 4 * standard_error


def _normal_quantile(p: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def test_npis_are_luhn_valid_and_a_member_keeps_their_doctor(oswald, chf):
    assert is_valid_npi("1234567893")  # the CMS example
    assert not is_valid_npi("1234567890")
    for result in (oswald, chf):
        claims = result.tables["claims"]
        for column in ("rendering_npi", "billing_npi"):
            assert all(is_valid_npi(n) for n in claims[column].to_pylist())
    claims = oswald.tables["claims"]
    mark = claims.filter(pc.equal(claims["member_id"], "M000000000"))
    primary = mark.filter(pc.equal(mark["rendering_role"], "Primary Care"))
    assert primary.num_rows >= 3
    assert len(set(primary["rendering_npi"].to_pylist())) == 1


def test_visit_categories_follow_place_and_encounter(oswald):
    claims = {c["claim_id"]: c for c in oswald.tables["claims"].to_pylist()}
    lines = oswald.tables["claim_lines"].to_pylist()
    categories = {
        (ln["procedure_code"], ln["place_of_service"], claims[ln["claim_id"]]["service_category"])
        for ln in lines
    }
    assert ("99213", "20", "urgent_care") in categories  # Miles at urgent care
    assert ("99396", "11", "preventive") in categories  # Diane's wellness visit
    assert ("92004", "11", "specialist") in categories  # Mark's eye exam
    preventive = [c for c in claims.values() if c["service_category"] == "preventive"]
    assert preventive and all(c["member_cost_share_usd"] == 0 for c in preventive)


@pytest.mark.parametrize("plan_id", ["medicare-advantage", "original-medicare"])
def test_initial_denials_happen_at_the_plans_rates(diabetic, plan_id):
    claims = diabetic.tables["claims"]
    claims = claims.filter(pc.equal(claims["plan_id"], plan_id))
    rates = load_plan_benefits(plan_id).denials.professional
    n = claims.num_rows
    initial = claims["initial_denial_code"].to_pylist()
    expected = sum(rates.values())
    observed = sum(code is not None for code in initial) / n
    assert abs(observed - expected) < 4 * math.sqrt(expected * (1 - expected) / n)
    assert set(initial) - {None} <= set(rates)


def test_correctable_denials_are_resubmitted_at_the_plans_share(diabetic):
    claims = diabetic.tables["claims"]
    first = claims.filter(pc.equal(claims["initial_denial_code"], "CO-16"))
    share = {
        load_plan_benefits(p).denials.resubmitted["CO-16"]
        for p in set(first["plan_id"].to_pylist())
    }
    (expected,) = share
    paid = sum(s == "paid" for s in first["status"].to_pylist())
    n = first.num_rows
    assert n > 100
    assert abs(paid / n - expected) < 4 * math.sqrt(expected * (1 - expected) / n)
    # never denied: no initial code; finally denied: the final code is the initial one
    for claim in claims.to_pylist():
        if claim["status"] == "denied":
            assert claim["denial_code"] == claim["initial_denial_code"] is not None
        else:
            assert claim["denial_code"] is None


def test_lags_clean_claims_within_days_denials_later(diabetic):
    claims = diabetic.tables["claims"]
    lag = claims["lag_days"].to_numpy()
    status = claims["status"].to_numpy(zero_copy_only=False)
    first_denied = pc.is_valid(claims["initial_denial_code"]).to_numpy(zero_copy_only=False)
    clean = (status == "paid") & ~first_denied
    assert 14 <= np.median(lag[clean]) <= 20
    assert np.median(lag[~clean]) > np.median(lag[clean]) + 10
    received = claims["received_date"].cast("int32").to_numpy()
    paid = claims["paid_date"].cast("int32").to_numpy()
    service = claims["service_date"].cast("int32").to_numpy()
    assert (service <= received).all() and (received < paid).all()
    # Original Medicare's payment floor: clean claims paid on days 15-30 after receipt
    medicare = (claims["plan_id"].to_numpy(zero_copy_only=False) == "original-medicare") & clean
    processing = (paid - received)[medicare]
    assert processing.min() >= 15 and processing.max() <= 30


def test_stays_are_grouped_priced_and_billed_on_revenue_lines(chf):
    drgs = load_drgs()
    claims = chf.tables["claims"]
    stays = claims.filter(pc.equal(claims["claim_type"], "institutional"))
    assert 60 <= stays.num_rows <= 140  # a quarter of 400 are admitted (binomial, 4 sd)
    assert set(stays["drg"].to_pylist()) <= {"291", "292", "293"}
    assert set(stays["principal_diagnosis"].to_pylist()) == {"I50.9"}
    events = {e["event_id"]: e for e in chf.tables["events"].to_pylist()}
    lines = chf.tables["claim_lines"]
    for stay in stays.to_pylist():
        discharge = events[stay["caused_by"]]
        assert discharge["event_type"] == "discharge"
        assert stay["service_end_date"] == discharge["event_date"]
        assert stay["length_of_stay_days"] == max(
            1, (stay["service_end_date"] - stay["service_date"]).days
        )
        assert stay["type_of_bill"] == "0111" and stay["admission_type_code"] == "2"
        if stay["status"] == "paid":
            multiple = load_plan_benefits(stay["plan_id"]).price_to_medicare.institutional
            expected = drgs.drgs[stay["drg"]].weight * drgs.base_rate_usd * multiple
            assert stay["allowed_usd"] == pytest.approx(expected, abs=0.005)
        mine = lines.filter(pc.equal(lines["claim_id"], stay["claim_id"])).to_pylist()
        revenue = {line["revenue_code"]: line for line in mine}
        assert revenue["0120"]["units"] == stay["length_of_stay_days"]
        assert "0450" in revenue  # an urgent admission comes through the emergency room


def test_a_joint_replacement_stay_is_a_surgical_drg(surgeries):
    claims = surgeries.tables["claims"]
    stays = claims.filter(pc.equal(claims["claim_type"], "institutional"))
    assert stays.num_rows == 120
    assert set(stays["drg"].to_pylist()) <= {"469", "470"}
    lines = surgeries.tables["claim_lines"]
    codes = set(
        lines.filter(pc.is_in(lines["claim_id"], stays["claim_id"]))["revenue_code"].to_pylist()
    )
    assert {"0278", "0360", "0370"} <= codes and "0450" not in codes  # elective: no ER line


ONE_VISIT = """
id: one-visit
start_date: 2025-01-01
horizon_days: 60
products: [patientsim, membersim]
households:
  - key: a
    last_name: A
    county_fips: "48201"
    members:
      - key: a
        first_name: A
        relationship: subscriber
        sex: F
        age: 40
        journeys:
          - id: one-visit
            products: [patientsim]
            duration_days: 60
            events:
              - {id: visit, event_type: encounter, product: patientsim, delay: 1,
                 parameters: {cpt: "99999", encounter_type: office, reason_icd10: I10}}
"""


def test_bad_claim_inputs_are_spec_errors_that_name_the_field():
    spec = yaml.safe_load(ONE_VISIT)
    with pytest.raises(
        SpecError,
        match=r"events\.encounter-professional-claim\.parameters\.cpt: "
        r"procedure code '99999' is not in the fee schedule",
    ):
        sim.run(spec)
    spec["households"][0]["plan"] = "platinum-ppo"
    spec["households"][0]["members"][0]["journeys"][0]["events"][0]["parameters"]["cpt"] = "99213"
    with pytest.raises(SpecError, match=r"persons\.plan: unknown plan 'platinum-ppo'"):
        sim.run(spec)


def test_shipped_data_tables_load():
    assert len(load_fee_schedule().codes) >= 100
    table = load_drgs()
    assert table.group("I50.9", [], 0, path=()).drg == "293"
    assert table.group("I50.9", [], 2, path=()).drg == "291"
    assert table.group("M17.11", ["27447"], 1, path=()).drg == "470"
    with pytest.raises(SpecError, match=r"no DRG group for principal diagnosis 'Z99\.89'"):
        table.group("Z99.89", [], 0, path=())
    raw = yaml.safe_load(
        (Path(__file__).parents[2] / "handlers" / "membersim" / "data" / "drg.yaml").read_text(
            "utf-8"
        )
    )
    assert raw["base_rate_usd"] == table.base_rate_usd
