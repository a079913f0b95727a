"""Health-plan members: benefit plans and claim adjudication with family accumulators."""

from handlers.membersim.adjudication import CLAIM_COLUMNS, RESULT_COLUMNS, adjudicate
from handlers.membersim.benefits import (
    SERVICE_CATEGORIES,
    BenefitPlan,
    load_plan_benefits,
    parse_plan_benefits,
)

__all__ = [
    "CLAIM_COLUMNS",
    "RESULT_COLUMNS",
    "SERVICE_CATEGORIES",
    "BenefitPlan",
    "adjudicate",
    "load_plan_benefits",
    "parse_plan_benefits",
]
