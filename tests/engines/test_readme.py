"""Every Python block of the README runs as written."""
import contextlib
import io
import os
import re

import pytest

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def _blocks():
    with open(README) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


@pytest.mark.parametrize("i", range(len(_blocks())))
def test_readme_block_runs(i):
    code = _blocks()[i]
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"README.md block {i}", "exec"), {"__name__": "readme"})
