"""Memory: peak RSS of a run streamed into DuckDB (or Parquet), at growing population sizes.

Each size runs in a fresh Python process (so sizes do not share a heap), which reports
``resource.getrusage(RUSAGE_SELF).ru_maxrss``: once after the imports and the scenario's
loading (``startup_rss_mb``), and at the end of ``sim.run("medicare-diabetic", N,
out=<tmp>.duckdb)`` with one worker (``peak_rss_mb``). ``ratio`` is the peak over the peak
at the reference size (10^5): shards stream to the sink, so the target is a ratio within
1.25 at 10^6.

10^6 persons takes long on a small machine, so it is opt-in (``--max-persons 1000000``); the
time of the largest size is estimated from the reference run and printed before it starts.

    .venv/bin/python -m bench.bench_memory [--max-persons 100000] [--format parquet]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.__main__ import table

__all__ = ["run", "sizes_up_to"]

SCENARIO = "medicare-diabetic"
SEED = 1
FORMATS = ("duckdb", "parquet")
SIZES = (10_000, 100_000)
REFERENCE = 100_000

#: what the fresh process runs: argv = [scenario, seed, persons, out, format]; one JSON line
CHILD = """
import json, resource, sys, time
import sim
from sim.scenario import load_scenario

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

scenario, seed, persons, out, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
load_scenario(scenario)
startup = rss_mb()
started = time.perf_counter()
sim.run(scenario, persons, seed=seed, out=out, format=kind)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "startup_rss_mb": startup, "peak_rss_mb": rss_mb()}))
"""


def _size_mb(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(f.stat().st_size for f in files if f.is_file()) / 2**20


def measure(persons: int, folder: Path, kind: str = "duckdb") -> dict[str, Any]:
    """One size in a fresh process; the output's size is read before it is deleted."""
    out = folder / f"memory-{persons}.{kind}"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, SCENARIO, str(SEED), str(persons), str(out), kind],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the run of {persons:,} persons failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    output_mb = _size_mb(out)
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink()
    return {
        "format": kind,
        "persons": persons,
        "seconds": round(figures["seconds"], 1),
        "startup_rss_mb": round(figures["startup_rss_mb"], 1),
        "peak_rss_mb": round(figures["peak_rss_mb"], 1),
        "output_mb": round(output_mb, 1),
    }


def sizes_up_to(max_persons: int) -> tuple[int, ...]:
    """10^4 and 10^5 (those not above ``max_persons``), then ``max_persons`` itself."""
    return tuple(sorted({s for s in SIZES if s <= max_persons} | {max_persons}))


def run(
    sizes: Sequence[int] = SIZES, reference: int = REFERENCE, kind: str = "duckdb"
) -> list[dict[str, Any]]:
    """Rows in increasing size; before a size above the reference, its time is estimated
    (linear in persons) on stderr."""
    if reference not in sizes:
        raise ValueError(f"the reference size {reference:,} must be one of the sizes {sizes}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        for persons in sorted(sizes):
            if persons > reference:
                base = next(row for row in rows if row["persons"] == reference)
                estimate = base["seconds"] * persons / reference
                print(
                    f"{persons:,} persons: about {estimate / 60:.0f} min "
                    f"(from {base['seconds']:.0f} s for {reference:,})",
                    file=sys.stderr,
                    flush=True,
                )
            rows.append(measure(persons, Path(folder), kind))
    peak = next(row["peak_rss_mb"] for row in rows if row["persons"] == reference)
    return [row | {"ratio": round(row["peak_rss_mb"] / peak, 3)} for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-persons",
        type=int,
        default=REFERENCE,
        help="the largest size (default 100,000; 1000000 for the full check, which is slow)",
    )
    parser.add_argument("--format", choices=FORMATS, default="duckdb")
    args = parser.parse_args()
    sizes = sizes_up_to(args.max_persons)
    reference = REFERENCE if REFERENCE in sizes else max(sizes)
    print(table(run(sizes, reference, args.format)))


if __name__ == "__main__":
    main()
