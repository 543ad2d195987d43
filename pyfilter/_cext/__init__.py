"""Private compiled engines.

Each engine ``<name>.pxi`` is built once per SIMD variant
(``_<name>_base``, and ``_<name>_avx2`` on x86-64); :func:`engine` returns the
best variant the running CPU supports.  ``PYFILTER_SIMD=base`` in the
environment forces the portable variant.
"""
import importlib
import os

from . import _runtime

_cache = {}


def available_variants(name):
    """The variants of engine ``name`` that import on this machine."""
    out = []
    for var in ("avx2", "base"):
        if var == "avx2" and not _runtime.cpu_has_avx2_fma():
            continue
        try:
            importlib.import_module(f"{__name__}._{name}_{var}")
        except ImportError:
            continue
        out.append(var)
    return out


def selected_variant(name):
    forced = os.environ.get("PYFILTER_SIMD", "").strip().lower()
    variants = available_variants(name)
    if not variants:
        raise ImportError(f"pyfilter: the compiled engine {name!r} is missing; "
                          "build the package first (make build)")
    if forced and forced in variants:
        return forced
    return variants[0]


def engine(name):
    """The compiled module for engine ``name`` (cached)."""
    mod = _cache.get(name)
    if mod is None:
        var = selected_variant(name)
        mod = importlib.import_module(f"{__name__}._{name}_{var}")
        _cache[name] = mod
    return mod
