"""The HealthSim profile form (``{"profile": {...}}``) translated to ours.

Its semantics are replaced by ours where they differ (DESIGN.md): bounds truncate, seed 0 is
a seed, conditions are parsed safely (``has_condition('N18.3')`` becomes ``has_N18_3``).
"""

from __future__ import annotations

import re
from typing import Any

from sim.profiles.spec import condition_flag

__all__ = ["from_healthsim", "is_healthsim_form"]

_HAS_CONDITION = re.compile(r"has_condition\(\s*['\"]([^'\"]+)['\"]\s*\)")
#: HealthSim keys that carry no information for generation
_IGNORED = ("customizable", "template", "journey", "utilization")


def is_healthsim_form(data: Any) -> bool:
    return isinstance(data, dict) and "profile" in data and isinstance(data["profile"], dict)


def _rewrite_condition(text: str) -> str:
    return _HAS_CONDITION.sub(lambda m: condition_flag(m.group(1)), text)


def _distribution(spec: Any) -> Any:
    """Rewrites conditions inside a distribution; ``{"else": true}`` rules become the default."""
    if not isinstance(spec, dict):
        return spec
    if spec.get("type") != "conditional":
        return spec
    rules, default = [], spec.get("default")
    for rule in spec.get("rules", []):
        if isinstance(rule, dict) and rule.get("else") is True:
            default = _distribution(rule.get("distribution"))
            continue
        if isinstance(rule, dict) and isinstance(rule.get("if"), str):
            rule = {
                **rule,
                "if": _rewrite_condition(rule["if"]),
                "distribution": _distribution(rule.get("distribution")),
            }
        rules.append(rule)
    out = {**spec, "rules": rules}
    if default is not None:
        out["default"] = default
    return out


def _geography(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    for key in ("county", "state", "counties"):
        if key in value:
            return {key: value[key]}
    if "fips" in value:
        return {"county": str(value["fips"])}
    return None  # "national" with population weighting: the default


def from_healthsim(data: dict[str, Any]) -> dict[str, Any]:
    profile = dict(data["profile"])
    template = data.get("template") or {}
    out: dict[str, Any] = {}
    out["id"] = str(profile.pop("id", template.get("id", "profile"))).removesuffix("-template")
    out["name"] = profile.pop("name", template.get("name", ""))
    profile.pop("version", None)
    for key in _IGNORED:
        profile.pop(key, None)
    generation = dict(profile.pop("generation", {}))
    out["generation"] = generation
    demographics = dict(profile.pop("demographics", {}))
    if "gender" in demographics:
        demographics["sex"] = demographics.pop("gender")
    geography = _geography(demographics.pop("geography", None))
    if geography:
        out["geography"] = geography
    out["demographics"] = demographics
    clinical = dict(profile.pop("clinical", {}))
    if "labs" in clinical:
        clinical["labs"] = {k: _distribution(v) for k, v in clinical["labs"].items()}
    medications = profile.pop("medications", None)
    if isinstance(medications, dict):
        clinical["medications"] = [
            {"drug": m.get("drug"), "class": m.get("class"), "prevalence": m.get("prevalence")}
            for group in medications.values()
            for m in group
        ]
    out["clinical"] = clinical
    coverage = profile.pop("coverage", None)
    attributes: dict[str, Any] = {}
    if isinstance(coverage, dict):
        coverage = dict(coverage)
        part_d = coverage.pop("part_d", None)
        if isinstance(part_d, dict):
            for key, share in part_d.items():
                attributes[f"part_d_{key}"] = {
                    "type": "explicit",
                    "values": [
                        {"value": True, "weight": share},
                        {"value": False, "weight": round(1 - share, 10)},
                    ],
                }
        out["coverage"] = coverage
    if attributes:
        out["attributes"] = attributes
    out.update(profile)  # anything left is validated (and rejected if unknown) as ours
    return out
