"""The public API is typed: mypy passes on the package (pyproject.toml's
[tool.mypy]) and, with --strict, on a user's calls (tests/typing/usage.py),
and rejects wrong calls (tests/typing/bad_usage.py); every public function
is annotated; the package ships a py.typed marker.

mypy is in the ``test`` extra: without it these tests fail, they do not
skip.  Its cache goes to a temporary directory, not the source tree.
"""
import importlib.util
import inspect
import os
import pathlib
import re
import subprocess
import sys
import typing

import pytest

import pyfilter
from pyfilter import filters, kernels, morphology, ndimage, nn
from pyfilter.filters import rank as filters_rank

ROOT = pathlib.Path(__file__).resolve().parent.parent
TYPING_DIR = ROOT / "tests" / "typing"
CLASSES = {"ConvCost"}


def _public():
    out = []
    for mod in (ndimage, filters, filters_rank, morphology, nn, kernels):
        out += [(mod.__name__, name, getattr(mod, name)) for name in mod.__all__]
    out += [("pyfilter", name, getattr(pyfilter, name))
            for name in ("set_workers", "get_workers", "show_config")]
    return out


PUBLIC = _public()
IDS = [f"{m}.{n}" for m, n, _ in PUBLIC]


# ---------------------------------------------------------------- mypy
def test_mypy_is_installed():
    assert importlib.util.find_spec("mypy") is not None, (
        "mypy is not importable: install the test extra (pip install -e .[test])")


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    cache = tmp_path_factory.mktemp("mypy_cache")

    def run(*args):
        cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(cache), "--no-color-output", "--no-error-summary", *args]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "MYPY_FORCE_COLOR": "0"})
        return proc.returncode, proc.stdout + proc.stderr
    return run


def test_mypy_passes_on_the_package(mypy):
    rc, out = mypy("pyfilter")
    assert rc == 0, f"mypy pyfilter failed:\n{out}"


# The usage files are checked as a user's code is: --strict for them, and
# pyfilter's own modules analysed without reporting (as for an installed
# package; the package run above checks them under the project's settings).
USER = ("--strict", "--follow-imports=silent")


def test_mypy_strict_passes_on_usage(mypy):
    rc, out = mypy(*USER, str(TYPING_DIR / "usage.py"))
    assert rc == 0, f"mypy --strict tests/typing/usage.py failed:\n{out}"


def test_mypy_rejects_bad_usage(mypy):
    path = TYPING_DIR / "bad_usage.py"
    expected = set()
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        m = re.search(r"# E: ([\w\-, ]+)$", line)
        if m:
            expected |= {(lineno, code.strip()) for code in m.group(1).split(",")}
    assert expected, "bad_usage.py marks no expected error"
    rc, out = mypy(*USER, str(path))
    got = {(int(m.group(1)), m.group(2))
           for m in re.finditer(r"bad_usage\.py:(\d+): error: .*\[([\w\-]+)\]$", out, re.M)}
    assert rc == 1, f"mypy accepted tests/typing/bad_usage.py (exit {rc}):\n{out}"
    assert got == expected, (f"mypy's errors differ from the marked ones: missing "
                             f"{sorted(expected - got)}, unexpected {sorted(got - expected)}"
                             f"\n{out}")


def test_usage_runs():
    # the checked calls are also valid calls
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(TYPING_DIR / "usage.py")], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path})
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ---------------------------------------------------------------- annotations
@pytest.mark.parametrize("module,name,obj", PUBLIC, ids=IDS)
def test_public_function_is_annotated(module, name, obj):
    if name in CLASSES:
        assert inspect.isclass(obj)
        fields = getattr(obj, "_fields", ())
        assert set(fields) <= set(typing.get_type_hints(obj)), f"{module}.{name}"
        return
    sig = inspect.signature(obj)
    assert sig.return_annotation is not inspect.Signature.empty, (
        f"{module}.{name} has no return annotation")
    missing = [p.name for p in sig.parameters.values()
               if p.annotation is inspect.Parameter.empty]
    assert not missing, f"{module}.{name}: parameters without annotation: {missing}"
    # the annotations (strings: from __future__ import annotations) resolve
    hints = typing.get_type_hints(inspect.unwrap(obj))
    assert set(hints) == set(sig.parameters) | {"return"}, f"{module}.{name}"


def test_signatures_are_scipys():
    # annotations changed no parameter name, kind or default: the
    # ndimage functions still have scipy.ndimage's parameters (plus workers,
    # and method for correlate/convolve)
    import scipy.ndimage as sndi
    for name in ndimage.__all__:
        ours = [(p.name, p.kind, p.default)
                for p in inspect.signature(getattr(ndimage, name)).parameters.values()
                if p.name not in ("workers", "method")]
        theirs = [(p.name, p.kind, p.default)
                  for p in inspect.signature(getattr(sndi, name)).parameters.values()]
        assert ours == theirs, name


def test_literals_match_the_runtime_tables():
    from pyfilter._common import typing as T
    from pyfilter._common.codes import MODES
    from pyfilter._common.validate import METHODS
    from pyfilter.filters import _correlate as fc, _edges
    from pyfilter.nn._args import NN_PADDING_MODES
    assert set(typing.get_args(T.Mode)) == set(MODES)
    assert set(typing.get_args(T.PaddingMode)) == set(NN_PADDING_MODES)
    assert set(typing.get_args(T.Method)) == set(METHODS)
    assert set(typing.get_args(fc.Shape)) == set(fc._SHAPES)
    assert set(typing.get_args(_edges.GradientMethod)) == set(_edges._OPS)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="typing.get_overloads")
def test_return_indices_overloads():
    # the overloads of the max poolings agree with their implementation
    for f in (nn.max_pool1d, nn.max_pool2d, nn.max_pool3d, nn.adaptive_max_pool2d):
        impl = inspect.signature(f).parameters
        for ov in typing.get_overloads(f):
            params = inspect.signature(ov).parameters
            assert list(params) == list(impl), f.__name__


# ---------------------------------------------------------------- packaging
def test_py_typed_marker():
    assert (ROOT / "pyfilter" / "py.typed").is_file()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_py_typed_is_shipped():
    import tomllib
    with open(ROOT / "pyproject.toml", "rb") as f:
        cfg = tomllib.load(f)
    data = cfg["tool"]["setuptools"]["package-data"]
    assert "py.typed" in data["pyfilter"]
    assert "*.pyi" in data["pyfilter._cext"]        # the _runtime stub
    assert any(r.startswith("mypy") for r in cfg["project"]["optional-dependencies"]["test"])
