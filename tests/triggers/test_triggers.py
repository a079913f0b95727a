"""Triggers: provenance, delay bounds, probabilities, depth, loops, priorities, determinism."""

import datetime as dt
import json
import math

import numpy as np
import pyarrow as pa
import pytest

from sim.engine import simulate
from sim.errors import SpecError
from sim.journeys import parse_journey
from sim.triggers import compile_triggers, load_triggers, parse_triggers
from sim.triggers.cascade import POOL_SIZE

START = dt.date(2025, 1, 1)

JOURNEY = parse_journey(
    {
        "id": "visits",
        "duration_days": 365,
        "events": [
            {
                "id": "dx",
                "event_type": "diagnosis",
                "product": "patientsim",
                "delay": {"type": "uniform", "min": 0, "max": 30},
                "parameters": {"icd10": "E11.9"},
            },
            {
                "id": "visit",
                "event_type": "encounter",
                "product": "patientsim",
                "depends_on": "dx",
                "delay": {"type": "uniform", "min": 20, "max": 40},
                "repeat": {"every": 30, "count": 6},
                "parameters": {"cpt": "99214", "reason_icd10": "E11.9"},
            },
        ],
    }
)


def persons(count, first=0):
    index = np.arange(first, first + count)
    return pa.table(
        {
            "person_index": pa.array(index, pa.int64()),
            "person_id": [f"P{i:07d}" for i in index],
            "age": np.full(count, 50),
        }
    )


def triggers(*items, max_depth=8):
    return compile_triggers(parse_triggers(list(items)), max_depth=max_depth)


CLAIM = {
    "id": "claim",
    "source": {"product": "patientsim", "event_type": "encounter"},
    "target": {"product": "membersim", "event_type": "claim_professional"},
    "delay": {"type": "uniform", "min": 1, "max": 7},
    "parameters": {
        "cpt": {"from": "cpt"},
        "diagnosis_code": {"from": "reason_icd10"},
        "place_of_service": {"from": "pos", "default": "11"},
        "kind": "837P",
    },
}


def run(trigger_set, count=500, seed=3, first=0, shard_size=4096, journey=JOURNEY, **options):
    return simulate(
        persons(count, first),
        [journey],
        start_date=START,
        horizon_days=365,
        seeds=seed,
        triggers=trigger_set,
        shard_size=shard_size,
        **options,
    )


def rows(events):
    return events.to_pylist()


def test_every_triggered_claim_points_to_its_source_within_the_delay_bounds():
    events = run(triggers(CLAIM))
    by_id = {e["event_id"]: e for e in rows(events)}
    claims = [e for e in rows(events) if e["event_type"] == "claim_professional"]
    encounters = [e for e in rows(events) if e["event_type"] == "encounter"]
    # every encounter before day 358 has its claim (delay at most 7 days, horizon 365)
    assert len(claims) == sum(1 for e in encounters if e["time_days"] < 358) + sum(
        1
        for e in encounters
        if e["time_days"] >= 358 and any(c["caused_by"] == e["event_id"] for c in claims)
    )
    for claim in claims:
        source = by_id[claim["caused_by"]]
        assert source["person_id"] == claim["person_id"]
        assert source["event_type"] == "encounter"
        assert 1 <= claim["time_days"] - source["time_days"] <= 7
        assert claim["definition_id"] == "claim" and claim["journey_id"] == "visits"
        parameters = json.loads(claim["parameters"])
        assert parameters == {
            "cpt": "99214",
            "diagnosis_code": "E11.9",
            "place_of_service": "11",
            "kind": "837P",
        }
    # the delay is uniform on [1, 7]: mean 4 within 4 standard errors
    delays = [c["time_days"] - by_id[c["caused_by"]]["time_days"] for c in claims]
    assert abs(np.mean(delays) - 4) < 4 * math.sqrt(3) / math.sqrt(len(delays))
    # journey events have no cause
    assert all(e["caused_by"] is None for e in encounters)


def test_probability_share_within_its_binomial_tolerance():
    events = run(triggers({**CLAIM, "probability": 0.3}), count=1500)
    table = rows(events)
    encounters = sum(1 for e in table if e["event_type"] == "encounter" and e["time_days"] < 358)
    claims = sum(1 for e in table if e["event_type"] == "claim_professional")
    share = claims / encounters
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / encounters)


def test_chains_and_the_depth_limit():
    chain = [
        CLAIM,
        {
            "id": "adjudicate",
            "source": {"product": "membersim", "event_type": "claim_professional"},
            "target": {"product": "membersim", "event_type": "remittance"},
            "delay": 14,
        },
        {
            "id": "notify",
            "source": {"product": "membersim", "event_type": "remittance"},
            "target": {"product": "membersim", "event_type": "eob"},
            "delay": 2,
        },
    ]
    full = rows(run(triggers(*chain), count=50))
    types = {e["event_type"] for e in full}
    assert {"claim_professional", "remittance", "eob"} <= types
    by_id = {e["event_id"]: e for e in full}
    for eob in (e for e in full if e["event_type"] == "eob"):
        remittance = by_id[eob["caused_by"]]
        claim = by_id[remittance["caused_by"]]
        assert by_id[claim["caused_by"]]["event_type"] == "encounter"
        assert eob["time_days"] - remittance["time_days"] == pytest.approx(2)
    # depth 2 allows claim (depth 1) and remittance (depth 2), never the eob (depth 3)
    limited = rows(run(triggers(*chain, max_depth=2), count=50))
    assert {e["event_type"] for e in limited} >= {"remittance"}
    assert "eob" not in {e["event_type"] for e in limited}


def test_unbounded_loops_are_rejected_and_bounded_ones_stop():
    loop = [
        {
            "id": "order-fill",
            "source": {"product": "patientsim", "event_type": "encounter"},
            "target": {"product": "rxmembersim", "event_type": "fill"},
            "delay": 1,
        },
        {
            "id": "fill-visit",
            "source": {"product": "rxmembersim", "event_type": "fill"},
            "target": {"product": "patientsim", "event_type": "encounter"},
            "delay": 1,
        },
    ]
    with pytest.raises(SpecError, match=r"fill-visit, order-fill form a loop") as caught:
        triggers(*loop)
    assert "max_depth" in caught.value.hint
    bounded = triggers(loop[0], {**loop[1], "max_depth": 3})
    events = rows(run(bounded, count=20))
    deepest = {}
    by_id = {e["event_id"]: e for e in events}
    for event in events:
        depth, cursor = 0, event
        while cursor["caused_by"] is not None:
            cursor, depth = by_id[cursor["caused_by"]], depth + 1
        deepest[event["event_type"]] = max(deepest.get(event["event_type"], 0), depth)
    # fill-visit fires only from sources shallower than 3: encounter(0) -> fill(1) ->
    # encounter(2) -> fill(3) -> no encounter at depth 4
    assert deepest == {"diagnosis": 0, "encounter": 2, "fill": 3}


def test_self_loop_needs_a_bound():
    echo = {
        "id": "echo",
        "source": {"product": "patientsim", "event_type": "encounter"},
        "target": {"product": "patientsim", "event_type": "encounter"},
        "delay": 10,
    }
    with pytest.raises(SpecError, match="form a loop"):
        triggers(echo)
    assert len(triggers({**echo, "max_depth": 2})) == 1


def test_priority_orders_same_time_targets():
    first = {
        **CLAIM,
        "id": "b_low",
        "delay": 3,
        "priority": 1,
        "target": {"product": "membersim", "event_type": "second"},
    }
    second = {
        **CLAIM,
        "id": "a_high",
        "delay": 3,
        "priority": -1,
        "target": {"product": "membersim", "event_type": "first"},
    }
    events = rows(run(triggers(first, second), count=30))
    by_cause = {}
    for e in events:
        if e["caused_by"]:
            by_cause.setdefault(e["caused_by"], []).append(e)
    for pair in by_cause.values():
        if len(pair) == 2:
            pair.sort(key=lambda e: e["event_id"])
            assert [e["event_type"] for e in pair] == ["first", "second"]


def test_condition_on_source_parameters():
    only_e11 = {**CLAIM, "source": {**CLAIM["source"], "when": "parameters.cpt == '99213'"}}
    assert not [e for e in rows(run(triggers(only_e11), count=50)) if e["caused_by"]]
    matching = {**CLAIM, "source": {**CLAIM["source"], "when": "parameters.cpt == '99214'"}}
    assert [e for e in rows(run(triggers(matching), count=50)) if e["caused_by"]]


def test_determinism_and_person_independence():
    claim = {
        **CLAIM,
        "probability": 0.5,
        "parameters": {
            "amount": {"sample": {"type": "log_normal", "mean": 150, "std_dev": 60}, "round": 2}
        },
    }
    a = run(triggers(claim), count=300, seed=9)
    b = run(triggers(claim), count=300, seed=9, shard_size=37)
    assert a.equals(b)
    # persons 100..199 are the same alone as inside the larger run
    alone = run(triggers(claim), count=100, seed=9, first=100)
    inside = a.filter(
        pa.compute.and_(
            pa.compute.greater_equal(a["person_index"], 100),
            pa.compute.less(a["person_index"], 200),
        )
    )
    assert alone.equals(inside)
    other = run(triggers(claim), count=300, seed=10)
    assert not other.equals(a)


def test_healthsim_form_and_its_ndc_defect_fixed():
    raw = {
        "source_product": "patientsim",
        "source_event_type": "medication_order",
        "target_product": "rxmembersim",
        "target_event_type": "fill",
        "delay": {"days": 1, "days_min": 0, "days_max": 3, "distribution": "uniform"},
        "priority": "NORMAL",
        "parameter_map_target_from_source": {"ndc": "rxnorm", "quantity": "quantity"},
    }
    (trigger,) = triggers(raw).triggers
    rules = {rule.name: rule for rule in trigger.parameters}
    assert (rules["ndc"].kind, rules["ndc"].table, rules["ndc"].field) == ("lookup", "drugs", "ndc")
    assert rules["quantity"].kind == "from"
    assert trigger.delay.support() == (0.0, 3.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"delay": {"type": "normal", "mean": 1, "std_dev": 2}}, "delay cannot be negative"),
        ({"parameters": {"x": {"lookup": "drug.ndc", "key": "rxnorm"}}}, "unknown code table"),
        ({"parameters": {"x": {"lookup": "drugs.nd", "key": "rxnorm"}}}, "did you mean 'ndc'"),
        ({"parameters": {"x": {"from": "a", "extra": 1}}}, "unknown field 'extra'"),
        ({"source": {"product": "pharmacy", "event_type": "x"}}, "source.product"),
        ({"probability": 2}, "probability"),
    ],
)
def test_bad_triggers_are_located(change, message):
    with pytest.raises(SpecError, match=message) as caught:
        triggers({**CLAIM, **change})
    assert "claim" in str(caught.value) or "triggers[0]" in str(caught.value)


def test_shipped_default_set_loads_and_can_be_narrowed():
    full = load_triggers()
    assert "order-first-fill" in full.ids()
    narrowed = load_triggers(disable=["pharmacy-claim-reversal"])
    assert "pharmacy-claim-reversal" not in narrowed.ids()
    assert full.for_products(["patientsim"]).ids() != full.ids()
    with pytest.raises(SpecError, match="did you mean 'refill-fill'"):
        load_triggers(disable=["refil-fill"])


def test_trigger_changes_replace_fields_and_are_checked():
    changed = load_triggers(changes={"refill-fill": {"delay": 5, "probability": 0.5}})
    (refill,) = [t for t in changed.triggers if t.id == "refill-fill"]
    assert refill.delay.support() == (5.0, 5.0) and refill.spec.probability == 0.5
    with pytest.raises(SpecError, match=r"trigger_changes\.refill-fill\.probability"):
        load_triggers(changes={"refill-fill": {"probability": 3}})
    with pytest.raises(SpecError, match="did you mean 'refill-fill'"):
        load_triggers(changes={"refil-fill": {"delay": 1}})


# a visit every 5 days: 60 sources a person, more than a trigger's pool holds
FREQUENT = parse_journey(
    {
        "id": "frequent",
        "duration_days": 365,
        "events": [
            {
                "id": "visit",
                "event_type": "encounter",
                "product": "patientsim",
                "delay": 1,
                "repeat": {"every": 5, "count": 60},
                "parameters": {"cpt": "99211"},
            },
        ],
    }
)


def test_draws_beyond_the_pool_are_the_persons_own():
    claim = {**CLAIM, "probability": 0.5, "delay": {"type": "uniform", "min": 0, "max": 4}}
    a = run(triggers(claim), count=200, seed=5, journey=FREQUENT)
    claims = a.filter(pa.compute.equal(a["event_type"], "claim_professional"))
    per_person = claims.group_by("person_id").aggregate([("event_id", "count")])
    assert max(per_person["event_id_count"].to_pylist()) > POOL_SIZE // 2
    # the share fired over sources inside and beyond the pool columns: 0.5 within 4 SE
    encounters = 200 * 60
    assert abs(claims.num_rows / encounters - 0.5) < 4 * math.sqrt(0.25 / encounters)
    # a person's draws beyond the pool do not depend on the shard or on other persons
    assert a.equals(run(triggers(claim), count=200, seed=5, journey=FREQUENT, shard_size=7))
    alone = run(triggers(claim), count=10, seed=5, first=50, journey=FREQUENT)
    inside = a.filter(
        pa.compute.and_(
            pa.compute.greater_equal(a["person_index"], 50),
            pa.compute.less(a["person_index"], 60),
        )
    )
    assert alone.equals(inside)


def test_a_delay_that_depends_on_the_persons_attributes():
    by_age = {
        "type": "conditional",
        "rules": [{"if": "age >= 65", "distribution": {"type": "fixed", "value": 10}}],
        "default": {"type": "fixed", "value": 2},
    }
    two = pa.table(
        {"person_index": pa.array([0, 1], pa.int64()), "person_id": ["A", "B"], "age": [70, 30]}
    )
    events = simulate(
        two,
        [JOURNEY],
        start_date=START,
        horizon_days=365,
        seeds=1,
        triggers=triggers({**CLAIM, "delay": by_age}),
    )
    by_id = {e["event_id"]: e for e in events.to_pylist()}
    lags = {
        (e["person_id"], e["time_days"] - by_id[e["caused_by"]]["time_days"])
        for e in events.to_pylist()
        if e["caused_by"]
    }
    assert {(person, round(lag, 9)) for person, lag in lags} == {("A", 10.0), ("B", 2.0)}


def test_the_dynamic_engine_gives_the_same_triggered_events():
    chain = triggers(
        {**CLAIM, "probability": 0.7},
        {
            "id": "remit",
            "source": {"product": "membersim", "event_type": "claim_professional"},
            "target": {"product": "membersim", "event_type": "remittance"},
            "delay": {"type": "uniform", "min": 10, "max": 20},
            "parameters": {"amount": {"sample": {"type": "uniform", "min": 1, "max": 9}}},
        },
    )
    assert run(chain, count=120).equals(run(chain, count=120, engine="dynamic"))
