"""SDTM tables: standard variables, one DM row per subject, coded values, CSV files."""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pytest

from handlers.trialsim import write_sdtm_csv
from sim.errors import SpecError

DM_VARIABLES = [
    "STUDYID",
    "DOMAIN",
    "USUBJID",
    "SUBJID",
    "RFSTDTC",
    "RFENDTC",
    "RFXSTDTC",
    "RFXENDTC",
    "RFICDTC",
    "RFPENDTC",
    "DTHDTC",
    "DTHFL",
    "SITEID",
    "BRTHDTC",
    "AGE",
    "AGEU",
    "SEX",
    "RACE",
    "ETHNIC",
    "ARMCD",
    "ARM",
    "ACTARMCD",
    "ACTARM",
    "COUNTRY",
]


def test_dm_has_one_row_per_subject(glp1, fatal):
    for run in (glp1, fatal):
        dm, subjects = run["sdtm_dm"], run["trial_subjects"]
        assert dm.column_names == DM_VARIABLES
        assert dm.num_rows == subjects.num_rows
        assert pc.count_distinct(dm["USUBJID"]).as_py() == dm.num_rows
        screened = pc.count_distinct(
            run["events"].filter(pc.equal(run["events"]["event_type"], "screening"))["person_id"]
        ).as_py()
        assert dm.num_rows == screened
        assert set(dm["DOMAIN"].to_pylist()) == {"DM"}


def test_dm_arms_reference_dates_and_demographics(glp1):
    dm = glp1["sdtm_dm"]
    assert set(dm["ARMCD"].to_pylist()) == {"PBO", "HSG1MG", "SCRNFAIL"}
    failures = dm.filter(pc.equal(dm["ARMCD"], "SCRNFAIL"))
    assert failures["RFSTDTC"].null_count == failures.num_rows
    assert set(failures["ARM"].to_pylist()) == {"Screen Failure"}
    treated = dm.filter(pc.invert(pc.equal(dm["ARMCD"], "SCRNFAIL")))
    assert pc.all(pc.equal(treated["RFSTDTC"], treated["RFXSTDTC"])).as_py()
    assert pc.all(pc.less_equal(treated["RFXENDTC"], treated["RFENDTC"])).as_py()
    assert pc.all(pc.less(dm["RFICDTC"], pc.fill_null(dm["RFSTDTC"], "9999"))).as_py()
    persons = glp1["persons"].slice(0, 1).to_pylist()[0]
    first = dm.filter(pc.equal(dm["SUBJID"], persons["subject_id"])).to_pylist()[0]
    consent = dt.date.fromisoformat(first["RFICDTC"])
    birth = persons["birth_date"]
    age = consent.year - birth.year - ((consent.month, consent.day) < (birth.month, birth.day))
    assert first["AGE"] == age and first["BRTHDTC"] == birth.isoformat()
    assert first["SEX"] == persons["sex"] and first["RACE"] == "WHITE"
    hispanic = dm.filter(pc.equal(dm["ETHNIC"], "HISPANIC OR LATINO"))
    assert hispanic.num_rows > 0 and set(hispanic["RACE"].to_pylist()) == {"UNKNOWN"}


def test_deaths_in_dm_and_ae(fatal):
    dm, ae = fatal["sdtm_dm"], fatal["sdtm_ae"]
    died = dm.filter(pc.equal(dm["DTHFL"], "Y"))
    assert died.num_rows > 100
    assert pc.all(pc.equal(died["DTHDTC"], died["RFENDTC"])).as_py()
    fatal_ae = ae.filter(pc.equal(ae["AEOUT"], "FATAL"))
    assert sorted(fatal_ae["USUBJID"].to_pylist()) == sorted(died["USUBJID"].to_pylist())
    assert set(fatal_ae["AETOXGR"].to_pylist()) == {"5"}
    severe = ae.filter(pc.greater_equal(ae["AETOXGR"], "4"))
    assert set(severe["AESER"].to_pylist()) == {"Y"} and set(severe["AESEV"].to_pylist()) == {
        "SEVERE"
    }
    assert set(ae["AEREL"].to_pylist()) == {"RELATED", "NOT RELATED"}


def test_sv_has_the_screening_visit_and_every_scheduled_one(glp1):
    sv, dm = glp1["sdtm_sv"], glp1["sdtm_dm"]
    screening = sv.filter(pc.equal(sv["VISITNUM"], 0.0))
    assert screening.num_rows == dm.num_rows
    assert pc.all(pc.less(screening["SVSTDY"], 0)).as_py()  # before Day 1 (no Day 0)
    scheduled = sv.filter(pc.greater(sv["VISITNUM"], 0.0))
    assert scheduled.num_rows == glp1["trial_visits"].num_rows
    assert set(scheduled["VISIT"].to_pylist()) >= {"BASELINE", "WEEK 2", "FOLLOW-UP"}
    for row in scheduled.slice(0, 2000).to_pylist():
        assert abs(row["SVSTDY"] - row["VISITDY"]) <= 7
        dt.date.fromisoformat(row["SVSTDTC"])


def test_ae_and_ex_variables(glp1):
    ae, ex = glp1["sdtm_ae"], glp1["sdtm_ex"]
    assert ae.column_names[:4] == ["STUDYID", "DOMAIN", "USUBJID", "AESEQ"]
    assert {"AETERM", "AEDECOD", "AEBODSYS", "AESEV", "AETOXGR", "AESER", "AEREL", "AEOUT"} <= set(
        ae.column_names
    )
    assert pc.all(pc.greater_equal(ae["AESTDY"], 1)).as_py()
    assert set(ex["EXTRT"].to_pylist()) == {"PLACEBO", "HSG-101"}
    assert set(ex["EXDOSFRQ"].to_pylist()) == {"EVERY WEEK"}
    assert set(ex["EXROUTE"].to_pylist()) == {"SUBCUTANEOUS"}
    assert pc.all(pc.less_equal(ex["EXSTDTC"], ex["EXENDTC"])).as_py()
    drug = ex.filter(pc.equal(ex["EXTRT"], "HSG-101"))
    assert set(zip(drug["EXSTDY"].to_pylist(), drug["EXDOSE"].to_pylist(), strict=True)) == {
        (1, 0.25),
        (29, 0.5),
        (57, 1.0),
    }


def test_csv_files_hold_the_tables(glp1, tmp_path):
    folder = write_sdtm_csv(glp1, tmp_path / "sdtm")
    assert sorted(p.name for p in folder.iterdir()) == ["ae.csv", "dm.csv", "ex.csv", "sv.csv"]
    dm = pa_csv.read_csv(folder / "dm.csv")
    assert dm.column_names == DM_VARIABLES and dm.num_rows == glp1["sdtm_dm"].num_rows
    assert dm["USUBJID"].to_pylist() == glp1["sdtm_dm"]["USUBJID"].to_pylist()
    with pytest.raises(SpecError, match="exists"):
        write_sdtm_csv(glp1, folder)


def test_csv_needs_the_trial_tables(glp1, tmp_path):
    with pytest.raises(SpecError, match="no table 'sdtm_dm'"):
        write_sdtm_csv({"persons": glp1["persons"]}, tmp_path / "sdtm")
