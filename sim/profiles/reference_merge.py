"""Hybrid profiles: reference data for a place, overridden by what the profile says.

Merge rules (docs/profiles.md): a value the profile gives wins; what it leaves out comes from
the place's reference data (sex and age by sex from the census, race/ethnicity from SVI, the
PLACES adult prevalences as comorbidities). ``min_age``/``max_age`` cut the census age bands.
A profile condition overrides the reference condition of the same ICD-10 category (``E11``
overrides diabetes' ``E11.9``). The result is an ordinary profile with ``use_reference: false``.
"""

from __future__ import annotations

from typing import Any

from sim.errors import SpecError
from sim.profiles.spec import ProfileSpecification
from sim.reference import AGE_BANDS, Geography, resolve_geography

__all__ = ["OPEN_BAND_MAX_AGE", "REFERENCE_CONDITIONS", "merge_reference"]

#: the census "85+" band is spread over 85-95 (mean 90, about the mean age of people 85+)
OPEN_BAND_MAX_AGE = 95

#: PLACES measure -> (ICD-10-CM code, description)
REFERENCE_CONDITIONS: dict[str, tuple[str, str]] = {
    "diabetes": ("E11.9", "Type 2 diabetes mellitus without complications"),
    "obesity": ("E66.9", "Obesity, unspecified"),
    "hypertension": ("I10", "Essential (primary) hypertension"),
    "high_cholesterol": ("E78.5", "Hyperlipidemia, unspecified"),
    "asthma": ("J45.909", "Unspecified asthma, uncomplicated"),
    "copd": ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
    "chd": ("I25.10", "Atherosclerotic heart disease of native coronary artery"),
    "stroke": ("Z86.73", "Personal history of cerebral infarction without residual deficits"),
    "ckd": ("N18.9", "Chronic kidney disease, unspecified"),
    "depression": ("F32.A", "Depression, unspecified"),
    "cancer": ("Z85.9", "Personal history of malignant neoplasm, unspecified"),
    "arthritis": ("M19.90", "Unspecified osteoarthritis, unspecified site"),
    "smoking": ("F17.210", "Nicotine dependence, cigarettes, uncomplicated"),
}


def _cut_bands(geography: Geography, sex_row: int, low: int, high: int) -> dict[str, float]:
    """The census bands of one sex cut to ages [low, high], with their shares of everyone."""
    shares: dict[str, float] = {}
    for j, band in enumerate(AGE_BANDS):
        top = band.max_age_years if band.max_age_years is not None else OPEN_BAND_MAX_AGE
        first, last = max(band.min_age_years, low), min(top, high)
        share = float(geography.age_sex_shares[sex_row, j])
        if first <= last and share > 0:
            shares[f"{first}-{last}"] = share * (last - first + 1) / (top - band.min_age_years + 1)
    return shares


def _age_by_sex(geography: Geography, low: int, high: int) -> dict[str, Any]:
    def bands(sex_row: int) -> dict[str, Any]:
        shares = _cut_bands(geography, sex_row, low, high)
        total = sum(shares.values())
        weights = {label: share / total for label, share in shares.items()}
        return {"type": "age_bands", "bands": weights, "open_band_max": OPEN_BAND_MAX_AGE}

    return {
        "type": "conditional",
        "rules": [{"if": "sex == 'M'", "distribution": bands(0)}],
        "default": bands(1),
    }


def _sex(geography: Geography, low: int, high: int) -> dict[str, Any]:
    male, female = (sum(_cut_bands(geography, row, low, high).values()) for row in (0, 1))
    return {
        "type": "categorical",
        "weights": {"M": male / (male + female), "F": female / (male + female)},
    }


def merge_reference(spec: ProfileSpecification) -> ProfileSpecification:
    """The profile with the reference data of its geography merged in (or as it is)."""
    if spec.geography is None or not spec.geography.use_reference:
        return spec
    demographics = spec.demographics
    if (demographics.min_age is not None or demographics.max_age is not None) and (
        demographics.age is not None
    ):
        raise SpecError(
            "min_age/max_age cut the reference ages; with your own age "
            "distribution give it min and max bounds instead",
            path=("demographics", "min_age"),
        )
    geography = _resolve(spec)
    low = demographics.min_age if demographics.min_age is not None else 0
    high = demographics.max_age if demographics.max_age is not None else OPEN_BAND_MAX_AGE
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    merged_demographics = data["demographics"]
    merged_demographics.pop("min_age", None)
    merged_demographics.pop("max_age", None)
    if demographics.sex is None:
        merged_demographics["sex"] = _sex(geography, low, high)
    if demographics.age is None:
        merged_demographics["age"] = _age_by_sex(geography, low, high)
    if demographics.race_ethnicity is None:
        merged_demographics["race_ethnicity"] = {
            "type": "categorical",
            "weights": {k: v for k, v in geography.race_shares.items() if v > 0},
        }
    clinical = data.setdefault("clinical", {})
    given = {c.code[:3] for c in spec.clinical.conditions()}
    comorbidities = clinical.setdefault("comorbidities", [])
    for measure, (code, description) in REFERENCE_CONDITIONS.items():
        if code[:3] not in given:
            comorbidities.append(
                {"code": code, "description": description, "prevalence": {"reference": measure}}
            )
    data["geography"]["use_reference"] = False
    return ProfileSpecification.model_validate(data)


def _resolve(spec: ProfileSpecification) -> Geography:
    from sim.reference import national_geography

    assert spec.geography is not None
    reference = spec.geography.as_reference()
    return national_geography() if reference is None else resolve_geography(reference)
