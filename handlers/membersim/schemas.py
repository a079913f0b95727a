"""Arrow schemas of the MemberSim tables ``claims`` and ``claim_lines`` (``members``,
``enrollments`` and ``premiums`` live beside the code that builds them)."""

from __future__ import annotations

import pyarrow as pa

__all__ = ["CLAIM_LINE_SCHEMA", "CLAIM_SCHEMA"]

_USD = pa.float64()

CLAIM_SCHEMA = pa.schema(
    [
        ("claim_id", pa.string()),
        ("claim_type", pa.string()),
        ("member_id", pa.string()),
        ("person_id", pa.string()),
        ("subscriber_id", pa.string()),
        ("plan_id", pa.string()),
        ("service_date", pa.date32()),
        ("service_end_date", pa.date32()),
        ("received_date", pa.date32()),
        ("paid_date", pa.date32()),
        ("lag_days", pa.int32()),
        ("status", pa.string()),
        ("denial_code", pa.string()),
        ("initial_denial_code", pa.string()),
        ("coverage", pa.string()),
        ("service_category", pa.string()),
        ("billed_usd", _USD),
        ("allowed_usd", _USD),
        ("paid_usd", _USD),
        ("member_cost_share_usd", _USD),
        ("copay_usd", _USD),
        ("deductible_usd", _USD),
        ("coinsurance_usd", _USD),
        ("member_deductible_to_date", _USD),
        ("family_deductible_to_date", _USD),
        ("member_oop_to_date", _USD),
        ("family_oop_to_date", _USD),
        ("rendering_npi", pa.string()),
        ("rendering_role", pa.string()),
        ("billing_npi", pa.string()),
        ("place_of_service", pa.string()),
        ("type_of_bill", pa.string()),
        ("drg", pa.string()),
        ("drg_weight", pa.float64()),
        ("admission_type_code", pa.string()),
        ("discharge_status_code", pa.string()),
        ("length_of_stay_days", pa.int32()),
        ("principal_diagnosis", pa.string()),
        ("diagnosis_codes", pa.list_(pa.string())),
        ("caused_by", pa.string()),
        ("event_id", pa.string()),
    ]
)

CLAIM_LINE_SCHEMA = pa.schema(
    [
        ("claim_id", pa.string()),
        ("line_number", pa.int32()),
        ("member_id", pa.string()),
        ("service_date", pa.date32()),
        ("procedure_code", pa.string()),
        ("revenue_code", pa.string()),
        ("description", pa.string()),
        ("units", pa.int32()),
        ("place_of_service", pa.string()),
        ("rendering_npi", pa.string()),
        ("billed_usd", _USD),
        ("allowed_usd", _USD),
        ("paid_usd", _USD),
        ("member_cost_share_usd", _USD),
    ]
)
