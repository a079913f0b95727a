"""Runs every ``bench/bench_*.py`` module and prints its rows as a table.

Usage: ``python -m bench [NAME ...]`` from the repository root; NAMEs (e.g. ``distributions``)
select modules, default all. Each module exposes ``run() -> list[dict]``: one dict per
measurement, the same keys in every row; floats are printed with 4 significant digits.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

PREFIX = "bench_"


def modules(selected: list[str]) -> list[str]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith(PREFIX)
    )
    if selected:
        unknown = [s for s in selected if f"{PREFIX}{s.removeprefix(PREFIX)}" not in names]
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; have {names}")
        names = [
            n for n in names if n.removeprefix(PREFIX) in {s.removeprefix(PREFIX) for s in selected}
        ]
    return names


def cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    cells = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), int | float) for row in rows) for c in columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)])


def main(argv: list[str]) -> int:
    for name in modules(argv):
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        rows = module.run()
        elapsed = time.perf_counter() - started
        print(f"== {name.removeprefix(PREFIX)} ({elapsed:.1f} s)")
        print(table(rows))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
