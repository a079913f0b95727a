"""Shipped code tables: common drugs keyed by RxNorm (with NDCs, dispensing defaults and
acquisition costs) and lab tests and vital signs keyed by LOINC (with reference ranges and value
distributions). docs/code-tables.md describes the columns and where the codes come from."""

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

__all__ = [
    "BILLING_UNITS",
    "DRUG_COLUMNS",
    "LAB_COLUMNS",
    "NDC_SOURCES",
    "TERM_TYPES",
    "Drug",
    "DrugTable",
    "LabTable",
    "LabTest",
    "is_loinc",
    "is_ndc",
    "is_rxnorm_like",
    "load_drugs",
    "load_labs",
    "normalize_ndc",
    "parse_drugs",
    "parse_labs",
]
