"""Profile phase: persons per second, vectorised, against a naive per-person Python loop.

python -m bench profiles          # 1,000,000 medicare-diabetic persons, with and without names
python -m bench.bench_profiles --count 200000
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sim.profiles import compile_profile, generate_population, load_profile
from sim.seeds import SeedTree

DEFAULT_COUNT = 1_000_000
NAIVE_COUNT = 20_000


def _naive(count: int) -> float:
    """One Python dict per person, one scalar draw per attribute: the approach we avoid."""
    profile = compile_profile(load_profile("medicare-diabetic"))
    tree = SeedTree(1)
    started = time.perf_counter()
    rows = []
    for index in range(count):
        rng = tree.rng("naive", index)
        person = {"sex": profile.sex.sample_one(rng), "age": round(profile.age.sample_one(rng))}
        for condition in profile.conditions:
            p = condition.prevalence.probabilities(
                {k: np.asarray([v]) for k, v in person.items()} | {"severity": np.asarray([None])},
                1,
            )[0]
            person[condition.flag] = rng.random() < p
        rows.append(person)
    return count / (time.perf_counter() - started)


def run(count: int = DEFAULT_COUNT) -> list[dict]:
    profile = compile_profile(load_profile("medicare-diabetic"))
    rows = []
    for names in (False, True):
        started = time.perf_counter()
        generate_population(profile, count, seed=1, names=names)
        seconds = time.perf_counter() - started
        rows.append(
            {
                "method": f"vectorised, names {'on' if names else 'off'}",
                "persons": count,
                "seconds": round(seconds, 3),
                "persons_per_s": round(count / seconds),
            }
        )
    rate = _naive(NAIVE_COUNT)
    rows.append(
        {
            "method": "naive per-person loop (no names)",
            "persons": NAIVE_COUNT,
            "seconds": round(NAIVE_COUNT / rate, 3),
            "persons_per_s": round(rate),
        }
    )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    for row in run(parser.parse_args().count):
        print(row)
