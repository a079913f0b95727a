"""``ExperimentSpecification``: a base scenario, named variants (``key=value`` changes, as
``--set`` takes them), replications, and the metrics to compare."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ExperimentSpecification", "MetricSpec", "VariantSpec"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariantSpec(_Model):
    """A variant: the base scenario with some values changed."""

    description: str = Field(default="", description="What the variant changes.")
    set: list[str] = Field(
        default_factory=list,
        description="Changes to the base scenario by dotted path, as `--set` takes them.",
        examples=[["resources.endo.capacity=2"]],
    )


class MetricSpec(_Model):
    """One number per run: a built-in, a SQL query over the run's tables (the first column
    of the first row), or a Python function ``module:function(tables) -> float``."""

    builtin: str | None = Field(
        default=None, description="A built-in metric's name.", examples=["mean_pdc"]
    )
    sql: str | None = Field(
        default=None,
        description="A SQL query over the run's tables: the first column of the first row.",
    )
    python: str | None = Field(
        default=None,
        description="A function `module:function(tables) -> float`.",
        examples=["mypackage.metrics:share_admitted"],
    )
    description: str = Field(default="", description="What the metric measures.")
    unit: str = Field(default="", description="Its unit (default: the built-in's).")

    @model_validator(mode="after")
    def _one_kind(self) -> MetricSpec:
        given = [k for k in ("builtin", "sql", "python") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a metric is one of builtin, sql or python")
        return self


class ExperimentSpecification(_Model):
    """A base scenario, named variants, replications and the metrics to compare."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = Field(
        description="The experiment's id.", examples=["specialist-capacity"]
    )
    name: str = Field(default="", description="A readable name.")
    description: str = Field(default="", description="What the experiment asks.")
    scenario: str | dict[str, Any] = Field(
        description="A shipped scenario name, a path (relative to the experiment file) or an "
        "inline scenario."
    )
    count: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        default=1000, description="Persons (or household copies) per run."
    )
    replications: Annotated[int, Field(ge=2, le=1000)] = Field(
        default=10,
        description="Runs per variant; replication r has the same seed in every variant.",
    )
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = Field(
        default=42, description="Master seed the replications' seeds derive from."
    )
    variants: dict[str, VariantSpec] = Field(
        default_factory=dict,
        description="Name -> variant; the base (the scenario unchanged) is implicit.",
    )
    metrics: dict[str, MetricSpec] = Field(
        min_length=1, description="Name -> metric: one number per run."
    )

    @model_validator(mode="after")
    def _base_name_free(self) -> ExperimentSpecification:
        if "base" in self.variants:
            raise ValueError("'base' is the unchanged scenario; name variants otherwise")
        return self
