"""Writes the generated pages of ``docs/reference/`` from the code they describe.

    python scripts/build_docs_reference.py           # (re)write the pages
    python scripts/build_docs_reference.py --check   # exit 1 if a page is stale

- ``specs/*.md``: every field of every spec kind, from the pydantic models' JSON Schema;
- ``cli.md``: every command of ``healthsim``, from the typer app;
- ``tables.md``: every table, column and view of an output, from ``sim/output/columns.yaml``
  and the tables the shipped scenarios write (a small run of each).

``python-api.md`` is not generated here: mkdocstrings renders it from the docstrings when the
site is built. ``tests/test_docs_reference.py`` fails when a committed page differs from what
this script writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO_ROOT / "docs" / "reference"

sys.path[:0] = [str(REPO_ROOT), str(Path(__file__).resolve().parent)]

from docs_reference.cli import cli_page  # noqa: E402
from docs_reference.specs import spec_pages  # noqa: E402
from docs_reference.tables import tables_page  # noqa: E402


def pages() -> dict[str, str]:
    """Path under docs/reference/ -> the Markdown it should hold."""
    return {**spec_pages(), "cli.md": cli_page(), "tables.md": tables_page()}


def stale(output: Path = OUTPUT_DIR) -> list[str]:
    """The pages whose file is missing or differs from what would be written."""
    return [
        name
        for name, text in pages().items()
        if not (output / name).is_file() or (output / name).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.output)
        for name in names:
            print(f"stale: docs/reference/{name}", file=sys.stderr)
        return 1 if names else 0
    for name, text in pages().items():
        path = args.output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
