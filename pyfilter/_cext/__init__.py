"""Private compiled engines.

Each engine ``<name>.pxi`` is built once per SIMD variant
(``_<name>_base``, and ``_<name>_avx2`` on x86-64); :func:`engine` returns the
best variant the running CPU supports.  ``PYFILTER_SIMD=base`` in the
environment forces the portable variant.
"""
import importlib
import os

# OpenMP's wait policy, chosen for machines shared with other work: the
# team's threads sleep as soon as they are idle instead of spinning (a
# spinning idle thread takes a core from the other processes, and from
# this process's own next call on a loaded machine).  libgomp reads its
# settings once, when it is loaded: they are put in the environment only
# for the load of the first engine, and only where the user set nothing.
# If libgomp was loaded earlier by another library, its settings stand.
OMP_SETTINGS = {"OMP_WAIT_POLICY": "PASSIVE"}


def _libgomp_loaded():
    try:
        with open("/proc/self/maps") as f:
            return any("libgomp" in line for line in f)
    except OSError:
        return False


def _load_runtime():
    if _libgomp_loaded():
        from . import _runtime as rt
        return rt, {k: "set before pyfilter was imported (libgomp already loaded)"
                    for k in OMP_SETTINGS}
    added = [k for k in OMP_SETTINGS if k not in os.environ]
    for k in added:
        os.environ[k] = OMP_SETTINGS[k]
    try:
        from . import _runtime as rt
    finally:
        for k in added:
            os.environ.pop(k, None)
    return rt, {k: (OMP_SETTINGS[k] if k in added else os.environ.get(k))
                for k in OMP_SETTINGS}


_runtime, WAIT_POLICY = _load_runtime()

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
