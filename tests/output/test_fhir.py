"""sim.output.fhir: the FHIR R4 Bulk Data export validates, resolves and matches its tables."""

import contextlib
import gzip
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

import sim
from sim.errors import SpecError
from sim.output.fhir import export_fhir, fhir_resources

SCHEMA = Path(__file__).parent / "fixtures" / "fhir-r4.schema.json.gz"
DOC = Path(__file__).parents[2] / "docs" / "fhir.md"
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

#: surgery, chemotherapy and heart failure: procedures, stays and institutional claims
EPISODES = {
    "id": "fhir-episodes",
    "profile": "medicare-diabetic",
    "start_date": "2025-01-01",
    "horizon_days": 365,
    "journeys": [
        {"journey": "surgical-episode"},
        {"journey": "oncology-first-line"},
        {"journey": "chf-first-year"},
    ],
}
RUNS = {
    "medicare-diabetic": ("medicare-diabetic", 500, 7),
    "oswald-family": ("oswald-family", None, None),
    "diabetes-trial": ("diabetes-trial", 120, 7),
    "episodes": (EPISODES, 15, 7),
}
#: resource type -> the table whose rows it counts
SOURCES = {
    "Patient": "patients",
    "Encounter": "encounters",
    "Condition": "conditions",
    "Observation": "observations",
    "MedicationRequest": "medication_orders",
    "Procedure": "procedures",
    "MedicationDispense": "fills",
    "Coverage": "enrollments",
    "Claim": "claims",
    "ExplanationOfBenefit": "claims",
    "ResearchSubject": "trial_subjects",
    "AdverseEvent": "adverse_events",
}


@pytest.fixture(scope="module")
def validators():
    """One validator per resource type, each against its definition in the official schema
    (validating against the root's oneOf is 40 times slower and says the same)."""
    schema = json.loads(gzip.decompress(SCHEMA.read_bytes()))
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    return {
        kind: jsonschema.Draft6Validator({"definitions": schema["definitions"], "$ref": target})
        for kind, target in schema["discriminator"]["mapping"].items()
    }


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """name -> (tables, counts returned, resources read back from the files by type)."""
    result = {}
    for name, (scenario, count, seed) in RUNS.items():
        tables = sim.run(scenario, count, seed=seed).tables
        folder = tmp_path_factory.mktemp("fhir") / name
        counts = export_fhir(tables, folder)
        read = {}
        for path in sorted(folder.iterdir()):
            lines = path.read_text(encoding="utf-8").split("\n")
            assert lines[-1] == ""  # every line ends with a newline
            read[path.stem] = [json.loads(line) for line in lines[:-1]]
        result[name] = (tables, counts, read)
    return result


@pytest.mark.parametrize("name", list(RUNS))
def test_every_resource_validates_against_the_r4_schema(exports, validators, name):
    _, _, read = exports[name]
    errors = [
        f"{kind}/{resource['id']}: {error.message[:200]}"
        for kind, resources in read.items()
        for resource in resources
        for error in validators[kind].iter_errors(resource)
    ]
    assert errors == []
    assert sum(len(resources) for resources in read.values()) > 0


@pytest.mark.parametrize("name", list(RUNS))
def test_every_reference_resolves_inside_the_export(exports, name):
    _, _, read = exports[name]
    ids = set()
    for kind, resources in read.items():
        for resource in resources:
            assert resource["resourceType"] == kind
            assert FHIR_ID.match(resource["id"]), resource["id"]
            ids.add(f"{kind}/{resource['id']}")
    assert len(ids) == sum(len(resources) for resources in read.values())  # ids are unique
    references = [r for resources in read.values() for r in _references(resources)]
    assert references
    assert sorted(set(references) - ids) == []


@pytest.mark.parametrize("name", list(RUNS))
def test_counts_match_the_tables_and_the_files(exports, name):
    tables, counts, read = exports[name]
    assert counts == {kind: len(resources) for kind, resources in read.items()}
    for kind, table in SOURCES.items():
        rows = tables[table].num_rows if table in tables else 0
        assert counts.get(kind, 0) == rows, kind


def test_the_runs_cover_every_resource_type(exports):
    kinds = {kind for _, counts, _ in exports.values() for kind in counts}
    assert kinds == set(SOURCES) | {"Practitioner", "Organization", "ResearchStudy"}


def test_observations_carry_value_ucum_unit_and_flag(exports):
    tables, _, read = exports["medicare-diabetic"]
    rows = {row["observation_id"]: row for row in tables["observations"].to_pylist()}
    flags = set()
    for observation in read["Observation"]:
        row = rows[observation["id"]]
        assert observation["code"]["coding"][0] == {
            "system": "http://loinc.org",
            "code": row["loinc"],
            "display": row["name"],
        }
        quantity = observation["valueQuantity"]
        assert quantity["value"] == row["value"] and quantity["code"] == row["unit"]
        assert quantity["system"] == "http://unitsofmeasure.org"
        assert observation["referenceRange"][0]["low"]["value"] == row["reference_low"]
        flag = observation["interpretation"][0]["coding"][0]["code"]
        assert flag == row["abnormal_flag"]
        flags.add(flag)
    assert flags == {"H", "N"} or flags == {"H", "L", "N"}


def test_dispenses_code_ndc_and_rxnorm(exports):
    tables, _, read = exports["medicare-diabetic"]
    rows = {row["fill_id"]: row for row in tables["fills"].to_pylist()}
    statuses = set()
    for dispense in read["MedicationDispense"]:
        row = rows[dispense["id"]]
        codes = {c["system"]: c["code"] for c in dispense["medicationCodeableConcept"]["coding"]}
        assert codes == {
            "http://hl7.org/fhir/sid/ndc": row["ndc"],
            "http://www.nlm.nih.gov/research/umls/rxnorm": row["rxnorm"],
        }
        statuses.add((row["status"], dispense["status"]))
    assert statuses == {("paid", "completed"), ("reversed", "cancelled")}
    assert any("authorizingPrescription" in d for d in read["MedicationDispense"])


@pytest.mark.parametrize("name", ["medicare-diabetic", "episodes"])
def test_benefits_total_the_claims_under_the_coverage_in_force(exports, name):
    tables, _, read = exports[name]
    claims = {row["claim_id"]: row for row in tables["claims"].to_pylist()}
    coverages = {c["id"]: c for c in read["Coverage"]}
    for benefit in read["ExplanationOfBenefit"]:
        claim = claims[benefit["id"]]
        totals = {
            t["category"]["coding"][0]["code"]: t["amount"]["value"] for t in benefit["total"]
        }
        assert totals == {
            "submitted": claim["billed_usd"],
            "eligible": claim["allowed_usd"],
            "benefit": claim["paid_usd"],
        }
        period = coverages[benefit["insurance"][0]["coverage"]["reference"].split("/")[1]]["period"]
        assert period["start"] <= claim["service_date"].isoformat() <= period["end"]
        assert benefit["type"]["coding"][0]["code"] == claim["claim_type"]
    types = {b["type"]["coding"][0]["code"] for b in read["ExplanationOfBenefit"]}
    assert types == ({"professional", "institutional"} if name == "episodes" else {"professional"})


def test_same_tables_give_identical_files(exports, tmp_path):
    tables, _, _ = exports["oswald-family"]
    export_fhir(tables, tmp_path / "a")
    export_fhir(tables, tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_absent_tables_are_skipped_and_persons_stand_in_for_patients(exports):
    tables, _, _ = exports["oswald-family"]
    kept = {name: table for name, table in tables.items() if name not in ("patients", "fills")}
    resources = fhir_resources(kept)
    assert "MedicationDispense" not in resources
    patients = resources["Patient"]
    # a person's Patient keeps the patient id it has in the persons table
    assert sorted(p["id"] for p in patients) == sorted(tables["persons"]["patient_id"].to_pylist())
    assert all("mrn" not in json.dumps(p) for p in patients)
    assert (
        sorted(
            set(_references(resources["Claim"]))
            - {f"{kind}/{r['id']}" for kind, items in resources.items() for r in items}
        )
        == []
    )


def test_an_existing_folder_is_kept_without_overwrite(exports, tmp_path):
    tables, _, _ = exports["oswald-family"]
    (tmp_path / "fhir").mkdir()
    with pytest.raises(SpecError, match="exists") as caught:
        export_fhir(tables, tmp_path / "fhir")
    assert caught.value.path == ("folder",)
    assert export_fhir(tables, tmp_path / "fhir", overwrite=True)["Patient"] == 3


def test_docs_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = DOC.read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
    expected = [line[2:] for line in block.splitlines() if line.startswith("# ")]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, str(DOC), "exec"), {})
    assert printed.getvalue().splitlines() == expected
    # the $import example of the page is a valid Parameters resource
    (import_body,) = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    assert json.loads(import_body)["resourceType"] == "Parameters"


def _references(resources):
    """Every ``reference`` value anywhere inside the resources."""
    stack = list(resources)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                yield value["reference"]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
