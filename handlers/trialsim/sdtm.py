"""SDTM-style tables (DM, SV, AE, EX) from the trial tables, and writing them as CSV.

Variable names and coded values follow the CDISC SDTM Implementation Guide and CDISC
controlled terminology; dates are ISO 8601 text (``--DTC``), study days count from Day 1 (the
randomisation date, RFSTDTC) with no Day 0. USUBJID is ``<STUDYID>-<SUBJID>``, SUBJID the
person's ``subject_id``. Screen failures are in DM (ARMCD ``SCRNFAIL``) and SV (their
screening visit), persons still in screening have ARMCD ``NOTASSGN``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from handlers.trialsim.subjects import study_day
from sim.errors import SpecError
from sim.output import write_tables

__all__ = ["DOMAINS", "sdtm_tables", "write_sdtm_csv"]

#: result table -> SDTM domain
DOMAINS = {"sdtm_dm": "DM", "sdtm_sv": "SV", "sdtm_ae": "AE", "sdtm_ex": "EX"}
#: the persons' race_ethnicity (CDC/ATSDR SVI categories) -> (RACE, ETHNIC); the SVI's
#: Hispanic category says nothing of race
RACE_ETHNICITY = {
    "hispanic": ("UNKNOWN", "HISPANIC OR LATINO"),
    "black": ("BLACK OR AFRICAN AMERICAN", "NOT HISPANIC OR LATINO"),
    "asian": ("ASIAN", "NOT HISPANIC OR LATINO"),
    "aian": ("AMERICAN INDIAN OR ALASKA NATIVE", "NOT HISPANIC OR LATINO"),
    "nhpi": ("NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER", "NOT HISPANIC OR LATINO"),
    "two_or_more": ("MULTIPLE", "NOT HISPANIC OR LATINO"),
    "other": ("OTHER", "NOT HISPANIC OR LATINO"),
    "white_nh": ("WHITE", "NOT HISPANIC OR LATINO"),
}
#: ARMCD and ARM of persons who were never randomised
SCREEN_FAILURE = ("SCRNFAIL", "Screen Failure")
NOT_ASSIGNED = ("NOTASSGN", "Not Assigned")
ENDED = ("completed", "withdrawn", "died")

_TEXT = pa.string()
DM = pa.schema(
    [(name, _TEXT) for name in ("STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFSTDTC", "RFENDTC")]
    + [(name, _TEXT) for name in ("RFXSTDTC", "RFXENDTC", "RFICDTC", "RFPENDTC", "DTHDTC")]
    + [(name, _TEXT) for name in ("DTHFL", "SITEID", "BRTHDTC")]
    + [("AGE", pa.int32())]
    + [(name, _TEXT) for name in ("AGEU", "SEX", "RACE", "ETHNIC", "ARMCD", "ARM")]
    + [(name, _TEXT) for name in ("ACTARMCD", "ACTARM", "COUNTRY")]
)


def _iso(date: dt.date | None) -> str | None:
    return None if date is None else date.isoformat()


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _person_rows(subjects: pa.Table, persons: pa.Table) -> list[dict[str, Any]]:
    rows = pc.index_in(subjects["person_index"], value_set=persons["person_index"].combine_chunks())
    columns = [c for c in ("birth_date", "sex", "race_ethnicity") if c in persons.column_names]
    return persons.select(columns).take(rows).to_pylist()


def _exposure_dates(exposure: pa.Table) -> dict[tuple[str, str], tuple[dt.date, dt.date]]:
    spans = exposure.group_by(["study_id", "subject_id"]).aggregate(
        [("start_date", "min"), ("end_date", "max")]
    )
    return {
        (row["study_id"], row["subject_id"]): (row["start_date_min"], row["end_date_max"])
        for row in spans.to_pylist()
    }


def sdtm_dm(subjects: pa.Table, exposure: pa.Table, persons: pa.Table) -> pa.Table:
    """One row per subject: reference dates, demographics (age at informed consent), arm."""
    exposed = _exposure_dates(exposure)
    rows = []
    for s, person in zip(subjects.to_pylist(), _person_rows(subjects, persons), strict=True):
        arm = (s["arm_code"], s["arm"])
        if s["randomization_date"] is None:
            arm = SCREEN_FAILURE if s["status"] == "screen_failed" else NOT_ASSIGNED
        first_dose, last_dose = exposed.get((s["study_id"], s["subject_id"]), (None, None))
        ended = s["status"] in ENDED
        birth, consent = person.get("birth_date"), s["screening_date"]
        race, ethnic = RACE_ETHNICITY.get(person.get("race_ethnicity"), ("UNKNOWN", "UNKNOWN"))
        rows.append(
            {
                "STUDYID": s["study_id"],
                "DOMAIN": "DM",
                "USUBJID": f"{s['study_id']}-{s['subject_id']}",
                "SUBJID": s["subject_id"],
                "RFSTDTC": _iso(s["randomization_date"]),
                "RFENDTC": _iso(s["end_of_study_date"]) if s["randomization_date"] else None,
                "RFXSTDTC": _iso(first_dose),
                "RFXENDTC": _iso(last_dose) if ended else None,
                "RFICDTC": _iso(consent),
                "RFPENDTC": _iso(s["end_of_study_date"]),
                "DTHDTC": _iso(s["end_of_study_date"]) if s["status"] == "died" else None,
                "DTHFL": "Y" if s["status"] == "died" else None,
                "SITEID": s["site_id"],
                "BRTHDTC": _iso(birth),
                "AGE": _age(birth, consent) if birth and consent else None,
                "AGEU": "YEARS",
                "SEX": person.get("sex"),
                "RACE": race,
                "ETHNIC": ethnic,
                "ARMCD": arm[0],
                "ARM": arm[1],
                "ACTARMCD": arm[0],
                "ACTARM": arm[1],
                "COUNTRY": "USA",  # persons are drawn from US counties
            }
        )
    return pa.Table.from_pylist(rows, DM)


def _usubjid(table: pa.Table) -> pa.Array:
    return pc.binary_join_element_wise(table["study_id"], table["subject_id"], "-")


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(pa.string())


def _constant(value: Any, table: pa.Table, kind: pa.DataType = _TEXT) -> pa.Array:
    return pa.array([value] * table.num_rows, kind)


def _flag(column: pa.ChunkedArray, yes: str, no: str) -> pa.ChunkedArray:
    return pc.if_else(column, yes, no)


def sdtm_sv(subjects: pa.Table, visits: pa.Table) -> pa.Table:
    """One row per visit: the screening visit (VISITNUM 0) and each scheduled visit."""
    screened = subjects.filter(pc.is_valid(subjects["screening_date"]))
    day_one = screened["randomization_date"].to_pylist()
    screening_day = [
        None if one is None else study_day(date, one)
        for date, one in zip(screened["screening_date"].to_pylist(), day_one, strict=True)
    ]
    columns = {
        "STUDYID": screened["study_id"],
        "DOMAIN": _constant("SV", screened),
        "USUBJID": _usubjid(screened),
        "VISITNUM": _constant(0.0, screened, pa.float64()),
        "VISIT": _constant("SCREENING", screened),
        "VISITDY": _constant(None, screened, pa.int32()),
        "SVSTDTC": _text(screened["screening_date"]),
        "SVENDTC": _text(screened["screening_date"]),
        "SVSTDY": pa.array(screening_day, pa.int32()),
    }
    screening = pa.table(columns)
    scheduled = pa.table(
        {
            "STUDYID": visits["study_id"],
            "DOMAIN": _constant("SV", visits),
            "USUBJID": _usubjid(visits),
            "VISITNUM": visits["visit_number"].cast(pa.float64()),
            "VISIT": pc.utf8_upper(visits["visit_name"]),
            "VISITDY": visits["planned_day"],
            "SVSTDTC": _text(visits["visit_date"]),
            "SVENDTC": _text(visits["visit_date"]),
            "SVSTDY": visits["actual_day"],
        }
    )
    table = pa.concat_tables([screening, scheduled.cast(screening.schema)])
    return table.sort_by([("USUBJID", "ascending"), ("SVSTDTC", "ascending")])


def sdtm_ae(adverse_events: pa.Table) -> pa.Table:
    table = adverse_events
    return pa.table(
        {
            "STUDYID": table["study_id"],
            "DOMAIN": _constant("AE", table),
            "USUBJID": _usubjid(table),
            "AESEQ": table["sequence"],
            "AETERM": table["term"],
            "AEDECOD": table["term"],
            "AEBODSYS": table["system_organ_class"],
            "AESEV": table["severity"],
            "AETOXGR": _text(table["grade"]),
            "AESER": _flag(table["serious"], "Y", "N"),
            "AEREL": _flag(table["related"], "RELATED", "NOT RELATED"),
            "AEOUT": table["outcome"],
            "AESTDTC": _text(table["onset_date"]),
            "AESTDY": table["onset_day"],
        }
    )


def sdtm_ex(exposure: pa.Table) -> pa.Table:
    table = exposure
    return pa.table(
        {
            "STUDYID": table["study_id"],
            "DOMAIN": _constant("EX", table),
            "USUBJID": _usubjid(table),
            "EXSEQ": table["sequence"],
            "EXTRT": table["treatment"],
            "EXDOSE": table["dose"],
            "EXDOSU": table["dose_unit"],
            "EXDOSFRM": table["dose_form"],
            "EXDOSFRQ": table["frequency"],
            "EXROUTE": table["route"],
            "EXSTDTC": _text(table["start_date"]),
            "EXENDTC": _text(table["end_date"]),
            "EXSTDY": table["start_day"],
            "EXENDY": table["end_day"],
        }
    )


def sdtm_tables(tables: Mapping[str, pa.Table], persons: pa.Table) -> dict[str, pa.Table]:
    """The four SDTM tables from ``trial_subjects``, ``trial_visits``, ``adverse_events`` and
    ``exposure``."""
    return {
        "sdtm_dm": sdtm_dm(tables["trial_subjects"], tables["exposure"], persons),
        "sdtm_sv": sdtm_sv(tables["trial_subjects"], tables["trial_visits"]),
        "sdtm_ae": sdtm_ae(tables["adverse_events"]),
        "sdtm_ex": sdtm_ex(tables["exposure"]),
    }


def write_sdtm_csv(
    tables: Mapping[str, pa.Table], folder: str | Path, *, overwrite: bool = False
) -> Path:
    """Writes ``dm.csv``, ``sv.csv``, ``ae.csv`` and ``ex.csv`` into ``folder`` (atomically)
    from a run's tables (``result.tables``)."""
    missing = [name for name in DOMAINS if name not in tables]
    if missing:
        raise SpecError(
            f"no table '{missing[0]}': the run has no trialsim records",
            path=("tables",),
            hint="enable the trialsim product",
        )
    domains = {domain.lower(): tables[name] for name, domain in DOMAINS.items()}
    return write_tables(domains, folder, format="csv", overwrite=overwrite)
