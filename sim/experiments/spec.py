"""``ExperimentSpecification``: a base scenario, named variants (``key=value`` changes, as
``--set`` takes them), replications, and the metrics to compare."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ExperimentSpecification", "MetricSpec", "VariantSpec"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantSpec(_Model):
    description: str = ""
    #: changes to the base scenario by dotted path (``resources.endo.capacity=2``)
    set: list[str] = Field(default_factory=list)


class MetricSpec(_Model):
    """One number per run: a built-in, a SQL query over the run's tables (the first column
    of the first row), or a Python function ``module:function(tables) -> float``."""

    builtin: str | None = None
    sql: str | None = None
    python: str | None = None
    description: str = ""
    unit: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> MetricSpec:
        given = [k for k in ("builtin", "sql", "python") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a metric is one of builtin, sql or python")
        return self


class ExperimentSpecification(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
    name: str = ""
    description: str = ""
    #: a shipped scenario name, a path (relative to the experiment file) or an inline mapping
    scenario: str | dict[str, Any]
    #: persons (or household copies) per run
    count: Annotated[int, Field(ge=1, le=1_000_000)] = 1000
    replications: Annotated[int, Field(ge=2, le=1000)] = 10
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 42
    #: the base is the scenario unchanged; each variant changes it
    variants: dict[str, VariantSpec] = Field(default_factory=dict)
    metrics: dict[str, MetricSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _base_name_free(self) -> ExperimentSpecification:
        if "base" in self.variants:
            raise ValueError("'base' is the unchanged scenario; name variants otherwise")
        return self
