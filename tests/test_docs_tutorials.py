"""Every tutorial's Python blocks run in order, in one namespace, and print what they show."""

import contextlib
import io
import re
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).parents[1] / "docs" / "tutorials").glob("*.md"))
BLOCK = re.compile(r"```python\n(.*?)```", flags=re.S)
# `print(...)  # output`, or a print followed by comment lines with its output
SAME_LINE = re.compile(r"^\s*print\(.*\)\s*#\s?(.*)$")
PRINT = re.compile(r"^\s*print\(.*\)\s*$")
COMMENT = re.compile(r"^\s*#\s?(.*)$")


def expected_output(block: str) -> list[str]:
    lines = block.splitlines()
    expected = []
    for number, line in enumerate(lines):
        if match := SAME_LINE.match(line):
            expected.append(match.group(1).strip())
        elif PRINT.match(line):
            for following in lines[number + 1 :]:
                if not (match := COMMENT.match(following)):
                    break
                expected.append(match.group(1).strip())
    return expected


def test_there_are_six_tutorials():
    assert len(TUTORIALS) == 6


@pytest.mark.parametrize("page", TUTORIALS, ids=lambda page: page.stem)
def test_tutorial_runs_and_prints_what_it_shows(page, tmp_path, monkeypatch):
    blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
    assert blocks
    monkeypatch.chdir(tmp_path)
    # one namespace per tutorial, run as a script would be (worker processes need the guard)
    namespace = {"__name__": "__main__"}
    for index, block in enumerate(blocks):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, f"{page.name} block {index + 1}", "exec"), namespace)
        assert printed.getvalue().splitlines() == expected_output(block), f"block {index + 1}"
