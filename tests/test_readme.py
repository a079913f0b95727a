"""The README's Python examples run, and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_python_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, "README.md", "exec"), {})
        # a print whose comment shows its output must print exactly that
        expected = [
            comment.strip()
            for line, comment in re.findall(r"^(print\(.*?\))\s*#(.*)$", block, flags=re.M)
        ]
        assert printed.getvalue().splitlines() == expected
    assert (tmp_path / "out" / "readme.duckdb").is_file()
