"""Health-plan members: benefit plans, enrollment spans, priced and adjudicated claims with
family accumulators, and premiums. ``records`` is the handler a run calls."""

from handlers.membersim.adjudication import CLAIM_COLUMNS, RESULT_COLUMNS, adjudicate
from handlers.membersim.benefits import (
    SERVICE_CATEGORIES,
    BenefitPlan,
    load_plan_benefits,
    parse_plan_benefits,
)
from handlers.membersim.coverage import PLAN_LABELS, resolve_plans
from handlers.membersim.fee_schedule import load_fee_schedule
from handlers.membersim.providers import is_valid_npi
from handlers.membersim.records import records
from handlers.membersim.utilisation import UtilisationSummary, utilisation_summary

__all__ = [
    "CLAIM_COLUMNS",
    "PLAN_LABELS",
    "RESULT_COLUMNS",
    "SERVICE_CATEGORIES",
    "BenefitPlan",
    "UtilisationSummary",
    "adjudicate",
    "is_valid_npi",
    "load_fee_schedule",
    "load_plan_benefits",
    "parse_plan_benefits",
    "records",
    "resolve_plans",
    "utilisation_summary",
]
