"""``create_distribution``: a spec (mapping or model) compiled to a sampler."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sim.distributions import continuous as c
from sim.distributions import discrete as d
from sim.distributions import specs as s
from sim.distributions.base import Sampler
from sim.distributions.composite import ConditionalSampler, MixtureSampler
from sim.errors import SpecError, closest, from_validation_error
from sim.expressions import compile_condition

__all__ = ["create_distribution", "distribution_json_schema", "parse_distribution"]


@cache
def _adapter() -> TypeAdapter:
    return TypeAdapter(s.DistributionSpec)


def parse_distribution(data: Any, *, path: tuple = ()) -> Any:
    """Validates a mapping into a frozen spec model; errors name the field."""
    if isinstance(data, s._Spec):
        return data
    if not isinstance(data, Mapping):
        raise SpecError("a distribution must be a mapping with a 'type'", path=path)
    if "type" not in data:
        typo = closest("type", [str(key) for key in data])
        hint = f"'{typo}' should be 'type'?" if typo else None
        raise SpecError("a distribution needs a 'type'", path=path, hint=hint)
    try:
        return _adapter().validate_python(dict(data))
    except ValidationError as error:
        raise from_validation_error(error, data=data, prefix=path) from None


def create_distribution(
    spec: Any, *, attributes: Collection[str] | None = None, path: tuple = ()
) -> Sampler:
    """Validates ``spec`` (a mapping with a ``type``, or a spec model) and compiles it into a
    vectorised sampler. With ``attributes``, conditions may only read those names. A mistake
    raises ``SpecError`` naming the field, under ``path``.

    Example: ``create_distribution({"type": "normal", "mean": 72, "std_dev": 8, "min": 65})``."""
    model = parse_distribution(spec, path=path)
    try:
        return _compile(model, attributes, path)
    except (ValueError, ArithmeticError) as error:
        if isinstance(error, SpecError):
            raise
        if isinstance(error, ArithmeticError):  # absurd magnitudes (overflow) in the parameters
            raise SpecError(f"parameters out of numeric range ({error})", path=path) from None
        raise SpecError(str(error), path=path) from None


def _compile(spec: Any, attributes: Collection[str] | None, path: tuple) -> Sampler:
    match spec:
        case s.CategoricalSpec():
            return d.ChoiceSampler(list(spec.weights), list(spec.weights.values()))
        case s.ExplicitSpec():
            values, weights = spec.items()
            return d.ChoiceSampler(values, weights)
        case s.AgeBandsSpec():
            return d.AgeBandsSampler(spec.spans(), list(spec.bands.values()))
        case s.FixedSpec():
            return c.FixedSampler(spec.value)
        case s.NormalSpec():
            return c.NormalSampler(spec.mean, spec.std_dev, spec.min, spec.max)
        case s.LogNormalSpec():
            return c.LogNormalSampler(*spec.log_parameters(), spec.min, spec.max)
        case s.UniformSpec():
            return c.UniformSampler(spec.min, spec.max)
        case s.ExponentialSpec():
            return c.ExponentialSampler(spec.scale, spec.min, spec.max)
        case s.GammaSpec():
            return c.GammaSampler(*spec.natural(), spec.min, spec.max)
        case s.WeibullSpec():
            return c.WeibullSampler(spec.shape, spec.scale, spec.min, spec.max)
        case s.TriangularSpec():
            return c.TriangularSampler(spec.min, spec.mode, spec.max)
        case s.BetaSpec():
            return c.BetaSampler(spec.alpha, spec.beta)
        case s.PoissonSpec():
            return d.PoissonSampler(spec.mean)
        case s.NegativeBinomialSpec():
            return d.NegativeBinomialSampler(*spec.natural())
        case s.EmpiricalSpec():
            return c.EmpiricalSampler(spec.edges, spec.weights)
        case s.MixtureSpec():
            parts = [
                create_distribution(
                    comp.distribution,
                    attributes=attributes,
                    path=(*path, "components", i, "distribution"),
                )
                for i, comp in enumerate(spec.components)
            ]
            return MixtureSampler([comp.weight for comp in spec.components], parts)
        case s.ConditionalSpec():
            return _conditional(spec, attributes, path)
    raise SpecError(f"unsupported distribution {type(spec).__name__}", path=path)


def _conditional(
    spec: s.ConditionalSpec, attributes: Collection[str] | None, path: tuple
) -> ConditionalSampler:
    conditions, branches = [], []
    for i, rule in enumerate(spec.rules):
        rule_path = (*path, "rules", i)
        condition = compile_condition(rule.condition, path=(*rule_path, "if"))
        if attributes is not None:
            condition.check_names(attributes, path=(*rule_path, "if"))
        conditions.append(condition)
        branches.append(
            create_distribution(
                rule.distribution, attributes=attributes, path=(*rule_path, "distribution")
            )
        )
    default = None
    if spec.default is not None:
        default = create_distribution(spec.default, attributes=attributes, path=(*path, "default"))
    return ConditionalSampler(conditions, branches, default, path)


def distribution_json_schema() -> dict[str, Any]:
    """The JSON Schema of every distribution spec (discriminated by ``type``)."""
    return _adapter().json_schema(by_alias=True)
