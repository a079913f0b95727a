"""The experiment's picture: each metric's mean and 95 % interval by variant (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.experiments.runner import ExperimentResult

__all__ = ["plot_summary"]


def plot_summary(result: ExperimentResult, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    rows = result.summary.to_pylist()
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.6), squeeze=False)
    for axis, metric in zip(axes[0], metrics, strict=True):
        series = [r for r in rows if r["metric"] == metric]
        names = [r["variant"] for r in series]
        means = [r["mean"] for r in series]
        errors = [
            [r["mean"] - r["ci_low"] for r in series],
            [r["ci_high"] - r["mean"] for r in series],
        ]
        axis.errorbar(range(len(names)), means, yerr=errors, fmt="o", capsize=4)
        axis.set_xticks(range(len(names)), names, rotation=20)
        unit = series[0]["unit"]
        axis.set_title(f"{metric}" + (f" ({unit})" if unit else ""), fontsize=10)
        axis.grid(alpha=0.3)
    figure.suptitle(f"{result.spec.id}: mean and 95% interval", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
