"""A profile compiled once: samplers and rules checked against the attributes they read."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.distributions import Sampler, create_distribution
from sim.errors import SpecError
from sim.profiles.coverage import CompiledCoverage, compile_coverage
from sim.profiles.dates import MAX_AGE_YEARS
from sim.profiles.probability import ProbabilityModel, ReferenceProbability, compile_probability
from sim.profiles.reference_merge import merge_reference
from sim.profiles.spec import ProfileSpecification, condition_flag
from sim.reference import Geography, national_geography, resolve_geography

__all__ = ["CompiledCondition", "CompiledMedication", "CompiledProfile", "compile_profile"]

DEMOGRAPHIC_ATTRIBUTES = ("sex", "age", "race_ethnicity", "county_fips", "state")
NAME_ATTRIBUTES = ("first_name", "last_name", "address_line", "city", "zip_code")


@dataclass(frozen=True)
class CompiledCondition:
    code: str
    description: str
    flag: str
    prevalence: ProbabilityModel | ReferenceProbability
    severity: Sampler | None


@dataclass(frozen=True)
class CompiledMedication:
    drug: str
    drug_class: str | None
    rxnorm: str | None
    flag: str
    prevalence: ProbabilityModel


@dataclass(frozen=True)
class CompiledProfile:
    spec: ProfileSpecification
    source: str | None
    #: where people live (the nation when the profile names no place)
    geography: Geography
    age: Sampler
    sex: Sampler
    race_ethnicity: Sampler
    attributes: tuple[tuple[str, Sampler], ...]
    conditions: tuple[CompiledCondition, ...]
    labs: tuple[tuple[str, Sampler], ...]
    medications: tuple[CompiledMedication, ...]
    coverage: CompiledCoverage | None
    #: rows of the reference county table for ``geography.county_fips``
    county_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    #: every attribute a person carries (conditions of journeys and triggers may read them)
    columns: frozenset[str] = frozenset()

    def attribute_names(self) -> frozenset[str]:
        return self.columns


def _medication_flag(drug: str) -> str:
    return "takes_" + "".join(ch if ch.isalnum() else "_" for ch in drug.lower()).strip("_")


def compile_profile(spec: ProfileSpecification, source: str | None = None) -> CompiledProfile:
    """Compiles every distribution and rule; errors are located in the profile's file."""
    try:
        return _compile(spec, source)
    except SpecError as error:
        raise error.located(source=source) from None


def _required(spec: ProfileSpecification, field: str) -> Sampler:
    value = getattr(spec.demographics, field)
    if value is None:
        raise SpecError(
            "required (or give a geography whose reference data provides it)",
            path=("demographics", field),
        )
    return create_distribution(value, path=("demographics", field))


def _geography(spec: ProfileSpecification) -> Geography:
    reference = spec.geography.as_reference() if spec.geography is not None else None
    return national_geography() if reference is None else resolve_geography(reference)


def _compile(spec: ProfileSpecification, source: str | None) -> CompiledProfile:
    spec = merge_reference(spec)
    geography = _geography(spec)
    age = _required(spec, "age")
    low, high = age.support()
    if low < 0 or high > MAX_AGE_YEARS:
        raise SpecError(
            f"ages can fall outside 0-{MAX_AGE_YEARS}",
            path=("demographics", "age"),
            hint="give the distribution min and max bounds",
        )
    sex = _required(spec, "sex")
    shares = sex.expected_shares() or {}
    if set(shares) - {"M", "F"}:
        raise SpecError(
            f"sex takes the values 'M' and 'F', got {sorted(set(shares) - {'M', 'F'})}",
            path=("demographics", "sex"),
        )
    race_spec = spec.demographics.race_ethnicity or {
        "type": "categorical",
        "weights": {k: v for k, v in geography.race_shares.items() if v > 0},
    }
    race = create_distribution(race_spec, path=("demographics", "race_ethnicity"))
    known: set[str] = set(DEMOGRAPHIC_ATTRIBUTES)
    if spec.generation.names:
        known.update(NAME_ATTRIBUTES)

    attributes = []
    for name, dist in spec.attributes.items():
        attributes.append(
            (name, create_distribution(dist, attributes=known, path=("attributes", name)))
        )
        known.add(name)

    conditions = []
    specs = spec.clinical.conditions()
    for i, condition in enumerate(specs):
        path = (
            ("clinical", "primary_condition")
            if (spec.clinical.primary_condition is not None and i == 0)
            else ("clinical", "comorbidities", i - (spec.clinical.primary_condition is not None))
        )
        prevalence = compile_probability(condition.prevalence, known, (*path, "prevalence"))
        severity = None
        flag = condition_flag(condition.code)
        known.add(flag)
        if condition.severity is not None:
            severity = create_distribution(
                condition.severity, attributes=known, path=(*path, "severity")
            )
        conditions.append(
            CompiledCondition(condition.code, condition.description, flag, prevalence, severity)
        )
        if condition.severity is not None:
            known.add("severity" if i == 0 else f"severity_{flag[4:]}")

    labs = []
    for name, dist in spec.clinical.labs.items():
        labs.append(
            (name, create_distribution(dist, attributes=known, path=("clinical", "labs", name)))
        )
    known.update(spec.clinical.labs)

    medications = []
    for i, medication in enumerate(spec.clinical.medications):
        path = ("clinical", "medications", i, "prevalence")
        medications.append(
            CompiledMedication(
                medication.drug,
                medication.drug_class,
                medication.rxnorm,
                _medication_flag(medication.drug),
                compile_probability(medication.prevalence, known, path),
            )
        )
    known.update(m.flag for m in medications)
    coverage = compile_coverage(spec.coverage, age_support=(low, high), known=known)
    known.update(
        {
            "person_id",
            "person_index",
            "birth_date",
            "coverage_type",
            "plan",
            "medicare_reason",
            "conditions",
            "medications",
        }
    )
    return CompiledProfile(
        spec=spec,
        source=source,
        geography=geography,
        age=age,
        sex=sex,
        race_ethnicity=race,
        attributes=tuple(attributes),
        conditions=tuple(conditions),
        labs=tuple(labs),
        medications=tuple(medications),
        coverage=coverage,
        columns=frozenset(known),
        county_rows=geography.table_rows,
    )
