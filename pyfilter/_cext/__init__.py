"""Private compiled engines.

Each engine ``<name>.pxi`` is built once per SIMD variant
(``_<name>_base``, and ``_<name>_avx2``, ``_<name>_avx512`` on x86-64);
:func:`engine` returns the best variant the running CPU supports.
``PYFILTER_SIMD=base`` (or ``avx2``) in the environment forces that
variant.  The variants compute the same values (the same operations in the
same order, explicit FMA in float32 in both vector builds); the portable
one rounds float32 multiply-adds separately.
"""
import importlib
import os
from types import ModuleType

# OpenMP's wait policy: libgomp's own, unless the user sets one.  Idle team
# threads spin for about 3 * 10^5 rounds (about 3 ms on the development
# machine) before they sleep.  Measured there (2 cores): a team that
# sleeps sooner is asleep whenever the caller does other work between two
# calls (a benchmark that alternates with other libraries, a pipeline with
# numpy steps), and waking it costs 40-90 us: with 10^4 rounds a 3x3
# correlate on 256^2 float32 timed round-robin with scipy and OpenCV ran
# on one thread in 26 us (waking the team would have cost more), with
# libgomp's default on two in 19 us; OMP_WAIT_POLICY=PASSIVE made two
# threads slower than one up to 512^2.  Spinning threads take a core from
# other work only briefly, and on a machine whose cores are busy the
# default thread count does not start them (pyfilter/_common/workers.py).
_USER_POLICY = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def _libgomp_loaded():
    try:
        with open("/proc/self/maps") as f:
            return any("libgomp" in line for line in f)
    except OSError:
        return False


def _load_runtime():
    loaded = _libgomp_loaded()
    from . import _runtime as rt
    if loaded:
        return rt, {"libgomp": "loaded before pyfilter: its own settings"}
    return rt, {k: os.environ[k] for k in _USER_POLICY if k in os.environ}


_runtime, WAIT_POLICY = _load_runtime()


def spin_seconds():
    """Roughly how long an idle team thread spins before it sleeps (an
    estimate from the wait policy at libgomp's load: about 10 ns a round
    on the development machine, measured with the spin counts 3*10^3 ..
    3*10^5; libgomp's default is 3*10^5 rounds)."""
    env = WAIT_POLICY
    if "libgomp" in env:
        env = os.environ
    policy = env.get("OMP_WAIT_POLICY", "").strip().upper()
    count = env.get("GOMP_SPINCOUNT", "").strip().upper()
    if policy == "PASSIVE":
        return 0.0
    if count:
        if count.startswith("INF"):
            return float("inf")
        try:
            mult = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}.get(count[-1:], 1.0)
            return float(count.rstrip("KMGT")) * mult * 1e-8
        except ValueError:
            pass
    if policy == "ACTIVE":
        return float("inf")
    return 3e5 * 1e-8


_cache: dict[str, ModuleType] = {}


def available_variants(name):
    """The variants of engine ``name`` that import on this machine."""
    out = []
    for var in ("avx512", "avx2", "base"):
        if var == "avx2" and not _runtime.cpu_has_avx2_fma():
            continue
        if var == "avx512" and not _runtime.cpu_has_avx512():
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
