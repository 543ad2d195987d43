"""BLAS and OpenMP sharing the cores: BLAS runs single-threaded in pyfilter calls.

pyfilter's GEMM-based engines run ``workers`` OpenMP threads, each calling
BLAS (``scipy.linalg.cython_blas``) on its own cache-sized tile.  BLAS must
then run single-threaded: a multi-threaded BLAS called from several
OpenMP threads would oversubscribe the cores (OpenBLAS warns "Detect OpenMP
Loop"), and its thread count would leak into the results (OpenBLAS splits a
GEMM differently with 2 threads: results depend on the thread count).
With ``workers=1`` the call must use one core, too.

:func:`single_thread` caps the BLAS pools for the duration of a call:

* process-wide pools (OpenBLAS built with pthreads, as in the numpy/scipy
  wheels) are set directly through the library's
  ``openblas_set_num_threads``, reference-counted across Python threads:
  the first call entering caps them, the last one leaving restores the
  previous size.  (threadpoolctl >= 3.7 ignores changes made from any
  Python thread but the first one that set a limit, which would leave
  calls from worker threads uncapped.)
* per-thread pools (OpenBLAS on OpenMP, MKL, BLIS...) are limited with
  threadpoolctl in the calling thread; inside pyfilter's OpenMP region
  they do not start nested threads.

A multi-threaded numpy/scipy BLAS call made by another Python thread while
a pyfilter call runs therefore runs single-threaded too.
"""
import contextlib
import itertools
import threading
from typing import Any

_lock = threading.Lock()
_users = 0
_shared: Any = None  # [(get, set)] of process-wide pools (None: not yet discovered)
_per_thread: Any = None   # threadpoolctl controller of per-thread pools (or None)
_saved: list[Any] = []


def _openblas_functions(dynlib):
    for prefix, suffix in itertools.product(("", "scipy_"), ("", "64_", "_64")):
        get = getattr(dynlib, f"{prefix}openblas_get_num_threads{suffix}", None)
        set_ = getattr(dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
        if get is not None and set_ is not None:
            return get, set_
    return None


def _discover():
    global _shared, _per_thread
    import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS pyfilter calls)
    try:
        from threadpoolctl import ThreadpoolController
        ctl = ThreadpoolController().select(user_api="blas")
    except Exception:  # threadpoolctl missing or failing: nothing to cap
        _shared, _per_thread = [], None
        return
    shared, others = [], []
    for lib in ctl.lib_controllers:
        fns = None
        if (lib.internal_api == "openblas"
                and getattr(lib, "threading_layer", None) != "openmp"):
            fns = _openblas_functions(lib.dynlib)
        if fns is not None:
            shared.append(fns)
        else:
            others.append(lib.filepath)
    _shared = shared
    _per_thread = ctl.select(filepath=others) if others else None


@contextlib.contextmanager
def single_thread():
    """Context manager: BLAS single-threaded while inside (re-entrant, and
    safe to use from several Python threads at once)."""
    global _users, _saved
    with _lock:
        if _shared is None:
            _discover()
        if _users == 0:
            _saved = [get() for get, _ in _shared]
            for (_, set_), n in zip(_shared, _saved):
                if n != 1:
                    set_(1)
        _users += 1
    try:
        if _per_thread is not None and _per_thread.lib_controllers:
            with _per_thread.limit(limits=1):
                yield
        else:
            yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                for (_, set_), n in zip(_shared, _saved):
                    if n != 1:
                        set_(n)
