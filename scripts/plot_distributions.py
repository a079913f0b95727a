"""Draws the plots of docs/guide/distributions.md: one SVG per example marked for plotting.

    python scripts/plot_distributions.py          # rewrite docs/guide/img/*.svg
    python scripts/plot_distributions.py --check  # exit 1 if an image is missing or stale

The guide is the only input, so a plot and the YAML next to it can never disagree. A plotted
example is a marker comment (YAML between ``<!-- plot`` and ``-->``), the ```yaml block of the
distribution, and the image, in this order:

    <!-- plot
    name: a1c-by-control          # the image is img/<name>.svg
    x: A1C (%)                    # the x axis label
    population:                   # optional: the attributes a conditional reads
      severity: {type: categorical, weights: {controlled: 0.4, uncontrolled: 0.6}}
    -->
    ```yaml
    type: conditional
    ...
    ```
    ![alt text](img/a1c-by-control.svg)

The marker may also name the shipped file the example comes from (``source:``), which the
tests check. Each example draws ``SAMPLES`` values from ``np.random.default_rng(SEED)``
(the population first, then the example): numbers give a histogram of the share of draws per
bin, stacked by the first population attribute, with a line at the mean (the analytic
``expected_mean()`` where the sampler knows it, else the sampled mean), a bar of its own for a
value drawn exactly (a fixed 0 in a mixture), and an unbounded tail cut at the 99.5th
percentile; anything else gives bars of the share of each value. The SVGs are byte-for-byte
reproducible: a fixed hash salt, no date or creator, text as text (no embedded glyphs).
"""

from __future__ import annotations

import argparse
import io
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.distributions import Sampler, create_distribution

REPO_ROOT = Path(__file__).resolve().parent.parent
GUIDE = REPO_ROOT / "docs" / "guide" / "distributions.md"
IMAGES = GUIDE.parent / "img"

SAMPLES = 100_000
SEED = 20250101
BINS = 30  # continuous values get 30 to 60 bins
MIN_ATOM = 0.01  # a value drawn this often exactly is a point mass
TAIL_QUANTILE = 0.995  # where the x axis of an unbounded tail stops

MARKER = "<!-- plot\n"
EXAMPLE = re.compile(
    r"^<!-- plot\n(?P<meta>.*?)^-->\n+"
    r"```yaml\n(?P<spec>.*?)^```\n+"
    r"!\[(?P<alt>[^\]\n]+)\]\(img/(?P<file>[^)\s]+)\.svg\)",
    re.DOTALL | re.MULTILINE,
)
RC = {
    "svg.hashsalt": "healthsim-distributions",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Example:
    name: str
    spec: dict[str, Any]
    yaml_text: str
    alt: str
    x_label: str = "value"
    population: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


def examples(text: str) -> list[Example]:
    """The plotted examples of the guide's ``text``, in page order."""
    found: list[Example] = []
    for match in EXAMPLE.finditer(text):
        meta = yaml.safe_load(match["meta"])
        if match["file"] != meta["name"]:
            raise ValueError(f"plot {meta['name']!r} is followed by img/{match['file']}.svg")
        found.append(
            Example(
                name=meta["name"],
                spec=yaml.safe_load(match["spec"]),
                yaml_text=match["spec"],
                alt=match["alt"],
                x_label=meta.get("x", "value"),
                population=meta.get("population") or {},
                source=meta.get("source"),
            )
        )
    if len(found) != text.count(MARKER):
        raise ValueError("a plot marker is not followed by a ```yaml block and its image")
    names = [example.name for example in found]
    if len(set(names)) != len(names):
        raise ValueError("two plots have the same name")
    return found


def population_columns(
    example: Example, rng: np.random.Generator, n: int = SAMPLES
) -> dict[str, np.ndarray]:
    """The attributes of ``n`` people for a conditional example to read."""
    return {
        name: create_distribution(spec).sample(rng, n) for name, spec in example.population.items()
    }


def render(example: Example) -> bytes:
    """The SVG of one example."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(SEED)
    columns = population_columns(example, rng)
    sampler = create_distribution(example.spec, attributes=list(columns) if columns else None)
    values = sampler.sample(rng, SAMPLES, columns or None)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        if values.dtype.kind in "iuf":
            by = next(iter(columns), None)
            stack = (by, _groups(example.population[by], columns[by]), columns[by]) if by else None
            _histogram(ax, values, sampler, example.x_label, stack)
        else:
            _bars(ax, values, sampler, example.x_label)
        fig.tight_layout()
        out = io.BytesIO()
        # the version is recorded: another matplotlib may draw the same data in other bytes
        creator = f"matplotlib {matplotlib.__version__}"
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": creator})
        plt.close(fig)
    return out.getvalue()


def _label(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool | np.bool_) else str(value)


def _groups(spec: Any, column: np.ndarray) -> list[Any]:
    # in the order the population spec lists them, so legends read like the YAML
    shares = create_distribution(spec).expected_shares()
    return list(shares) if shares else sorted(set(column.tolist()))


def _bin_edges(low: float, high: float, integer: bool) -> np.ndarray:
    """Edges on round numbers (so an empirical table's edges fall on them), about
    ``BINS`` to 2 x ``BINS`` bins; integers get one bin each, centred on the value."""
    if integer:
        return np.arange(math.floor(low) - 0.5, math.ceil(high) + 1.0)
    raw = (high - low) / (2 * BINS)
    scale = 10.0 ** math.floor(math.log10(raw))
    width = next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= raw)
    first, last = math.floor(low / width + 1e-9), math.ceil(high / width - 1e-9)
    return np.arange(first, last + 1) * width


def _histogram(
    ax: Any,
    values: np.ndarray,
    sampler: Sampler,
    x_label: str,
    stack: tuple[str, list[Any], np.ndarray] | None,
) -> None:
    """``stack``: the attribute, its values and its column, to stack the bars by."""
    low, high = sampler.support()
    cut = not math.isfinite(high)
    if not math.isfinite(low):
        low = float(np.quantile(values, 1 - TAIL_QUANTILE))
    if cut:
        high = float(np.quantile(values, TAIL_QUANTILE))
    integer = values.dtype.kind in "iu"
    bins = _bin_edges(low, high, integer)
    # a few separate bars read better than a silhouette for small counts
    style = {"histtype": "bar", "rwidth": 0.85} if len(bins) <= 26 else {"histtype": "stepfilled"}
    weight = 1 / values.size  # bar height = share of all draws
    spread = values
    if not integer and not stack:  # a point mass (a fixed component) is a bar of its own
        atoms, counts = np.unique(values, return_counts=True)
        atoms = atoms[counts >= MIN_ATOM * values.size]
        for atom in atoms:
            share = float(np.mean(values == atom))
            ax.bar(
                atom,
                share,
                width=bins[1] - bins[0],
                color="C1",
                label=f"exactly {atom:g}: {share:.0%}",
            )
        spread = values[~np.isin(values, atoms)]
    if stack:
        by, groups, column = stack
        parts = [values[column == g] for g in groups]
        ax.hist(
            parts,
            bins=bins,
            weights=[np.full(part.size, weight) for part in parts],
            stacked=True,
            label=[f"{by}: {_label(g)}" for g in groups],
            **style,
        )
    else:
        ax.hist(spread, bins=bins, weights=np.full(spread.size, weight), color="C0", **style)
    mean = sampler.expected_mean()
    if mean is not None:
        ax.axvline(mean, color="black", linewidth=1, label=f"mean {mean:.4g}")
    else:
        mean = float(values.mean())
        ax.axvline(mean, color="black", linewidth=1, linestyle="--", label=f"mean {mean:.4g}")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"{x_label} (axis cut at the 99.5th percentile)" if cut else x_label)
    ax.set_ylabel("share of draws")
    ax.legend(frameon=False, fontsize=8)


def _bars(ax: Any, values: np.ndarray, sampler: Sampler, x_label: str) -> None:
    keys = list(sampler.expected_shares() or sorted(set(values.tolist()), key=str))
    shares = [float(np.mean(values == key)) for key in keys]
    bars = ax.bar([_label(key) for key in keys], shares, color="C0")
    ax.bar_label(bars, labels=[f"{share:.0%}" for share in shares], fontsize=8)
    ax.set_xlabel(x_label)
    ax.set_ylabel("share of draws")
    ax.margins(y=0.15)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report missing, stale or unused images"
    )
    args = parser.parse_args(argv)
    wanted = {f"{e.name}.svg": render(e) for e in examples(GUIDE.read_text(encoding="utf-8"))}
    stale = [
        name
        for name, svg in wanted.items()
        if not (IMAGES / name).is_file() or (IMAGES / name).read_bytes() != svg
    ]
    unused = sorted(path.name for path in IMAGES.glob("*.svg") if path.name not in wanted)
    if args.check:
        for name in stale:
            print(f"docs/guide/img/{name}: missing or out of date", file=sys.stderr)
        for name in unused:
            print(f"docs/guide/img/{name}: not plotted by the guide", file=sys.stderr)
        return 1 if stale or unused else 0
    IMAGES.mkdir(exist_ok=True)
    for name in stale:
        (IMAGES / name).write_bytes(wanted[name])
    for name in unused:
        (IMAGES / name).unlink()
    print(f"{len(wanted)} plots, {len(stale)} written, {len(unused)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
