"""``run_experiment``: variants x replications, in parallel, summarised with confidence
intervals.

Replication *r* uses the same seed in every variant (common random numbers), so a difference
between a variant and the base is measured on the same simulated people: a variant identical
to the base differs by exactly 0, and real differences get narrow intervals.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.experiments.metrics import BUILTINS, evaluate_metric
from sim.experiments.spec import ExperimentSpecification, MetricSpec
from sim.experiments.statistics import mean_interval
from sim.scenario import load_scenario, run
from sim.seeds import SeedTree, Stream
from sim.specio import read_spec

__all__ = ["ExperimentResult", "load_experiment", "run_experiment"]

BASE = "base"


@dataclass(frozen=True)
class LoadedExperiment:
    """An experiment checked and ready to run: its spec and the base scenario's data."""

    spec: ExperimentSpecification
    scenario_data: dict[str, Any]
    scenario_base: Path | None
    source: str | None


@dataclass(frozen=True)
class ExperimentResult:
    """The values of every metric in every run (``raw``) and their comparison (``summary``)."""

    spec: ExperimentSpecification
    #: variant, replication, seed, metric, value
    raw: pa.Table
    #: variant, metric, unit, n, mean, ci_low, ci_high, difference (to the base) and its CI
    summary: pa.Table

    def write(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """``results.duckdb`` (raw and summary) and ``summary.png`` in ``folder``."""
        from sim.experiments.plot import plot_summary
        from sim.output import write_tables

        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        write_tables(
            {"experiment_raw": self.raw, "experiment_summary": self.summary},
            path / "results.duckdb",
            overwrite=overwrite,
        )
        plot_summary(self, path / "summary.png")
        return path


def load_experiment(source: str | Path | dict[str, Any]) -> LoadedExperiment:
    """From a path, a shipped name (``scenarios/experiments``) or a mapping; every variant is
    checked against the scenario now, before any run."""
    label, base = None, None
    if isinstance(source, dict):
        data = source
    else:
        spec_file = read_spec(source, "experiments")
        data, label = spec_file.data, spec_file.label
        path = Path(source)
        base = path.parent if path.is_file() else None
    if not isinstance(data, dict):
        raise SpecError("an experiment is a mapping", source=label)
    try:
        spec = ExperimentSpecification.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(
            error, data=data, source=label, model=ExperimentSpecification
        ) from None
    for name, metric in spec.metrics.items():
        if metric.builtin is not None and metric.builtin not in BUILTINS:
            raise SpecError(
                f"unknown built-in metric '{metric.builtin}'",
                path=("metrics", name, "builtin"),
                source=label,
                hint=did_you_mean(metric.builtin, BUILTINS) or ", ".join(BUILTINS),
            )
    scenario_data, scenario_base = _scenario_data(spec.scenario, base)
    for name, variant in {BASE: None, **spec.variants}.items():
        try:
            load_scenario(scenario_data, overrides=variant.set if variant else ())
        except SpecError as error:
            where = ("variants", name, "set") if variant else ("scenario",)
            raise error.located(prefix=where, source=label) from None
    return LoadedExperiment(spec, scenario_data, scenario_base, label)


def _scenario_data(reference: str | dict[str, Any], base: Path | None) -> tuple[dict, Path | None]:
    if isinstance(reference, dict):
        return reference, base
    candidate = base / reference if base is not None else Path(reference)
    spec_file = read_spec(candidate if candidate.is_file() else reference, "scenarios")
    folder = candidate.parent if candidate.is_file() else None
    return spec_file.data, folder


def _job(
    scenario_data: dict[str, Any],
    overrides: list[str],
    count: int,
    seed: int,
    metrics: dict[str, MetricSpec],
) -> dict[str, float]:
    scenario = load_scenario(scenario_data, overrides=overrides)
    tables = run(scenario, count, seed, workers=1).tables
    return {name: evaluate_metric(name, metric, tables) for name, metric in metrics.items()}


def run_experiment(
    source: str | Path | dict[str, Any] | LoadedExperiment, *, workers: int = 1
) -> ExperimentResult:
    """Runs every variant (and the base) for every replication, ``workers`` runs at a time,
    and summarises each metric with its mean, its difference to the base and their 95 %
    confidence intervals. Replication *r* has the same seed in every variant (common random
    numbers). ``source`` is what ``load_experiment`` takes, or its result."""
    loaded = source if isinstance(source, LoadedExperiment) else load_experiment(source)
    spec = loaded.spec
    variants = {BASE: [], **{name: v.set for name, v in spec.variants.items()}}
    seeds = [
        SeedTree(spec.seed).child(Stream.REPLICATION, r).master_seed
        for r in range(spec.replications)
    ]
    jobs = [(name, r, seeds[r]) for name in variants for r in range(spec.replications)]
    arguments = [
        (loaded.scenario_data, variants[name], spec.count, seed, dict(spec.metrics))
        for name, _, seed in jobs
    ]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            values = list(pool.map(_job, *zip(*arguments, strict=True)))
    else:
        values = [_job(*args) for args in arguments]
    raw_rows = [
        {"variant": name, "replication": r, "seed": seed, "metric": metric, "value": value}
        for (name, r, seed), result in zip(jobs, values, strict=True)
        for metric, value in result.items()
    ]
    return ExperimentResult(spec, pa.Table.from_pylist(raw_rows), _summary(spec, raw_rows))


def _summary(spec: ExperimentSpecification, rows: list[dict[str, Any]]) -> pa.Table:
    values: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        values.setdefault((row["variant"], row["metric"]), []).append(row["value"])
    out = []
    for (variant, metric), series in values.items():
        base = values[(BASE, metric)]
        mean, low, high = mean_interval(series)
        differences = [v - b for v, b in zip(series, base, strict=True)]
        if variant == BASE or all(d == 0 for d in differences):
            diff, diff_low, diff_high = (0.0, 0.0, 0.0) if variant != BASE else (math.nan,) * 3
        else:
            diff, diff_low, diff_high = mean_interval(differences)
        spec_metric = spec.metrics[metric]
        unit = spec_metric.unit or (BUILTINS[spec_metric.builtin][1] if spec_metric.builtin else "")
        out.append(
            {
                "variant": variant,
                "metric": metric,
                "unit": unit,
                "n": sum(1 for v in series if not math.isnan(v)),
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "difference": diff,
                "difference_low": diff_low,
                "difference_high": diff_high,
            }
        )
    return pa.Table.from_pylist(out)
