"""Enrollment spans from MemberSim events (tests/membersim/fixtures/enrollment-changes.yaml, every
event on a fixed day from 2025-01-01), members and premiums."""

import datetime as dt
import itertools

import pyarrow.compute as pc

import sim
from handlers.membersim import load_plan_benefits

D = dt.date
PAT, SAM, JO, LIN, ASH, LOU = (f"M00000000{i}" for i in range(6))


def spans(result) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for span in result.tables["enrollments"].to_pylist():
        out.setdefault(span["member_id"], []).append(
            (
                span["plan_id"],
                span["start_date"],
                span["end_date"],
                span["reason"],
                span["end_reason"],
            )
        )
    return out


def test_without_events_coverage_lasts_the_horizon(oswald):
    for span in oswald.tables["enrollments"].to_pylist():
        assert (span["start_date"], span["end_date"]) == (D(2025, 1, 1), D(2025, 12, 31))
        assert (span["reason"], span["end_reason"]) == ("in_force", "horizon_end")
        assert span["plan_id"] == "family-ppo"


def test_termination_then_cobra_continues_the_plan_from_the_next_day(changes):
    # terminated on day 100 (2025-04-11); COBRA elected on day 140, retroactive to 04-12,
    # for 18 months at most
    assert spans(changes)[PAT] == [
        ("family-ppo", D(2025, 1, 1), D(2025, 4, 11), "in_force", "termination"),
        ("family-ppo", D(2025, 4, 12), D(2026, 10, 11), "cobra", "cobra_maximum"),
    ]


def test_the_subscribers_events_apply_to_the_dependents(changes):
    assert spans(changes)[SAM] == spans(changes)[PAT]
    visit = changes.tables["claims"].filter(pc.equal(changes.tables["claims"]["member_id"], SAM))
    assert visit["coverage"].to_pylist() == ["covered"]  # day 105: under COBRA


def test_termination_without_cobra_ends_coverage(changes):
    assert spans(changes)[JO] == [
        ("commercial-hmo", D(2025, 1, 1), D(2025, 7, 20), "in_force", "termination")
    ]
    claims = changes.tables["claims"].filter(pc.equal(changes.tables["claims"]["member_id"], JO))
    assert claims["coverage"].to_pylist() == ["covered", "after"]
    assert claims["denial_code"].to_pylist()[1] == "PR-27"


def test_a_first_new_enrollment_starts_coverage(changes):
    assert spans(changes)[LIN] == [
        ("commercial-ppo", D(2025, 3, 2), D(2026, 12, 31), "new_enrollment", "horizon_end")
    ]
    claims = changes.tables["claims"].filter(pc.equal(changes.tables["claims"]["member_id"], LIN))
    assert claims["coverage"].to_pylist() == ["before", "covered"]
    assert claims["denial_code"].to_pylist()[0] == "PR-26"


def test_a_plan_change_takes_effect_at_the_next_new_enrollment(changes):
    # decided on day 120, effective on day 180 (2025-06-30)
    assert spans(changes)[ASH] == [
        ("commercial-ppo", D(2025, 1, 1), D(2025, 6, 29), "in_force", "plan_change"),
        ("commercial-hmo", D(2025, 6, 30), D(2026, 12, 31), "plan_change", "horizon_end"),
    ]
    claims = changes.tables["claims"].filter(pc.equal(changes.tables["claims"]["member_id"], ASH))
    assert claims["plan_id"].to_pylist() == ["commercial-ppo", "commercial-hmo"]


def test_a_plan_change_without_a_plan_moves_within_the_market(changes):
    # Medicare Advantage has one alternative in its market: Original Medicare, from that day
    assert spans(changes)[LOU] == [
        ("medicare-advantage", D(2025, 1, 1), D(2025, 4, 10), "in_force", "plan_change"),
        ("original-medicare", D(2025, 4, 11), D(2026, 12, 31), "plan_change", "horizon_end"),
    ]


def test_spans_do_not_overlap(changes, diabetic):
    for result in (changes, diabetic):
        for member_spans in spans(result).values():
            for before, after in itertools.pairwise(member_spans):
                assert before[2] < after[1]
            for _, start, end, *_ in member_spans:
                assert start <= end


def test_members_show_their_latest_plan_and_coverage_dates(changes):
    members = {m["member_id"]: m for m in changes.tables["members"].to_pylist()}
    assert members[ASH]["plan_id"] == "commercial-hmo"
    assert members[ASH]["plan_type"] == "HMO"
    assert members[LOU]["plan_name"] == load_plan_benefits("original-medicare").name
    assert members[JO]["coverage_end_date"] == D(2025, 7, 20)
    assert members[LIN]["coverage_start_date"] == D(2025, 3, 2)
    assert members[SAM]["relationship_code"] == "01"
    assert members[SAM]["subscriber_id"] == PAT


def test_premiums_one_row_per_covered_month_prorated(changes):
    premiums = changes.tables["premiums"]
    lin = premiums.filter(pc.equal(premiums["member_id"], LIN)).to_pylist()
    assert len(lin) == 22  # March 2025 .. December 2026
    assert (lin[0]["month"], lin[0]["covered_days"]) == (D(2025, 3, 1), 30)
    assert lin[0]["premium_usd"] == round(746 * 30 / 31, 2)
    assert {row["premium_usd"] for row in lin[1:]} == {746.0}
    jo = premiums.filter(pc.equal(premiums["member_id"], JO)).to_pylist()
    assert [row["month"].month for row in jo] == [1, 2, 3, 4, 5, 6, 7]
    assert jo[-1]["covered_days"] == 20
    # Medicare Advantage at $0, then Original Medicare at the Part B premium
    lou = premiums.filter(pc.equal(premiums["member_id"], LOU)).to_pylist()
    april = [(r["plan_id"], r["covered_days"], r["premium_usd"]) for r in lou[3:5]]
    assert april == [
        ("medicare-advantage", 10, 0.0),
        ("original-medicare", 20, round(185 * 20 / 30, 2)),
    ]
    assert lou[5]["premium_usd"] == 185.0


def test_plans_without_a_premium_have_no_premium_rows():
    result = sim.run(
        {
            "id": "medicaid-kids",
            "profile": "medicaid-pediatric",
            "start_date": "2025-01-01",
            "horizon_days": 90,
            "products": ["membersim"],
        },
        50,
        seed=2,
    )
    assert result.tables["members"].num_rows == 50
    assert set(result.tables["members"]["plan_id"].to_pylist()) <= {"medicaid-child", "chip"}
    assert result.tables["premiums"].num_rows == 0
