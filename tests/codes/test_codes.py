"""The shipped drug and lab tables: every row well formed, the codes the shipped journeys use
present, lookups and their errors, and lab values drawn the way docs/code-tables.md says."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim.codes import (
    DRUG_COLUMNS,
    LAB_COLUMNS,
    is_loinc,
    is_ndc,
    is_rxnorm_like,
    load_drugs,
    load_labs,
    normalize_ndc,
    parse_drugs,
    parse_labs,
)
from sim.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "sim" / "codes" / "data"
JOURNEYS = sorted((ROOT / "scenarios" / "journeys").glob("*.yaml"))


def rxnorm_values(node: Any) -> Iterator[str]:
    """Every value under an ``rxnorm`` key, however deep (a code or a list of codes)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "rxnorm":
                yield from [value] if isinstance(value, str | int) else value
            else:
                yield from rxnorm_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from rxnorm_values(item)


# --- drug table ---------------------------------------------------------------------------


def test_every_drug_row_parses_and_the_table_has_a_few_hundred_drugs():
    drugs = load_drugs()
    assert 200 <= len(drugs) <= 300
    with (DATA / "drugs.csv").open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == list(DRUG_COLUMNS)
        assert sum(1 for _ in fh) == len(drugs)


def test_rxnorm_ids_and_ndcs_are_unique_and_well_formed():
    drugs = list(load_drugs())
    rxnorm = [drug.rxnorm for drug in drugs]
    ndcs = [drug.ndc for drug in drugs]
    assert len(set(rxnorm)) == len(rxnorm)
    assert len(set(ndcs)) == len(ndcs)
    assert all(is_rxnorm_like(code) for code in rxnorm)
    assert all(len(ndc) == 11 and ndc.isdigit() for ndc in ndcs)
    assert not set(ndcs) & set(rxnorm)


def test_synthetic_ndcs_and_only_they_use_the_reserved_labeler():
    drugs = list(load_drugs())
    verified = [drug for drug in drugs if drug.ndc_source == "verified"]
    synthetic = [drug for drug in drugs if drug.ndc_source == "synthetic"]
    assert len(verified) + len(synthetic) == len(drugs)
    assert len(verified) >= 10
    assert all(drug.ndc.startswith("99999") for drug in synthetic)
    assert not any(drug.ndc.startswith("99999") for drug in verified)


def test_rows_are_internally_consistent():
    for drug in load_drugs():
        assert drug.formulary_tier in (1, 2, 3, 4)
        assert drug.typical_days_supply >= 1 and drug.typical_quantity > 0
        assert drug.unit_price_usd >= 0
        if drug.tty == "IN":
            assert drug.name == drug.ingredient and not drug.dose_form
        else:
            # The RxNorm name carries the strength and dose form the row lists separately.
            assert drug.dose_form in drug.name
            for strength in drug.strength.split(" / "):
                assert strength in drug.name
        if drug.tty == "SBD":
            assert drug.name.endswith("]")
        # Generics are cents a unit, specialty drugs hundreds of dollars.
        if drug.formulary_tier == 1 and drug.billing_unit in ("EA", "ML"):
            assert drug.unit_price_usd < 200


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda path: path.stem)
def test_every_rxnorm_code_in_the_shipped_journeys_is_in_the_table(journey):
    drugs = load_drugs()
    codes = [str(code) for code in rxnorm_values(yaml.safe_load(journey.read_text()))]
    missing = [code for code in codes if code not in drugs]
    assert not missing, f"{journey.name}: {missing}"


def test_the_journey_codes_mean_what_the_journeys_use_them_for():
    drugs = load_drugs()
    assert drugs.by_rxnorm("860975").name == (
        "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"
    )
    assert drugs.by_rxnorm("310490").name == "glipizide 5 MG Oral Tablet"
    assert drugs.by_rxnorm("314076").name == "lisinopril 10 MG Oral Tablet"
    assert drugs.by_rxnorm("3639").ingredient == "doxorubicin"
    assert drugs.by_rxnorm("3002").ingredient == "cyclophosphamide"
    assert drugs.by_rxnorm("56946").ingredient == "paclitaxel"


def test_the_table_covers_common_primary_care_drugs():
    drugs = load_drugs()
    for code in ("860975", "861007", "310490", "314076", "308182", "308191", "308189"):
        assert code in drugs
    ingredients = {drug.ingredient for drug in drugs}
    for wanted in (
        "atorvastatin",
        "amlodipine",
        "furosemide",
        "carvedilol",
        "metoprolol succinate",
        "sacubitril / valsartan",
        "apixaban",
        "warfarin sodium",
        "levothyroxine sodium",
        "sertraline",
        "omeprazole",
    ):
        assert wanted in ingredients, wanted
    inhalers = [d for d in drugs if d.ingredient == "albuterol" and "Inhaler" in d.dose_form]
    assert inhalers
    assert drugs.by_rxnorm("308189").strength == "80 MG/ML"  # 400 mg/5 mL, for a child's otitis


def test_by_rxnorm_returns_the_row():
    drug = load_drugs().by_rxnorm("860975")
    assert "metformin" in drug.ingredient
    assert drug.tty == "SCD"
    assert drug.dose_form == "Extended Release Oral Tablet"
    assert drug.maintenance and drug.formulary_tier == 1
    assert drug.typical_fill_cost_usd == round(drug.typical_quantity * drug.unit_price_usd, 2)


def test_an_unknown_rxnorm_code_is_a_spec_error_with_a_hint():
    drugs = load_drugs()
    with pytest.raises(SpecError) as caught:
        drugs.by_rxnorm("86097")
    assert caught.value.hint == "did you mean '860975'?"
    assert "unknown RxNorm code '86097'" in str(caught.value)
    with pytest.raises(SpecError) as caught:
        drugs.by_rxnorm("lisinopril 10 MG Oral Tablet")
    assert caught.value.hint == "did you mean '314076' (lisinopril 10 MG Oral Tablet)?"
    assert drugs.get("86097") is None
    assert "86097" not in drugs


def test_by_ndc_accepts_eleven_digits_and_hyphenated_forms():
    drugs = load_drugs()
    apixaban = drugs.by_rxnorm("1364445")
    assert apixaban.ndc == "00003089421" and apixaban.ndc_source == "verified"
    assert apixaban.ndc_hyphenated == "00003-0894-21"
    for form in ("00003089421", "00003-0894-21", "0003-0894-21"):
        assert drugs.by_ndc(form) is apixaban
    with pytest.raises(SpecError, match="unknown NDC '1234'"):
        drugs.by_ndc("1234")


def test_by_class_and_iteration():
    drugs = load_drugs()
    statins = drugs.by_class("statin")
    assert {drug.ingredient for drug in statins} >= {"atorvastatin", "rosuvastatin calcium"}
    assert "statin" in drugs.classes
    assert drugs.by_class("no such class") == ()
    assert [drug.rxnorm for drug in drugs] == [drug.rxnorm for drug in drugs.drugs]


def test_code_shape_helpers():
    assert is_ndc("00003089421")
    assert not is_ndc("0003-0894-21") and not is_ndc("0000308942") and not is_ndc("000030894211")
    assert normalize_ndc("0003-0894-21") == "00003089421"  # 4-4-2
    assert normalize_ndc("50458-579-30") == "50458057930"  # 5-3-2
    assert normalize_ndc("12345-6789-1") == "12345678901"  # 5-4-1
    assert normalize_ndc(" 00003089421 ") == "00003089421"
    assert normalize_ndc("123-456-7") is None and normalize_ndc("abc") is None
    assert is_rxnorm_like("860975") and is_rxnorm_like("3002")
    assert not any(is_rxnorm_like(text) for text in ("0860975", "86-0975", "", "123456789"))
    assert is_loinc("4548-4") and is_loinc("98979-8") and not is_loinc("4548")


DRUG_ROW = (
    "314076,SCD,99999000401,synthetic,lisinopril 10 MG Oral Tablet,lisinopril,10 MG,"
    "Oral Tablet,ACE inhibitor,30,30,EA,0.02,1,true"
)


def drug_csv(*rows: str) -> str:
    return "\n".join([",".join(DRUG_COLUMNS), *rows]) + "\n"


def test_parse_drugs_reads_a_good_row():
    table = parse_drugs(drug_csv(DRUG_ROW))
    assert len(table) == 1 and table.by_rxnorm("314076").typical_quantity == 30.0


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        (DRUG_ROW.replace("314076,", "0314076,"), "rxnorm"),
        (DRUG_ROW.replace(",SCD,", ",XYZ,"), "tty"),
        (DRUG_ROW.replace("99999000401", "9999900040"), "ndc"),
        (DRUG_ROW.replace(",synthetic,", ",guessed,"), "ndc_source"),
        (DRUG_ROW.replace(",30,30,", ",0,30,"), "typical_days_supply"),
        (DRUG_ROW.replace(",0.02,", ",-1,"), "unit_price_usd"),
        (DRUG_ROW.replace(",1,true", ",5,true"), "formulary_tier"),
        (DRUG_ROW.replace(",true", ",yes"), "maintenance"),
        (DRUG_ROW.replace(",10 MG,Oral Tablet,", ",,,"), "strength"),
    ],
)
def test_a_bad_drug_value_is_located(bad, column):
    with pytest.raises(SpecError) as caught:
        parse_drugs(drug_csv(DRUG_ROW.replace("314076", "314077"), bad), source="drugs.csv")
    assert caught.value.line == 3
    assert caught.value.path == (column,)
    assert str(caught.value).startswith(f"drugs.csv:3: {column}: ")


def test_duplicate_codes_and_wrong_columns_are_rejected():
    with pytest.raises(SpecError, match="'314076' is already on line 2"):
        parse_drugs(drug_csv(DRUG_ROW, DRUG_ROW.replace("99999000401", "99999000402")))
    with pytest.raises(SpecError, match="'99999000401' is already on line 2"):
        parse_drugs(drug_csv(DRUG_ROW, DRUG_ROW.replace("314076,", "314077,")))
    with pytest.raises(SpecError, match="columns must be"):
        parse_drugs("rxnorm,name\n314076,lisinopril\n")


# --- lab table ----------------------------------------------------------------------------


def test_every_lab_row_parses_and_the_table_has_the_common_tests():
    labs = load_labs()
    assert 30 <= len(labs) <= 50
    with (DATA / "labs.csv").open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == list(LAB_COLUMNS)
        assert sum(1 for _ in fh) == len(labs)
    for code in (
        "4548-4",  # HbA1c
        "2345-7",  # glucose
        "13457-7",  # LDL, calculated
        "18262-6",  # LDL, direct
        "2085-9",  # HDL
        "2093-3",  # total cholesterol
        "2571-8",  # triglycerides
        "2160-0",  # creatinine
        "98979-8",  # eGFR, CKD-EPI 2021
        "2823-3",  # potassium
        "2951-2",  # sodium
        "30934-4",  # BNP
        "33762-6",  # NT-proBNP
        "3016-3",  # TSH
        "718-7",  # hemoglobin
        "6690-2",  # WBC
        "777-3",  # platelets
        "1742-6",  # ALT
        "1920-8",  # AST
        "9318-7",  # urine albumin/creatinine
        "8480-6",  # systolic BP
        "8462-4",  # diastolic BP
        "8867-4",  # heart rate
        "39156-5",  # BMI
        "29463-7",  # body weight
    ):
        assert code in labs, code


def test_lab_ranges_and_distributions_are_coherent():
    labs = list(load_labs())
    assert len({test.loinc for test in labs}) == len(labs)
    for test in labs:
        assert test.reference_low < test.reference_high
        assert test.min_value <= test.normal_mean <= test.max_value
        # The plausible range covers the reference range (a lower limit of 0 means "none").
        assert test.min_value < test.reference_high <= test.max_value
        assert test.normal_sd > 0 and test.decimals >= 0
        # A person without the condition is mostly within the reference range.
        assert test.reference_low - test.normal_sd <= test.normal_mean
        assert test.normal_mean <= test.reference_high + test.normal_sd
        if test.condition_icd10 is not None:
            assert re.fullmatch(r"[A-Z]\d\d(\.\w+)?", test.condition_icd10)
            assert test.condition_mean is not None and test.condition_sd is not None
            assert test.min_value <= test.condition_mean <= test.max_value
        else:
            assert test.condition_mean is None and test.condition_sd is None


def test_by_loinc_and_unknown_codes():
    labs = load_labs()
    a1c = labs.by_loinc("4548-4")
    assert a1c.name == "Hemoglobin A1c/Hemoglobin.total in Blood" and a1c.unit == "%"
    with pytest.raises(SpecError) as caught:
        labs.by_loinc("4548-5")
    assert caught.value.hint == "did you mean '4548-4'?"
    with pytest.raises(SpecError) as caught:
        labs.by_loinc("hemoglobin a1c")
    assert caught.value.hint == (
        "did you mean '4548-4' (Hemoglobin A1c/Hemoglobin.total in Blood)?"
    )
    assert labs.get("0000-0") is None and "0000-0" not in labs


def test_abnormal_flag_on_both_sides_of_the_range():
    labs = load_labs()
    a1c = labs.by_loinc("4548-4")
    assert a1c.abnormal_flag(6.5) == "H"
    assert a1c.abnormal_flag(3.9) == "L"
    assert a1c.abnormal_flag(5.0) == "N"
    assert a1c.abnormal_flag(a1c.reference_low) == "N"
    assert a1c.abnormal_flag(a1c.reference_high) == "N"
    potassium = labs.by_loinc("2823-3")
    assert [potassium.abnormal_flag(v) for v in (3.2, 4.0, 5.6)] == ["L", "N", "H"]


def test_a_condition_shifts_the_distribution():
    labs = load_labs()
    a1c, egfr = labs.by_loinc("4548-4"), labs.by_loinc("98979-8")
    assert a1c.has_condition(["I10", "E11.9"]) and a1c.has_condition(["e119"])
    assert not a1c.has_condition(["E10.9"]) and not a1c.has_condition([])
    assert a1c.distribution(["E11.65"]) == (a1c.condition_mean, a1c.condition_sd)
    assert a1c.distribution() == (a1c.normal_mean, a1c.normal_sd)
    rng = np.random.default_rng(7)
    diabetic = a1c.sample(rng, ["E11.9"], size=4000)
    healthy = a1c.sample(rng, size=4000)
    assert abs(diabetic.mean() - a1c.condition_mean) < 0.1
    assert abs(healthy.mean() - a1c.normal_mean) < 0.05
    assert (np.array([a1c.abnormal_flag(v) for v in diabetic]) == "H").mean() > 0.9
    ckd = egfr.sample(rng, ["N18.4"], size=2000)
    assert ckd.mean() < egfr.reference_low
    inr = labs.by_loinc("6301-6")
    assert inr.has_condition(["Z79.01"]) and not inr.has_condition(["Z79.4"])


def test_samples_are_clamped_and_rounded():
    labs = load_labs()
    rng = np.random.default_rng(3)
    for test in labs:
        values = test.sample(rng, [test.condition_icd10 or "Z00.00"], size=500)
        assert values.min() >= test.min_value and values.max() <= test.max_value
        np.testing.assert_array_equal(values, np.round(values, test.decimals))
    one = labs.by_loinc("2160-0").sample(rng)
    assert isinstance(one, float) and one == round(one, 2)
    assert labs.by_loinc("8480-6").finish(300.4) == 260


LAB_ROW = "4548-4,Hemoglobin A1c,Hgb A1c,%,4.0,5.6,1,5.3,0.35,E11,7.6,1.3,3.5,16"


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        (LAB_ROW.replace("4548-4", "4548"), "loinc"),
        (LAB_ROW.replace(",4.0,5.6,", ",5.6,4.0,"), "reference_low"),
        (LAB_ROW.replace(",5.3,0.35,", ",30,0.35,"), "normal_mean"),
        (LAB_ROW.replace(",5.3,0.35,", ",5.3,0,"), "normal_sd"),
        (LAB_ROW.replace(",E11,7.6,1.3,", ",E11,,,"), "condition_icd10"),
        (LAB_ROW.replace(",1,5.3,", ",x,5.3,"), "decimals"),
    ],
)
def test_a_bad_lab_value_is_located(bad, column):
    text = "\n".join([",".join(LAB_COLUMNS), bad]) + "\n"
    with pytest.raises(SpecError) as caught:
        parse_labs(text, source="labs.csv")
    assert (caught.value.source, caught.value.line, caught.value.path) == ("labs.csv", 2, (column,))


# --- documentation ------------------------------------------------------------------------


def test_the_doc_example_runs():
    doc = (ROOT / "docs" / "code-tables.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"^```python\n(.*?)^```", doc, re.DOTALL | re.MULTILINE)
    namespace: dict[str, Any] = {}
    exec(compile(example, "docs/code-tables.md", "exec"), namespace)
    assert namespace["metformin"].rxnorm == "860975"
    assert namespace["a1c"].abnormal_flag(6.8) == "H"


def test_the_doc_states_the_current_counts():
    doc = (ROOT / "docs" / "code-tables.md").read_text(encoding="utf-8")
    drugs = list(load_drugs())
    verified = sum(drug.ndc_source == "verified" for drug in drugs)
    assert f"{len(drugs)} drugs" in doc
    assert f"{verified} NDCs are verified" in doc
    assert f"{len(drugs) - verified} are synthetic" in doc
    assert f"{len(load_labs())} tests" in doc
