"""Thread-count control with scipy.fft's ``workers`` semantics.

* ``workers=None``: the default, which is the innermost
  :func:`set_workers` value of this Python thread, or else
  ``min(omp_get_max_threads(), usable CPUs)``; so ``OMP_NUM_THREADS`` and
  ``threadpoolctl.threadpool_limits`` are honoured.
* A positive integer asks for that many threads, capped at the number
  of usable CPUs (more threads than cores only add contention; a huge
  count would exhaust the OpenMP runtime).
* A negative integer counts back from the number of usable CPUs
  (``-1``: all of them, ``-2``: all but one, ...).
* ``0``, or anything that is not an integer, is an error.

A process made by ``fork()`` after this process started an OpenMP team
runs every call on one thread: GNU libgomp's pool does not survive a fork,
and the child's first parallel region would hang.
"""
import contextlib
import operator
import os
import threading

from .._cext import _runtime
from .errors import ArgumentError, ArgumentTypeError

__all__ = ["set_workers", "get_workers"]

_local = threading.local()


def _cpu_count():
    """Usable CPUs (the affinity mask), read once per process."""
    global _NCPU
    if _NCPU is None:
        try:
            _NCPU = max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):
            _NCPU = max(1, os.cpu_count() or 1)
    return _NCPU


_NCPU = None
# True once this process has asked the engines for more than one thread
# (an OpenMP team may exist); a child forked after that runs serially.
_TEAM_STARTED = False
_SERIAL_ONLY = False


def _after_fork_in_child():
    global _NCPU, _SERIAL_ONLY
    _NCPU = None
    if _TEAM_STARTED:
        _SERIAL_ONLY = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def engine_threads(n):
    """The thread count an engine call may use, given the resolved ``n``:
    1 in a child forked after OpenMP ran; records that a team may start."""
    global _TEAM_STARTED
    if n <= 1:
        return 1
    if _SERIAL_ONLY:
        return 1
    _TEAM_STARTED = True
    return n


def _check(workers, name="workers"):
    """Validate a workers value and return it as a positive thread count."""
    if type(workers) is int and 0 < workers:
        return min(workers, _NCPU or _cpu_count())
    if isinstance(workers, bool):
        raise TypeError(f"{name} must be an integer or None, got {workers!r}")
    try:
        w = operator.index(workers)
    except TypeError:
        raise TypeError(f"{name} must be an integer or None, got {workers!r}") from None
    ncpu = _cpu_count()
    if w == 0:
        raise ValueError(f"{name} must not be 0 (use None for the default, "
                         f"a positive count, or a negative count from the CPU count); got 0")
    if w < 0:
        if w < -ncpu:
            raise ValueError(f"{name} value out of range; got {w}, must not be "
                             f"less than {-ncpu} (minus the number of usable CPUs)")
        w = ncpu + 1 + w
    return min(w, ncpu)


def _default():
    stack = getattr(_local, "stack", None)
    if stack:
        return stack[-1]
    return max(1, min(_runtime.max_threads(), _cpu_count()))


def resolve(workers):
    """Number of threads for a call given its ``workers`` argument."""
    if workers is None:
        return _default()
    return _check(workers)


# Below this many multiply-adds (or element operations) a call runs on one
# thread: starting a team costs more than it saves.
PARALLEL_MIN_WORK = 1 << 17


def threads_for(workers, work):
    """Threads for an engine call of ``work`` element operations with the
    caller's ``workers`` argument (validated even when the call is too
    small to start threads)."""
    if work < PARALLEL_MIN_WORK:
        if workers is not None and (type(workers) is not int or workers < 1):
            _check(workers)
        return 1
    return engine_threads(resolve(workers))


def get_workers():
    """The default number of threads for calls made from this Python thread.

    The innermost :func:`set_workers` value of this Python thread, else
    ``min(omp_get_max_threads(), usable CPUs)`` (``omp_get_max_threads``
    follows ``OMP_NUM_THREADS`` and threadpoolctl).

    Parameters
    ----------
    None

    Returns
    -------
    int
        The thread count a call with ``workers=None`` asks for (calls on
        small inputs still run on one thread).

    See Also
    --------
    set_workers

    Examples
    --------
    >>> import pyfilter
    >>> with pyfilter.set_workers(1):
    ...     pyfilter.get_workers()
    1
    """
    return _default()


@contextlib.contextmanager
def set_workers(workers):
    """Context manager setting the default ``workers`` for this Python thread.

    Inside the ``with`` block, calls made from this Python thread with
    ``workers=None`` use this thread count; blocks nest, and other Python
    threads are not affected.

    Parameters
    ----------
    workers : int
        Thread count with scipy.fft's semantics: a positive count (capped
        at the number of usable CPUs), or a negative one counting back from
        the number of usable CPUs (-1: all of them); 0 is an error.

    Returns
    -------
    context manager
        Restores the previous default on exit.

    See Also
    --------
    get_workers

    Examples
    --------
    >>> import numpy as np, pyfilter
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> with pyfilter.set_workers(1):
    ...     y = pyfilter.ndimage.correlate(x, np.ones((3, 3)))
    >>> float(y[1, 1])
    45.0
    """
    w = _check(workers)
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(w)
    try:
        yield
    finally:
        stack.pop()
