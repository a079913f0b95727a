"""The trial tables: windows, randomisation shares, adverse events inside the study, dropout,
deaths, exposure. Statistical checks use fixed seeds and 4-sigma tolerances from n."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from handlers.base import HandlerContext
from handlers.trialsim import load_protocol, records
from sim.errors import SpecError
from sim.seeds import SeedTree

PER_DAY = 0.0005  # the shipped protocol's dropout hazard


def _tolerance(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def _by_subject(table: pa.Table, column: str) -> dict[str, object]:
    return dict(zip(table["subject_id"].to_pylist(), table[column].to_pylist(), strict=True))


def test_every_visit_falls_inside_its_window(glp1):
    visits = glp1["trial_visits"]
    subjects = glp1["trial_subjects"]
    day_one = _by_subject(subjects, "randomization_date")
    assert visits.num_rows > 50_000
    for row in visits.to_pylist():
        actual = (row["visit_date"] - day_one[row["subject_id"]]).days + 1
        assert actual == row["actual_day"]
        assert abs(actual - row["planned_day"]) <= row["window_days"], row
    assert pc.all(visits["in_window"]).as_py()


def test_randomisation_shares_follow_the_ratio(glp1):
    randomised = glp1["trial_subjects"].filter(pc.is_valid(glp1["trial_subjects"]["arm_code"]))
    n = randomised.num_rows
    drug = pc.sum(pc.equal(randomised["arm_code"], "HSG1MG")).as_py() / n
    tolerance = _tolerance(2 / 3, n)
    assert tolerance <= 0.02  # enough subjects for "within 2 points"
    assert abs(drug - 2 / 3) <= tolerance, (drug, n)


def test_screen_failures_follow_the_rate(glp1):
    subjects = glp1["trial_subjects"]
    decided = subjects.filter(pc.not_equal(subjects["status"], "screening"))
    failed = pc.sum(pc.equal(decided["status"], "screen_failed")).as_py()
    assert abs(failed / decided.num_rows - 0.30) <= _tolerance(0.30, decided.num_rows)
    assert decided.num_rows == subjects.num_rows  # everybody is decided within the horizon


def test_no_adverse_event_before_randomisation_or_after_end_of_study(glp1, fatal):
    for run in (glp1, fatal):
        subjects = run["trial_subjects"]
        start = _by_subject(subjects, "randomization_date")
        end = _by_subject(subjects, "end_of_study_date")
        events = run["adverse_events"]
        assert events.num_rows > 100
        for row in events.to_pylist():
            assert start[row["subject_id"]] <= row["onset_date"] <= end[row["subject_id"]], row


def test_nothing_happens_after_a_subject_leaves(glp1, fatal):
    for run in (glp1, fatal):
        end = _by_subject(run["trial_subjects"], "end_of_study_date")
        for row in run["trial_visits"].to_pylist():
            assert row["visit_date"] <= end[row["subject_id"]]
        # nor after the last trial event of the person (the journey stops there)
        trial = run["events"].filter(pc.equal(run["events"]["product"], "trialsim"))
        last = trial.group_by("person_id").aggregate([("event_date", "max")])
        subjects = run["trial_subjects"]
        ends = dict(zip(subjects["person_id"].to_pylist(), end.values(), strict=True))
        for person, date in zip(last["person_id"].to_pylist(), last[1].to_pylist(), strict=True):
            assert date == ends[person]


def test_completers_attend_every_visit(glp1):
    subjects = glp1["trial_subjects"]
    status = _by_subject(subjects, "status")
    counts = glp1["trial_visits"].group_by("subject_id").aggregate([("visit_number", "count")])
    for subject, visits in zip(
        counts["subject_id"].to_pylist(), counts[1].to_pylist(), strict=True
    ):
        if status[subject] == "completed":
            assert visits == 9
        else:
            assert status[subject] in ("withdrawn", "died") and visits < 9


def test_withdrawals_follow_the_hazard(glp1):
    subjects = glp1["trial_subjects"]
    randomised = subjects.filter(pc.is_valid(subjects["arm_code"]))
    withdrawn = pc.sum(pc.equal(randomised["status"], "withdrawn")).as_py()
    # withdrawal before the follow-up visit, 217 +- 7 days after randomisation
    expected = 1 - math.exp(-PER_DAY * 217) * math.sinh(7 * PER_DAY) / (7 * PER_DAY)
    n = randomised.num_rows
    assert abs(withdrawn / n - expected) <= _tolerance(expected, n), (withdrawn / n, expected)
    reasons = subjects.filter(pc.equal(subjects["status"], "withdrawn"))["withdrawal_reason"]
    assert set(reasons.to_pylist()) == {
        "WITHDRAWAL BY SUBJECT",
        "LOST TO FOLLOW-UP",
        "PHYSICIAN DECISION",
        "PROTOCOL DEVIATION",
    }


def _on_study_share(onset_days: np.ndarray) -> float:
    """Probability that a subject has not withdrawn by onset (deaths are negligible)."""
    return float(np.mean(np.exp(-PER_DAY * onset_days)))


@pytest.mark.parametrize(
    ("term", "arm", "rate"),
    [("Headache", "PBO", 0.06), ("Headache", "HSG1MG", 0.07), ("Nausea", "HSG1MG", 0.20)],
)
def test_adverse_event_incidence_by_arm(glp1, term, arm, rate):
    subjects = glp1["trial_subjects"]
    n = pc.sum(pc.equal(subjects["arm_code"], arm)).as_py()
    events = glp1["adverse_events"]
    mask = pc.and_(pc.equal(events["term"], term), pc.equal(events["arm_code"], arm))
    observed = events.filter(mask).num_rows / n
    grid = np.linspace(0, 1, 200_001)
    # Nausea: exponential onset (mean 35, truncated at 175 days), by its inverse distribution
    # function; the others: uniform over the study's first 210 days
    truncated = -35 * np.log(1 - grid * (1 - math.exp(-175 / 35)))
    onset = truncated if term == "Nausea" else grid * 210
    expected = rate * _on_study_share(onset)
    assert abs(observed - expected) <= _tolerance(expected, n), (observed, expected)


def test_adverse_events_carry_consistent_details(glp1, fatal):
    for run in (glp1, fatal):
        events = run["adverse_events"]
        for row in events.to_pylist():
            assert row["system_organ_class"] and row["severity"]
            assert row["serious"] is True or row["grade"] < 4
            assert (row["outcome"] == "FATAL") == (row["grade"] == 5)
    nausea = glp1["adverse_events"].filter(pc.equal(glp1["adverse_events"]["term"], "Nausea"))
    assert set(nausea["grade"].to_pylist()) == {1, 2, 3}


def test_a_fatal_adverse_event_ends_the_study(fatal):
    subjects = fatal["trial_subjects"]
    died = subjects.filter(pc.equal(subjects["status"], "died"))
    # grade 5 in 0.3 x 0.3 of the subjects, less those who withdrew before its onset (uniform
    # over days 0-81 after randomisation); withdrawal falls between consecutive visits (days
    # 0, 21, 42, 63, 84) with probability 0.1 each
    onset = np.linspace(0, 81, 100_001)
    withdrawn_by = np.zeros_like(onset)
    for k, (low, high) in enumerate([(0, 21), (21, 42), (42, 63), (63, 84)]):
        withdrawn_by += 0.1 * 0.9**k * np.clip((onset - low) / (high - low), 0, 1)
    expected = 0.09 * float(np.mean(1 - withdrawn_by))
    share = died.num_rows / subjects.num_rows
    assert abs(share - expected) <= _tolerance(expected, subjects.num_rows), (share, expected)
    events = fatal["adverse_events"]
    fatal_onset = {
        row["subject_id"]: row["onset_date"] for row in events.to_pylist() if row["grade"] == 5
    }
    assert set(fatal_onset) == set(died["subject_id"].to_pylist())
    ends = _by_subject(died, "end_of_study_date")
    assert all(end == fatal_onset[subject] for subject, end in ends.items())


def test_per_visit_dropout_completes_the_expected_share(trial, make_persons, fixtures):
    data = load_protocol(fixtures / "minimal.yaml").model_dump(mode="json")
    data["dropout"] = {"per_visit": 0.1}
    run = trial(data, make_persons(4_000), seed=2)
    subjects = run["trial_subjects"]
    randomised = subjects.filter(pc.is_valid(subjects["arm_code"]))
    completed = pc.sum(pc.equal(randomised["status"], "completed")).as_py() / randomised.num_rows
    expected = 0.9**2  # two intervals between three visits
    assert abs(completed - expected) <= _tolerance(expected, randomised.num_rows)
    start = _by_subject(subjects, "randomization_date")
    for row in subjects.filter(pc.equal(subjects["status"], "withdrawn")).to_pylist():
        day = (row["end_of_study_date"] - start[row["subject_id"]]).days + 1
        assert 1 <= day <= 57  # between Day 1 and the last planned visit


def test_exposure_follows_the_dosing_schedule(glp1):
    subjects = glp1["trial_subjects"]
    status = _by_subject(subjects, "status")
    end = _by_subject(subjects, "end_of_study_date")
    arm = _by_subject(subjects, "arm_code")
    exposure = glp1["exposure"]
    totals = exposure.group_by("subject_id").aggregate(
        [("administrations", "sum"), ("total_dose", "sum"), ("end_date", "max")]
    )
    for row in totals.to_pylist():
        subject = row["subject_id"]
        assert row["end_date_max"] <= end[subject]
        if status[subject] == "completed":  # weekly from Day 1 to Day 176
            assert row["administrations_sum"] == 26
            assert row["total_dose_sum"] == (21.0 if arm[subject] == "HSG1MG" else 0.0)
    randomised = pc.sum(pc.is_valid(subjects["arm_code"])).as_py()
    assert totals.num_rows == randomised  # every subject is dosed on Day 1
    assert set(exposure["dose"].to_pylist()) == {0.0, 0.25, 0.5, 1.0}


def test_fortnightly_exposure_with_two_periods(fatal):
    subjects = fatal["trial_subjects"]
    completed = subjects.filter(pc.equal(subjects["status"], "completed"))
    completed = set(completed["subject_id"].to_pylist())
    rows = [r for r in fatal["exposure"].to_pylist() if r["subject_id"] in completed]
    assert rows
    for row in rows:  # days 1, 15, 29 at 5 mg; 43, 57, 71 at 10 mg
        assert (row["start_day"], row["end_day"], row["administrations"]) in {
            (1, 29, 3),
            (43, 71, 3),
        }


def test_ongoing_subjects_at_the_horizon(trial, make_persons):
    run = trial("dm2-glp1-phase3", make_persons(600), seed=3, horizon_days=150)
    subjects = run["trial_subjects"]
    statuses = set(subjects["status"].to_pylist())
    assert "ongoing" in statuses and "completed" not in statuses
    last = dt.date(2025, 1, 1) + dt.timedelta(days=149)
    assert pc.max(run["exposure"]["end_date"]).as_py() <= last
    ongoing = subjects.filter(pc.equal(subjects["status"], "ongoing"))
    assert ongoing["end_of_study_date"].null_count == ongoing.num_rows


def test_same_seed_same_tables_and_person_i_unchanged(trial, make_persons):
    small = trial("dm2-glp1-phase3", make_persons(300), seed=8)
    again = trial("dm2-glp1-phase3", make_persons(300), seed=8)
    large = trial("dm2-glp1-phase3", make_persons(900), seed=8)
    ids = small["trial_subjects"]["subject_id"]
    for name, key in [
        ("trial_subjects", "subject_id"),
        ("trial_visits", "subject_id"),
        ("adverse_events", "subject_id"),
        ("exposure", "subject_id"),
        ("sdtm_dm", "SUBJID"),
    ]:
        assert small[name].equals(again[name])
        assert large[name].filter(pc.is_in(large[name][key], ids)).equals(small[name])
    other = trial("dm2-glp1-phase3", make_persons(300), seed=9)
    assert not other["trial_visits"].equals(small["trial_visits"])


def test_no_trial_events_give_empty_tables_with_columns(glp1):
    events = glp1["events"].filter(pc.not_equal(glp1["events"]["product"], "trialsim"))
    context = HandlerContext(dt.date(2025, 1, 1), 365, SeedTree(0), ("trialsim",))
    tables = records(events, glp1["persons"], context)
    assert len(tables) == 8 and all(t.num_rows == 0 for t in tables.values())
    assert tables["trial_subjects"].schema.field("randomization_date").type == pa.date32()
    assert tables["sdtm_dm"].column_names[:4] == ["STUDYID", "DOMAIN", "USUBJID", "SUBJID"]


def test_persons_without_subject_ids_are_refused(glp1):
    persons = glp1["persons"].drop_columns(["subject_id"])
    context = HandlerContext(dt.date(2025, 1, 1), 365, SeedTree(0), ("trialsim",))
    with pytest.raises(SpecError, match="no 'subject_id' column"):
        records(glp1["events"], persons, context)
