"""The README's Python examples run and print what their comments say; its console run is real."""

import contextlib
import io
import re
import subprocess
import sys
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


def test_readme_console_run_shows_real_output(tmp_path, monkeypatch):
    """The run shown in the README prints those lines (rows elided; the timing varies)."""
    block = next(
        b
        for b in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
        if b.startswith("$ healthsim run oswald-family")
    )
    command, *shown = block.strip().splitlines()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "90")
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", *command.removeprefix("$ healthsim ").split()],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = [line.strip() for line in done.stdout.splitlines()]
    timing = re.compile(r"in [0-9.]+ s \([0-9,]+ persons/s\)")
    for line in shown:
        if line.startswith("wrote"):
            assert any(timing.sub("", line) == timing.sub("", p) for p in printed), line
        else:
            assert line.strip() in printed, line
