"""Claim drafts: what a claim's events say about it, before pricing and adjudication. The
professional and institutional builders each make drafts of their claims; ``claims`` prices,
adjudicates and pays them."""

from __future__ import annotations

import pyarrow as pa

from handlers.membersim.schemas import CLAIM_SCHEMA

__all__ = ["CLAIM_DETAIL", "DRAFT_SCHEMA", "draft_table"]

#: what a claim carries as its draft says it (typed as the claims table has it)
CLAIM_DETAIL = (
    "place_of_service",
    "type_of_bill",
    "drg",
    "drg_weight",
    "admission_type_code",
    "discharge_status_code",
    "length_of_stay_days",
    "principal_diagnosis",
    "diagnosis_codes",
)

DRAFT_SCHEMA = pa.schema(
    [
        ("claim_type", pa.string()),
        ("service_date", pa.date32()),
        ("service_end_date", pa.date32()),
        ("service_category", pa.string()),
        ("rendering_role", pa.string()),
        #: Medicare's amount for one unit (fee schedule) or for the stay (DRG payment)
        ("fee_usd", pa.float64()),
        # the one line of a professional claim
        ("procedure_code", pa.string()),
        ("description", pa.string()),
        ("min_units", pa.int64()),
        ("max_units", pa.int64()),
        # the revenue-code lines of a stay, in code order, with each one's share of the charges
        ("revenue_codes", pa.list_(pa.string())),
        ("revenue_shares", pa.list_(pa.float64())),
        *(CLAIM_SCHEMA.field(name) for name in CLAIM_DETAIL),
    ]
)


def draft_table(rows: int, **columns: pa.Array | pa.ChunkedArray | list) -> pa.Table:
    """``rows`` drafts with these columns (arrays, or lists of values); the columns a claim
    type does not have are null."""
    unknown = set(columns) - set(DRAFT_SCHEMA.names)
    if unknown:
        raise ValueError(f"not a draft column: {', '.join(sorted(unknown))}")
    arrays = {}
    for field in DRAFT_SCHEMA:
        values = columns.get(field.name)
        if values is None:
            arrays[field.name] = pa.nulls(rows, field.type)
        elif isinstance(values, list):
            arrays[field.name] = pa.array(values, field.type)
        else:
            arrays[field.name] = values.cast(field.type)
    return pa.table(arrays, schema=DRAFT_SCHEMA)
