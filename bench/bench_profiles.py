"""Profile phase: persons per second, vectorised, against a naive per-person Python loop.

The vectorised path is ``generate_population`` (a block of 1,024 persons per numpy call), with
and without names. The naive loop, ``naive_population``, makes the same persons table the
way we avoid: one dict per person, one scalar draw per attribute from a stream of its own (so
person i would not depend on the population size either), rules evaluated on that one person,
then ``pa.Table.from_pylist``. It uses the profile's compiled samplers and their scalar
``sample_one`` path, draws every attribute the vectorised path draws except names, and yields
the same columns. ``speedup`` is persons/s over the naive loop's; times are the best of three.
A second naive row draws everyone from one shared generator, to show what the per-person
streams cost the loop.

python -m bench profiles          # 1,000,000 medicare-diabetic persons; the naive loop 20,000
python -m bench.bench_profiles --count 200000 --naive-count 10000
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from bench.__main__ import table
from sim.profiles import compile_profile, generate_population, load_profile
from sim.profiles.compiled import CompiledProfile
from sim.profiles.coverage import CHILD_MAX_AGE, MEDICARE_AGE
from sim.profiles.dates import MAX_AGE_YEARS
from sim.profiles.probability import ProbabilityModel, ReferenceProbability
from sim.reference import load_counties
from sim.seeds import SeedTree

__all__ = ["naive_population", "run"]

PROFILE = "medicare-diabetic"
DEFAULT_COUNT = 1_000_000
NAIVE_COUNT = 20_000
SEED = 1
REPEATS = 3


def _probability(model: ProbabilityModel | ReferenceProbability, person: dict) -> float:
    """The first matching rule's value, evaluated on one person."""
    if isinstance(model, ReferenceProbability):
        one = {name: np.asarray([person[name]]) for name in model.names}
        return float(model.probabilities(one, 1)[0])
    if model.constant is not None:
        return model.constant
    for condition, value in zip(model.conditions, model.values, strict=True):
        if condition.evaluate(person):
            return value
    return model.default


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_date(age: int, reference: dt.date, rng: np.random.Generator) -> dt.date:
    """Uniform among the dates that give exactly ``age`` on ``reference``."""
    first = _years_before(reference, age + 1) + dt.timedelta(days=1)
    span_days = (_years_before(reference, age) - first).days + 1
    return first + dt.timedelta(days=int(rng.random() * span_days))


def _coverage(profile: CompiledProfile, person: dict, rng: np.random.Generator) -> dict:
    coverage = profile.coverage
    if coverage is None:
        return {}
    age = person["age"]
    if coverage.type_sampler is not None:
        kind = coverage.type_sampler.sample_one(rng, person)
    elif age >= MEDICARE_AGE:
        kind = "Medicare"
    else:
        kind = coverage.by_age["child" if age <= CHILD_MAX_AGE else "adult"].sample_one(rng)
    kind = "Medicare" if kind == "Medicare Advantage" else kind
    plans = coverage.plan_sampler or coverage.by_type_plans[kind]
    reason = None
    if kind == "Medicare":
        reason = "age" if age >= MEDICARE_AGE else coverage.reasons.sample_one(rng)
    return {"coverage_type": kind, "plan": plans.sample_one(rng), "medicare_reason": reason}


def naive_population(
    profile: CompiledProfile, count: int, seed: int = SEED, *, stream_per_person: bool = True
) -> pa.Table:
    """The persons table (without names), one person and one scalar draw at a time.

    ``stream_per_person=False`` draws everyone from one generator: faster, but person i then
    depends on the persons before it, which the design rules out (shown for scale only)."""
    tree = SeedTree(seed)
    shared = tree.rng("naive-profile")
    counties = load_counties()
    fips = counties.county_fips[profile.county_rows].tolist()
    states = counties.state_abbr[profile.county_rows].tolist()
    cumulative = np.cumsum(profile.geography.county_weights).tolist()
    low, high = profile.age.support()
    low_age = max(0, int(np.ceil(low))) if np.isfinite(low) else 0
    high_age = min(MAX_AGE_YEARS, int(np.floor(high))) if np.isfinite(high) else MAX_AGE_YEARS
    reference = profile.spec.generation.reference_date
    rows = []
    for index in range(count):
        rng = tree.rng("naive-profile", index) if stream_per_person else shared
        person: dict[str, Any] = {"person_id": f"P{index:09d}", "person_index": index}
        person["sex"] = profile.sex.sample_one(rng)
        age = min(max(round(profile.age.sample_one(rng, person)), low_age), high_age)
        person["birth_date"] = _birth_date(age, reference, rng)
        person["age"] = age
        person["race_ethnicity"] = profile.race_ethnicity.sample_one(rng, person)
        row = min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(fips) - 1)
        person["county_fips"], person["state"] = fips[row], states[row]
        for name, sampler in profile.attributes:
            person[name] = sampler.sample_one(rng, person)
        for i, condition in enumerate(profile.conditions):
            has = bool(rng.random() < _probability(condition.prevalence, person))
            person[condition.flag] = has
            if condition.severity is not None:
                name = "severity" if i == 0 else f"severity_{condition.flag[4:]}"
                person[name] = condition.severity.sample_one(rng, person) if has else None
        for name, sampler in profile.labs:
            person[name] = float(sampler.sample_one(rng, person))
        for medication in profile.medications:
            takes = rng.random() < _probability(medication.prevalence, person)
            person[medication.flag] = bool(takes)
        person |= _coverage(profile, person, rng)
        person["conditions"] = [c.code for c in profile.conditions if person[c.flag]]
        person["medications"] = [m.drug for m in profile.medications if person[m.flag]]
        rows.append(person)
    return pa.Table.from_pylist(rows)


def _best_seconds(make: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        make()
        best = min(best, time.perf_counter() - started)
    return best


def run(
    count: int = DEFAULT_COUNT, naive_count: int = NAIVE_COUNT, repeats: int = REPEATS
) -> list[dict]:
    profile = compile_profile(load_profile(PROFILE))
    naive_seconds = _best_seconds(lambda: naive_population(profile, naive_count), repeats)
    naive_rate = naive_count / naive_seconds
    shared_seconds = _best_seconds(
        lambda: naive_population(profile, naive_count, stream_per_person=False), repeats
    )
    measured = [
        ("naive per-person loop, names off", naive_count, naive_seconds),
        ("naive loop, one shared stream", naive_count, shared_seconds),
        *(
            (
                f"vectorised, names {'on' if names else 'off'}",
                count,
                _best_seconds(
                    lambda names=names: generate_population(profile, count, SEED, names=names),
                    repeats,
                ),
            )
            for names in (False, True)
        ),
    ]
    return [
        {
            "method": method,
            "persons": persons,
            "seconds": round(seconds, 3),
            "persons_per_s": round(persons / seconds),
            "speedup": round(persons / seconds / naive_rate, 1),
        }
        for method, persons, seconds in measured
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--naive-count", type=int, default=NAIVE_COUNT)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    arguments = parser.parse_args()
    print(table(run(arguments.count, arguments.naive_count, arguments.repeats)))
