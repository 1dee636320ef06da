"""docs/python.md runs as written: its Python code blocks, in order, in one namespace (as
a notebook would), from the repository root, with matplotlib drawing off-screen. A block
fenced ```` ```python brian2 ```` is Brian2's side of the side-by-side: it runs on its own
where Brian2 is installed, and is skipped (saying so) where it is not."""

import os
import re

import pytest

from conftest import ROOT


def blocks(kind):
    text = (ROOT / "docs" / "python.md").read_text()
    return re.findall(rf"```python{kind}\n(.*?)```", text, re.S)


def run_blocks(found, label):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace = {}
        for k, block in enumerate(found):
            exec(compile(block, f"docs/python.md {label} block {k + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)


def test_the_walk_through_runs(tmp_path):
    pytest.importorskip("matplotlib", reason="docs/python.md draws with matplotlib: pip install matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    found = blocks("")
    assert len(found) >= 4
    run_blocks(found, "python")


def test_the_brian2_side_runs():
    found = blocks(" brian2")
    assert len(found) == 1
    pytest.importorskip("brian2", reason="Brian2's side of docs/python.md needs brian2 (pip install brian2)")
    run_blocks(found, "brian2")
