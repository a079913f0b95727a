"""``generate_population``: the persons table of a profile, with its validation report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from sim.errors import SpecError
from sim.profiles.compiled import CompiledProfile, compile_profile
from sim.profiles.executor import generate_table
from sim.profiles.loader import load_profile
from sim.profiles.spec import MAX_PERSONS, ProfileSpecification
from sim.profiles.validation import ValidationReport, validate_population
from sim.seeds import SeedTree, check_seed

__all__ = ["Population", "generate_population"]


@dataclass(frozen=True)
class Population:
    """Generated persons: ``table`` (one row a person, the persons table's columns), the
    compiled ``profile`` they were drawn from and the master ``seed``."""

    profile: CompiledProfile
    seed: int
    table: pa.Table

    def validation_report(self, confidence: float = 0.99) -> ValidationReport:
        """Every target of the profile against what was generated, each with an acceptance
        interval chosen so that all pass together with probability ``confidence`` when the
        generator is right."""
        return validate_population(self.profile, self.table, confidence)


def _compiled(profile: Any) -> CompiledProfile:
    if isinstance(profile, CompiledProfile):
        return profile
    if isinstance(profile, ProfileSpecification | dict):
        return compile_profile(load_profile(profile))
    spec = load_profile(profile)
    return compile_profile(spec, source=str(profile) if isinstance(profile, Path) else None)


def generate_population(
    profile: str | Path | dict[str, Any] | ProfileSpecification | CompiledProfile,
    count: int | None = None,
    seed: int | None = None,
    *,
    start: int = 0,
    names: bool | None = None,
) -> Population:
    """Persons ``start .. start + count`` of ``profile``: a path, a shipped name, a mapping or
    a loaded profile. ``count`` and ``seed`` default to the profile's ``generation`` section,
    ``names`` (names and addresses) too. Person *i* is the same whatever the count or start.

    Example: ``sim.generate_population("medicare-diabetic", count=5000, seed=42).table``."""
    compiled = _compiled(profile)
    generation = compiled.spec.generation
    count = generation.count if count is None else count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERSONS:
        raise SpecError(
            f"count must be a whole number from 1 to {MAX_PERSONS:,}, got {count!r}",
            path=("count",),
        )
    seed = check_seed(generation.seed if seed is None else seed)
    with_names = generation.names if names is None else names
    table = generate_table(compiled, SeedTree(seed), start, start + count, names=with_names)
    return Population(compiled, seed, table)
