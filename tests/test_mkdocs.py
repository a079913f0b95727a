"""The documentation site builds with `mkdocs build --strict`; its pages cover what ships."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def test_site_builds_strictly(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
    )
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "site" / "guide" / "generative-framework" / "index.html").is_file()


def _nav_pages(entries: list) -> list[str]:
    pages = []
    for entry in entries:
        for value in entry.values():
            pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_nav_lists_every_page():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert set(_nav_pages(config["nav"])) == pages


def test_templates_page_names_every_shipped_spec():
    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    shipped = sorted((ROOT / "scenarios").glob("*/*.yaml"))
    assert len(shipped) > 40
    missing = [path.stem for path in shipped if f"`{path.stem}`" not in text]
    assert missing == []
