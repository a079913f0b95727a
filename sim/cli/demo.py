"""``healthsim demo``: a quick look at what the project generates."""

from __future__ import annotations

import numpy as np
import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import console
from sim.distributions import create_distribution
from sim.seeds import SeedTree

DEMO_DISTRIBUTIONS = {
    "age (truncated normal 72 +- 8 on [65, 95])": {
        "type": "normal",
        "mean": 72,
        "std_dev": 8,
        "min": 65,
        "max": 95,
    },
    "claim cost (log-normal, mean 5000, sd 8000)": {
        "type": "log_normal",
        "mean": 5000,
        "std_dev": 8000,
    },
    "days to first fill (exponential, mean 3)": {"type": "exponential", "mean": 3},
}


@app.command()
def demo(
    count: int = typer.Option(100_000, "-n", "--count", help="Draws per distribution."),
    seed: int = typer.Option(42, "--seed", help="Master seed."),
) -> None:
    """Samples the shipped demo distributions and prints a summary."""
    rng = SeedTree(seed).rng("demo", 0)
    table = Table(title=f"HealthSim demo: {count:,} draws each, seed {seed}")
    for column in ("distribution", "mean", "expected", "median", "min", "max"):
        table.add_column(column, justify="right" if column != "distribution" else "left")
    for name, spec in DEMO_DISTRIBUTIONS.items():
        sampler = create_distribution(spec)
        values = sampler.sample(rng, count)
        expected = sampler.expected_mean()
        table.add_row(
            name,
            f"{values.mean():,.2f}",
            "-" if expected is None else f"{expected:,.2f}",
            f"{np.median(values):,.2f}",
            f"{values.min():,.2f}",
            f"{values.max():,.2f}",
        )
    console.print(table)
