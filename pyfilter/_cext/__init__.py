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

# OpenMP's wait policy.  Measured on the 2-core development machine
# (gaussian_filter sigma=1 float32, workers=2 against workers=1): a team
# whose idle threads sleep at once (OMP_WAIT_POLICY=PASSIVE, or a spin
# count of 1000) pays the wake-up at every call and is slower than one
# thread up to 512^2 (128^2: 20 -> 58-78 us); spinning for 10^4 rounds
# (a fraction of a millisecond) before sleeping is as fast as libgomp's
# default of 3 * 10^5 rounds (128^2: 15 us; 1024^2: 705 -> 350 us), and
# idle threads give their core back ~30 times sooner, which matters on a
# machine shared with other work.  libgomp reads its settings once, when
# it is loaded: the spin count is put in the environment only for the load
# of the first engine, and only where the user set no wait policy or spin
# count.  If libgomp was loaded earlier by another library, its settings
# stand.
OMP_SETTINGS = {"GOMP_SPINCOUNT": "10000"}
_USER_POLICY = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def _libgomp_loaded():
    try:
        with open("/proc/self/maps") as f:
            return any("libgomp" in line for line in f)
    except OSError:
        return False


def _load_runtime():
    if _libgomp_loaded():
        from . import _runtime as rt
        return rt, {"libgomp": "loaded before pyfilter: its own settings"}
    user = any(k in os.environ for k in _USER_POLICY)
    added = [] if user else [k for k in OMP_SETTINGS if k not in os.environ]
    for k in added:
        os.environ[k] = OMP_SETTINGS[k]
    try:
        from . import _runtime as rt
    finally:
        for k in added:
            os.environ.pop(k, None)
    if user:
        return rt, {k: os.environ[k] for k in _USER_POLICY if k in os.environ}
    return rt, {k: OMP_SETTINGS[k] for k in added}


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


_cache = {}


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
