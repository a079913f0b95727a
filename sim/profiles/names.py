"""Names and street addresses from shipped lists, sampled column-wise."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from sim.distributions.discrete import ChoiceSampler

__all__ = ["NameSampler", "name_sampler"]

RANK_EXPONENT = 0.7


def _ranked(values: list[str]) -> ChoiceSampler:
    weights = 1.0 / np.arange(1, len(values) + 1) ** RANK_EXPONENT
    return ChoiceSampler(values, list(weights / weights.sum()))


@dataclass(frozen=True)
class NameSampler:
    male: ChoiceSampler
    female: ChoiceSampler
    surnames: ChoiceSampler
    streets: ChoiceSampler
    suffixes: ChoiceSampler

    def sample(self, rng: np.random.Generator, sex: np.ndarray) -> dict[str, np.ndarray]:
        n = sex.size
        male, female = self.male.sample(rng, n), self.female.sample(rng, n)
        first = np.where(sex == "M", male, female).astype(object)
        last = self.surnames.sample(rng, n).astype(object)
        numbers = rng.integers(1, 10_000, n).astype("U")
        street = np.char.add(np.char.add(numbers, " "), self.streets.sample(rng, n))
        street = np.char.add(np.char.add(street, " "), self.suffixes.sample(rng, n))
        return {"first_name": first, "last_name": last, "address_line": street.astype(object)}


@cache
def name_sampler() -> NameSampler:
    text = (resources.files("sim.profiles.data") / "names.json").read_text(encoding="utf-8")
    data = json.loads(text)
    suffixes = data["street_suffixes"]
    return NameSampler(
        male=_ranked(data["first_names_male"]),
        female=_ranked(data["first_names_female"]),
        surnames=_ranked(data["surnames"]),
        streets=_ranked(data["street_names"]),
        suffixes=ChoiceSampler(list(suffixes), list(suffixes.values())),
    )
