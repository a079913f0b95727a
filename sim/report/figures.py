"""The report's figures, each a PNG (bytes) drawn with matplotlib from a run's tables."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "age_pyramid",
    "claim_costs",
    "diagnosis_to_fill",
    "events_over_time",
    "prevalence_against_targets",
]


def _png(draw: Callable) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6.4, 3.8))
    draw(axis)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def age_pyramid(persons: pa.Table) -> bytes:
    ages = persons["age"].to_numpy()
    sexes = persons["sex"].to_numpy(zero_copy_only=False)
    edges = np.arange(0, 110, 5)
    female, _ = np.histogram(ages[sexes == "F"], bins=edges)
    male, _ = np.histogram(ages[sexes == "M"], bins=edges)

    def draw(axis):
        axis.barh(edges[:-1], -male, height=4.5, align="edge", label="male")
        axis.barh(edges[:-1], female, height=4.5, align="edge", label="female")
        axis.set_xlabel("persons (male left, female right)")
        axis.set_ylabel("age (5-year bands)")
        axis.set_title("Age and sex")
        axis.legend()

    return _png(draw)


def prevalence_against_targets(metrics: pa.Table) -> bytes:
    shares = metrics.filter(pc.equal(metrics["kind"], "share")).to_pylist()

    def draw(axis):
        targets = [m["target"] for m in shares]
        actual = [m["actual"] for m in shares]
        low = [m["actual"] - m["low"] for m in shares]
        high = [m["high"] - m["actual"] for m in shares]
        axis.errorbar(targets, actual, yerr=[low, high], fmt="o", ms=3, alpha=0.8)
        axis.plot([0, 1], [0, 1], color="grey", lw=1)
        axis.set_xlabel("target share")
        axis.set_ylabel("generated share (acceptance interval)")
        axis.set_title("Shares against their targets")

    return _png(draw)


def events_over_time(events: pa.Table) -> bytes:
    months = pc.strftime(events["event_date"], format="%Y-%m").to_numpy(zero_copy_only=False)
    products = events["product"].to_numpy(zero_copy_only=False)
    labels = sorted(set(months.tolist()))

    def draw(axis):
        for product in sorted(set(products.tolist())):
            chosen = months[products == product]
            counts = [int((chosen == month).sum()) for month in labels]
            axis.plot(labels, counts, marker="o", ms=3, label=product)
        axis.set_ylabel("events")
        axis.set_title("Events by month and product")
        axis.tick_params(axis="x", rotation=45, labelsize=7)
        axis.legend(fontsize=8)

    return _png(draw)


def diagnosis_to_fill(days: np.ndarray) -> bytes:
    def draw(axis):
        axis.hist(days, bins=30)
        axis.set_xlabel("days from first diagnosis to first fill")
        axis.set_ylabel("persons")
        axis.set_title(f"Diagnosis to first fill (median {np.median(days):.1f} days)")

    return _png(draw)


def claim_costs(allowed_usd: np.ndarray) -> bytes:
    positive = allowed_usd[allowed_usd > 0]

    def draw(axis):
        axis.hist(np.log10(positive), bins=40)
        axis.set_xlabel("allowed amount, log10 USD")
        axis.set_ylabel("claims")
        axis.set_title(f"Claim costs (median ${np.median(positive):,.0f})")

    return _png(draw)
