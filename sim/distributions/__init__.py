"""The distribution library: declarative specs compiled to vectorised samplers."""

from sim.distributions.base import Sampler
from sim.distributions.factory import (
    create_distribution,
    distribution_json_schema,
    parse_distribution,
)
from sim.distributions.specs import DistributionSpec

__all__ = [
    "DistributionSpec",
    "Sampler",
    "create_distribution",
    "distribution_json_schema",
    "parse_distribution",
]
