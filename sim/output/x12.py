"""X12 837P (005010X222A1) files of a run's professional claims, one interchange per batch.

Each file holds one interchange (ISA/IEA) with one functional group (GS/GE) and one
transaction set (ST/SE) of up to ``batch_size`` claims. Inside it: the submitter (1000A) and
receiver (1000B), then per billing NPI a 2000A billing provider, per subscriber and patient a
2000B subscriber (and, when the patient is a dependent, a 2000C patient) with the claims (2300)
and their lines (2400). Nothing reads the clock: the interchange date is the latest date a
claim of the batch was received, so the same run gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from sim.errors import SpecError

__all__ = ["write_837p"]

SUBMITTER_ID = "HEALTHSIM"
RECEIVER_ID = "HEALTHSIMPAYER"
#: SBR09 claim filing indicator by benefit plan (X12 code list 1032); commercial otherwise
_FILING_INDICATOR = {
    "original-medicare": "MB",  # Medicare Part B
    "medicare-advantage": "16",  # HMO Medicare risk
    "medicaid": "MC",
    "medicaid-child": "MC",
    "chip": "MC",
}
_FORBIDDEN = str.maketrans({"*": " ", "~": " ", ":": " ", "^": " "})
_REQUIRED = {
    "claims": (
        "claim_id",
        "claim_type",
        "member_id",
        "subscriber_id",
        "plan_id",
        "received_date",
        "billed_usd",
        "billing_npi",
        "rendering_npi",
        "rendering_role",
        "place_of_service",
        "diagnosis_codes",
    ),
    "claim_lines": (
        "claim_id",
        "line_number",
        "service_date",
        "procedure_code",
        "units",
        "billed_usd",
        "rendering_npi",
    ),
    "members": ("member_id", "person_id", "relationship_code", "plan_name"),
    "persons": (
        "person_id",
        "first_name",
        "last_name",
        "birth_date",
        "sex",
        "address_line",
        "city",
        "state",
        "zip_code",
    ),
}


def write_837p(
    tables: Mapping[str, pa.Table], folder: str | Path, *, batch_size: int = 5000
) -> list[Path]:
    """Writes the professional claims of ``tables`` (a run's ``claims``, ``claim_lines``,
    ``members`` and ``persons``) as 837P files ``837P-00001.x12``, ... into ``folder``, one
    per ``batch_size`` claims in the claims table's order; returns their paths (none for a
    run without professional claims)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise SpecError(f"must be a whole number >= 1, got {batch_size!r}", path=("batch_size",))
    _check_columns(tables)
    claims = tables["claims"].filter(pc.equal(tables["claims"]["claim_type"], "professional"))
    lines = _lines_by_claim(tables["claim_lines"])
    members = {row["member_id"]: row for row in tables["members"].to_pylist()}
    persons = {row["person_id"]: row for row in tables["persons"].to_pylist()}
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = claims.to_pylist()
    for number, start in enumerate(range(0, len(rows), batch_size), 1):
        batch = rows[start : start + batch_size]
        segments = _interchange(number, batch, lines, members, persons)
        path = out / f"837P-{number:05d}.x12"
        path.write_text("~\n".join(segments) + "~\n", encoding="ascii")
        paths.append(path)
    return paths


def _check_columns(tables: Mapping[str, pa.Table]) -> None:
    for name, columns in _REQUIRED.items():
        if name not in tables:
            raise SpecError("table missing: the 837P needs it", path=("tables", name))
        missing = [c for c in columns if c not in tables[name].column_names]
        if missing:
            raise SpecError(f"columns missing: {', '.join(missing)}", path=("tables", name))


def _lines_by_claim(table: pa.Table) -> dict[str, list[dict[str, Any]]]:
    lines: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        lines.setdefault(row["claim_id"], []).append(row)
    for claim_lines in lines.values():
        claim_lines.sort(key=lambda line: line["line_number"])
    return lines


def _interchange(
    number: int,
    claims: Sequence[dict[str, Any]],
    lines: Mapping[str, list[dict[str, Any]]],
    members: Mapping[str, dict[str, Any]],
    persons: Mapping[str, dict[str, Any]],
) -> list[str]:
    created: dt.date = max(claim["received_date"] for claim in claims)
    control = f"{number:09d}"
    transaction = list(_transaction(number, created, claims, lines, members, persons))
    return [
        _seg(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            f"{SUBMITTER_ID:<15}",
            "ZZ",
            f"{RECEIVER_ID:<15}",
            created.strftime("%y%m%d"),
            "0000",
            "^",
            "00501",
            control,
            "0",
            "T",
            ":",
        ),
        _seg(
            "GS",
            "HC",
            SUBMITTER_ID,
            RECEIVER_ID,
            created.strftime("%Y%m%d"),
            "0000",
            str(number),
            "X",
            "005010X222A1",
        ),
        *transaction,
        _seg("GE", "1", str(number)),
        _seg("IEA", "1", control),
    ]


def _transaction(
    number: int,
    created: dt.date,
    claims: Sequence[dict[str, Any]],
    lines: Mapping[str, list[dict[str, Any]]],
    members: Mapping[str, dict[str, Any]],
    persons: Mapping[str, dict[str, Any]],
) -> Iterator[str]:
    body = [
        _seg("ST", "837", "0001", "005010X222A1"),
        _seg("BHT", "0019", "00", f"HS{number:09d}", created.strftime("%Y%m%d"), "0000", "CH"),
        _seg("NM1", "41", "2", "HEALTHSIM SYNTHETIC SUBMITTER", "", "", "", "", "46", SUBMITTER_ID),
        _seg("PER", "IC", "CLAIMS DESK", "TE", "8005550100"),
        _seg("NM1", "40", "2", "HEALTHSIM SYNTHETIC RECEIVER", "", "", "", "", "46", RECEIVER_ID),
    ]
    hl = 0
    for billing_npi, by_billing in _grouped(claims, "billing_npi"):
        hl += 1
        billing_hl = hl
        first = persons[members[by_billing[0]["member_id"]]["person_id"]]
        body += [
            _seg("HL", str(billing_hl), "", "20", "1"),
            _seg("NM1", "85", "2", f"PRACTICE {billing_npi}", "", "", "", "", "XX", billing_npi),
            # provider addresses are not modelled: the practice is in its members' county
            _seg("N3", f"{billing_npi[-4:]} MEDICAL PLAZA"),
            _seg("N4", _text(first["city"]), first["state"], first["zip_code"]),
            _seg("REF", "EI", f"9{billing_npi[1:9]}"),
        ]
        for member_id, by_member in _grouped(by_billing, "member_id"):
            member = members[member_id]
            subscriber = members[by_member[0]["subscriber_id"]]
            dependent = member["relationship_code"] != "18"
            hl += 1
            subscriber_hl = hl
            body += [
                _seg("HL", str(subscriber_hl), str(billing_hl), "22", "1" if dependent else "0"),
                _seg(
                    "SBR",
                    "P",
                    "" if dependent else "18",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    _FILING_INDICATOR.get(by_member[0]["plan_id"], "CI"),
                ),
                *_person(persons[subscriber["person_id"]], "IL", subscriber["member_id"]),
                _seg(
                    "NM1",
                    "PR",
                    "2",
                    _text(member["plan_name"]),
                    "",
                    "",
                    "",
                    "",
                    "PI",
                    by_member[0]["plan_id"].upper(),
                ),
            ]
            if dependent:
                hl += 1
                body += [
                    _seg("HL", str(hl), str(subscriber_hl), "23", "0"),
                    _seg("PAT", member["relationship_code"]),
                    *_person(persons[member["person_id"]], "QC", None),
                ]
            for claim in by_member:
                body += _claim(claim, lines.get(claim["claim_id"], []))
    yield from body
    yield _seg("SE", str(len(body) + 1), "0001")


def _grouped(
    rows: Sequence[dict[str, Any]], key: str
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Rows grouped by ``key`` in order of first appearance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    yield from groups.items()


def _person(person: Mapping[str, Any], entity: str, member_id: str | None) -> list[str]:
    """NM1 (with the member id for a subscriber; a 2000C patient has none), N3, N4, DMG."""
    name = [_text(person["last_name"]), _text(person["first_name"])]
    identified = ["", "", "", "MI", member_id] if member_id else []
    return [
        _seg("NM1", entity, "1", *name, *identified),
        _seg("N3", _text(person["address_line"])),
        _seg("N4", _text(person["city"]), person["state"], person["zip_code"]),
        _seg("DMG", "D8", person["birth_date"].strftime("%Y%m%d"), person["sex"] or "U"),
    ]


def _claim(claim: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> list[str]:
    codes = [code.replace(".", "") for code in claim["diagnosis_codes"] or []][:12]
    if not codes:
        raise SpecError(
            "a professional claim needs a diagnosis",
            path=("claims", claim["claim_id"], "diagnosis_codes"),
        )
    pointers = ":".join(str(i) for i in range(1, min(len(codes), 4) + 1))
    segments = [
        _seg(
            "CLM",
            claim["claim_id"],
            _money(claim["billed_usd"]),
            "",
            "",
            f"{claim['place_of_service']}:B:1",
            "Y",
            "A",
            "Y",
            "Y",
        ),
        _seg("HI", *(f"{'ABK' if i == 0 else 'ABF'}:{code}" for i, code in enumerate(codes))),
    ]
    for number, line in enumerate(lines, 1):
        segments += [
            _seg("LX", str(number)),
            _seg(
                "SV1",
                f"HC:{line['procedure_code']}",
                _money(line["billed_usd"]),
                "UN",
                str(line["units"]),
                "",
                "",
                pointers,
            ),
            _seg("DTP", "472", "D8", line["service_date"].strftime("%Y%m%d")),
            # rendering provider names are not modelled: the provider's role stands in
            _seg(
                "NM1",
                "82",
                "1",
                _text(claim["rendering_role"] or "PROVIDER"),
                "",
                "",
                "",
                "",
                "XX",
                line["rendering_npi"],
            ),
        ]
    return segments


def _money(amount_usd: float) -> str:
    """An X12 decimal: cents, no trailing zeros (185.7, 89)."""
    text = f"{Decimal(str(round(amount_usd, 2))):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: str) -> str:
    return value.translate(_FORBIDDEN).upper().strip()


def _seg(tag: str, *elements: str) -> str:
    fields = list(elements)
    while fields and fields[-1] == "":
        fields.pop()  # trailing empty elements are omitted
    return "*".join([tag, *fields])
