"""Profiles: who is generated. Specs, the vectorised executor and the validation report."""

from sim.profiles.compiled import CompiledProfile, compile_profile
from sim.profiles.loader import load_profile, parse_profile
from sim.profiles.population import Population, generate_population
from sim.profiles.spec import ProfileSpecification, condition_flag
from sim.profiles.validation import Metric, ValidationReport, validate_population

__all__ = [
    "CompiledProfile",
    "Metric",
    "Population",
    "ProfileSpecification",
    "ValidationReport",
    "compile_profile",
    "condition_flag",
    "generate_population",
    "load_profile",
    "parse_profile",
    "validate_population",
]
