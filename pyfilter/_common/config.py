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
    from .._cext import WAIT_POLICY
    if not WAIT_POLICY:
        return "libgomp default"
    return ", ".join(f"{k}={v}" for k, v in WAIT_POLICY.items())


def config() -> dict[str, Any]:
    """The configuration :func:`show_config` prints, as a dict."""
    import numpy
    import scipy
    from .version import VERSION as __version__
    cfg = _build_config()
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
    thread counts, the SIMD variant selected for this CPU and the build's
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
        print(f"  {k:<{width}} : {v}")
