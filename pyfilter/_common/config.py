"""Build and runtime configuration report."""
from __future__ import annotations

import platform
import sys
from typing import Any

from . import workers as _workers
from .._cext import _runtime, selected_variant


def _build_config() -> dict[str, Any]:
    try:
        from .._cext._build_config import CONFIG
    except ImportError:  # built by a tool that did not run our build_ext
        CONFIG = {}
    return CONFIG


def _wait_policy() -> str:
    """The OpenMP wait policy in force and what it means for idle threads."""
    from .._cext import WAIT_POLICY, spin_seconds
    if not _runtime.openmp_enabled():
        return "none (built without OpenMP)"
    if not WAIT_POLICY:
        source = "libgomp default (OMP_WAIT_POLICY, GOMP_SPINCOUNT unset)"
    else:
        source = ", ".join(f"{k}={v}" for k, v in WAIT_POLICY.items())
    spin = spin_seconds()
    if spin == 0:
        idle = "idle team threads sleep at once"
    elif spin == float("inf"):
        idle = "idle team threads spin and never sleep"
    else:
        idle = f"idle team threads spin about {spin * 1e3:.2g} ms, then sleep"
    return f"{source}: {idle}"


def _thread_pools() -> tuple[str, list[str]]:
    """(BLAS that pyfilter calls, every thread pool loaded in the process),
    from threadpoolctl."""
    import os
    import scipy
    import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS pyfilter calls)
    try:
        from threadpoolctl import threadpool_info
        pools = threadpool_info()
    except Exception as exc:  # threadpoolctl missing or failing
        return f"unknown ({exc.__class__.__name__})", []
    scipy_dir = os.path.dirname(os.path.abspath(scipy.__file__))
    blas: list[str] = []
    lines: list[str] = []
    for p in pools:
        name = p.get("internal_api") or p.get("prefix") or "?"
        if name == p.get("user_api") and p.get("prefix"):
            name = p["prefix"]          # "openmp: libgomp", not "openmp: openmp"
        version = p.get("version")
        desc = f"{p.get('user_api', '?')}: {name}" + (f" {version}" if version else "")
        extra = [f"{p.get('num_threads')} threads"]
        for key in ("threading_layer", "architecture"):
            if p.get(key):
                extra.append(str(p[key]))
        extra.append(os.path.basename(p.get("filepath", "")))
        lines.append(f"{desc} ({', '.join(extra)})")
        if p.get("user_api") == "blas" and os.path.abspath(
                p.get("filepath", "")).startswith(scipy_dir):
            blas.append(f"{name}" + (f" {version}" if version else "")
                        + f" ({os.path.basename(p.get('filepath', ''))})")
    if not blas:
        blas = [line.split(": ", 1)[1] for line in lines if line.startswith("blas")]
    return ("; ".join(blas) or "not found") + ", via scipy.linalg.cython_blas", lines


def config() -> dict[str, Any]:
    """The configuration :func:`show_config` prints, as a dict."""
    import numpy
    import scipy
    from .version import VERSION as __version__
    cfg = _build_config()
    blas, pools = _thread_pools()
    return {
        "pyfilter": __version__,
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": f"{platform.system()} {platform.machine()}",
        "openmp": _runtime.openmp_enabled(),
        "openmp_build_status": cfg.get("openmp_status", "unknown"),
        "default_threads": _workers.get_workers(),
        "omp_get_max_threads": _runtime.max_threads(),
        "omp_wait_policy": _wait_policy(),
        "blas": blas,
        "blas_threads_in_calls": "1 (each pyfilter thread calls BLAS on its own tile)",
        "thread_pools": pools,
        "load_aware_default": _workers._LOAD_AWARE,
        "team_threads_pinned": _workers._PIN,
        "team_spin_seconds": _workers._WARM,
        "simd_variant": selected_variant("correlate"),
        "cpu_has_avx2_fma": _runtime.cpu_has_avx2_fma(),
        "cpu_has_avx512": _runtime.cpu_has_avx512(),
        "debug_build": cfg.get("debug", None),
        "native_build": cfg.get("native", None),
        "compiler": cfg.get("compiler_version", "unknown"),
        "compile_flags": " ".join(cfg.get("opt_flags", []) + cfg.get("openmp_flags", [])),
        "variant_flags": cfg.get("variants", {}),
        "cython": cfg.get("cython_version", "unknown"),
        "numpy_at_build": cfg.get("numpy_build_version", "unknown"),
    }


def show_config() -> None:
    """Print pyfilter's versions, OpenMP status, threads and compiler flags.

    The report lists the versions of pyfilter, Python, numpy and scipy,
    whether the engines were built with OpenMP, the default and maximum
    thread counts, the OpenMP wait policy in force, the BLAS library the
    CNN layers call and every thread pool loaded in the process (from
    threadpoolctl), the SIMD variant selected for this CPU and the build's
    compiler, flags and Cython/numpy versions.

    Parameters
    ----------
    None

    Returns
    -------
    None
        The report is printed to standard output.

    Examples
    --------
    >>> import pyfilter
    >>> pyfilter.show_config()  # doctest: +ELLIPSIS
    pyfilter ...
    """
    cfg = config()
    width = max(len(k) for k in cfg)
    print(f"pyfilter {cfg['pyfilter']}")
    for k, v in cfg.items():
        if k == "pyfilter":
            continue
        if isinstance(v, list):
            print(f"  {k:<{width}} :")
            for item in v:
                print(f"  {'':<{width}}   - {item}")
        else:
            print(f"  {k:<{width}} : {v}")
