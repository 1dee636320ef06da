"""docs/python.md runs as written: its Python code blocks, in order, in one namespace (as
a notebook would), from the repository root, with matplotlib drawing off-screen."""

import os
import re

import pytest

from conftest import ROOT


def test_the_walk_through_runs(tmp_path):
    pytest.importorskip("matplotlib", reason="docs/python.md draws with matplotlib: pip install matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace = {}
        for k, block in enumerate(blocks):
            exec(compile(block, f"docs/python.md block {k + 1}", "exec"), namespace)
    finally:
        os.chdir(cwd)
