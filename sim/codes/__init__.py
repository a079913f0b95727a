"""Shipped code tables: common drugs keyed by RxNorm (with NDCs, dispensing defaults and
acquisition costs), lab tests and vital signs keyed by LOINC (with reference ranges and value
distributions), ICD-10-CM diagnoses and CPT/HCPCS procedures. docs/code-tables.md and
docs/patientsim.md describe the columns and where the codes come from."""

from sim.codes.diagnoses import (
    DIAGNOSIS_COLUMNS,
    Diagnosis,
    DiagnosisTable,
    icd10_key,
    is_health_factor,
    is_icd10_cm,
    load_diagnoses,
    parse_diagnoses,
)
from sim.codes.drugs import (
    BILLING_UNITS,
    DRUG_COLUMNS,
    NDC_SOURCES,
    TERM_TYPES,
    Drug,
    DrugTable,
    is_ndc,
    is_rxnorm_like,
    load_drugs,
    normalize_ndc,
    parse_drugs,
)
from sim.codes.labs import LAB_COLUMNS, LabTable, LabTest, is_loinc, load_labs, parse_labs
from sim.codes.procedures import (
    CODE_SYSTEMS,
    PROCEDURE_COLUMNS,
    Procedure,
    ProcedureTable,
    is_cpt,
    is_hcpcs_level2,
    load_procedures,
    parse_procedures,
)

__all__ = [
    "BILLING_UNITS",
    "CODE_SYSTEMS",
    "DIAGNOSIS_COLUMNS",
    "DRUG_COLUMNS",
    "LAB_COLUMNS",
    "NDC_SOURCES",
    "PROCEDURE_COLUMNS",
    "TERM_TYPES",
    "Diagnosis",
    "DiagnosisTable",
    "Drug",
    "DrugTable",
    "LabTable",
    "LabTest",
    "Procedure",
    "ProcedureTable",
    "icd10_key",
    "is_cpt",
    "is_hcpcs_level2",
    "is_health_factor",
    "is_icd10_cm",
    "is_loinc",
    "is_ndc",
    "is_rxnorm_like",
    "load_diagnoses",
    "load_drugs",
    "load_labs",
    "load_procedures",
    "normalize_ndc",
    "parse_diagnoses",
    "parse_drugs",
    "parse_labs",
    "parse_procedures",
]
