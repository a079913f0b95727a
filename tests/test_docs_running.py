"""docs/running.md: its Python example prints what its comments say."""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).parents[1] / "docs" / "running.md"


def test_python_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, str(DOC), "exec"), {})
    expected = [c.strip() for c in re.findall(r"^print\(.*?\)\s*#(.*)$", block, flags=re.M)]
    assert printed.getvalue().splitlines() == expected
