"""The distribution ships every package of the source tree (a wheel built
from a package list that missed the subpackages imported nothing)."""
import os
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_every_package_is_distributed():
    import tomllib
    from setuptools import find_packages
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        cfg = tomllib.load(f)["tool"]["setuptools"]
    assert "packages" not in cfg or "find" in cfg["packages"], "an explicit package list"
    shipped = set(find_packages(ROOT, include=cfg["packages"]["find"]["include"]))
    on_disk = set()
    for d, _, files in os.walk(os.path.join(ROOT, "pyfilter")):
        if "__init__.py" in files:
            on_disk.add(os.path.relpath(d, ROOT).replace(os.sep, "."))
    assert on_disk and on_disk <= shipped, sorted(on_disk - shipped)
    data = cfg["package-data"]["pyfilter._cext"]
    for ext in ("pxd", "pxi", "h"):
        assert f"*.{ext}" in data
