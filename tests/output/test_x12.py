"""The 837P files parse back into the run's professional claims, envelopes and counts right."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.compute as pc
import pytest

import sim
from sim.errors import SpecError
from sim.output.x12 import write_837p

DOC = Path(__file__).parents[2] / "docs" / "x12-and-check.md"


def parse(path: Path) -> list[list[str]]:
    """Segments as lists of elements (separator '*', terminator '~')."""
    text = path.read_text(encoding="ascii")
    return [segment.strip().split("*") for segment in text.split("~") if segment.strip()]


def claims_in(segments: list[list[str]]) -> dict[str, dict]:
    """Per CLM: total, SV1 charges, HI codes and whether it sits under a 2000C loop."""
    claims: dict[str, dict] = {}
    current = None
    patient_loop = False
    for segment in segments:
        tag = segment[0]
        if tag == "HL":
            patient_loop = segment[3] == "23"
        elif tag == "CLM":
            current = claims.setdefault(segment[1], {"count": 0, "charges": [], "codes": []})
            current.update(
                count=current["count"] + 1,
                total=segment[2],
                pos=segment[5],
                patient_loop=patient_loop,
            )
        elif tag == "HI":
            current["codes"] += [element.split(":") for element in segment[1:]]
        elif tag == "SV1":
            current["charges"].append(segment[2])
    return claims


def cents(text: str) -> int:
    return round(float(text) * 100)


def check_envelopes(segments: list[list[str]]) -> None:
    assert segments[0][0] == "ISA" and segments[-1][0] == "IEA"
    assert len(segments[0]) == 17 and len("*".join(segments[0])) == 105  # fixed width
    assert segments[0][13] == segments[-1][2]
    gs = next(s for s in segments if s[0] == "GS")
    ge = next(s for s in segments if s[0] == "GE")
    assert gs[6] == ge[2] and gs[8] == "005010X222A1"
    st = next(i for i, s in enumerate(segments) if s[0] == "ST")
    se = next(i for i, s in enumerate(segments) if s[0] == "SE")
    assert int(segments[se][1]) == se - st + 1
    assert segments[se][2] == segments[st][2]
    assert [s[0] for s in segments].count("ST") == 1


@pytest.fixture(scope="module")
def medicare():
    return sim.run("medicare-diabetic", 300, seed=21).tables


def test_medicare_claims_round_trip(medicare, tmp_path):
    paths = write_837p(medicare, tmp_path, batch_size=500)
    professional = medicare["claims"].filter(
        pc.equal(medicare["claims"]["claim_type"], "professional")
    )
    assert len(paths) == -(-professional.num_rows // 500) > 1
    found: dict[str, dict] = {}
    for path in paths:
        segments = parse(path)
        check_envelopes(segments)
        claims = claims_in(segments)
        assert not set(claims) & set(found), "a claim in two files"
        found |= claims
    expected = {row["claim_id"]: row for row in professional.to_pylist()}
    assert set(found) == set(expected)
    for claim_id, claim in found.items():
        row = expected[claim_id]
        assert claim["count"] == 1
        assert cents(claim["total"]) == sum(map(cents, claim["charges"]))
        assert cents(claim["total"]) == round(row["billed_usd"] * 100)
        assert claim["pos"] == f"{row['place_of_service']}:B:1"
        qualifiers = [code[0] for code in claim["codes"]]
        assert qualifiers == ["ABK"] + ["ABF"] * (len(qualifiers) - 1)
        assert [code[1] for code in claim["codes"]] == [
            c.replace(".", "") for c in row["diagnosis_codes"]
        ][:12]
        assert not claim["patient_loop"]  # every Medicare member is their own subscriber


def test_control_numbers_differ_by_batch(medicare, tmp_path):
    paths = write_837p(medicare, tmp_path, batch_size=400)
    controls = [parse(path)[0][13] for path in paths]
    assert controls == [f"{n:09d}" for n in range(1, len(paths) + 1)]


def test_same_run_same_bytes(tmp_path):
    first = write_837p(sim.run("oswald-family").tables, tmp_path / "a")
    second = write_837p(sim.run("oswald-family").tables, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_oswald_dependents_have_patient_loops(tmp_path):
    tables = sim.run("oswald-family").tables
    (path,) = write_837p(tables, tmp_path)
    segments = parse(path)
    check_envelopes(segments)
    claims = claims_in(segments)
    rows = tables["claims"].to_pylist()
    assert set(claims) == {row["claim_id"] for row in rows}
    for row in rows:
        assert claims[row["claim_id"]]["patient_loop"] == (row["member_id"] != "M000000000")
    pat = [s[1] for s in segments if s[0] == "PAT"]
    assert sorted(set(pat)) == ["01", "19"]  # Diane, spouse; Miles, child
    patients = [s[3:5] for s in segments if s[:2] == ["NM1", "QC"]]
    assert {tuple(p) for p in patients} == {("OSWALD", "DIANE"), ("OSWALD", "MILES")}
    subscribers = {s[9] for s in segments if s[:2] == ["NM1", "IL"]}
    assert subscribers == {"M000000000"}
    assert ["DMG", "D8", "19790107", "M"] in segments  # Mark, the subscriber


def test_missing_table_is_named(tmp_path):
    tables = dict(sim.run("oswald-family").tables)
    del tables["members"]
    with pytest.raises(SpecError, match=r"tables\.members"):
        write_837p(tables, tmp_path)


def test_bad_batch_size(tmp_path):
    with pytest.raises(SpecError, match="batch_size"):
        write_837p({}, tmp_path, batch_size=0)


def test_doc_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
