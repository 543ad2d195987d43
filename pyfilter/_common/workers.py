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

On a machine shared with other work, the default (``workers=None``) also
leaves out the cores other processes keep busy: an OpenMP team waits at
the end of every parallel region for its slowest thread, and a thread
that shares its core with a busy process is descheduled for whole
timeslices, so two threads on one free core run slower than one.  The
number of busy cores is read from the kernel (the runnable tasks in
``/proc/stat``, at most every 50 ms) when this process sees every CPU of
the machine; ``PYFILTER_LOAD_AWARE=0`` turns this off.  Explicit counts
are honoured as given (up to the CPU count).  Idle team threads spin for
a few milliseconds, then sleep (libgomp's default; see
``pyfilter/_cext/__init__.py``).

Calls below a work threshold run on one thread (starting a team costs
more than it saves); see :data:`PARALLEL_MIN_WORK`.  With the default
count, a mid-size call that does not follow another closely (its team is
asleep, and waking it costs more than it saves) also runs on one thread;
see :data:`COLD_MIN_WORK`.  Team threads other than the caller are pinned
to CPUs of their own (see :func:`_place`).

A process made by ``fork()`` after this process started an OpenMP team
runs every call on one thread: GNU libgomp's pool does not survive a fork,
and the child's first parallel region would hang.
"""
from __future__ import annotations

import contextlib
import operator
import os
import threading
import time
from collections.abc import Iterator
from typing import Any, SupportsIndex

from .._cext import spin_seconds as _spin_seconds
from .._cext import _runtime
from .errors import ArgumentError, ArgumentTypeError

__all__ = ["set_workers", "get_workers"]

_local = threading.local()


def _cpu_count() -> int:
    """Usable CPUs (the affinity mask), read once per process."""
    global _NCPU
    if _NCPU is None:
        try:
            _NCPU = max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):
            _NCPU = max(1, os.cpu_count() or 1)
    return _NCPU


_NCPU: int | None = None
# True once this process has asked the engines for more than one thread
# (an OpenMP team may exist); a child forked after that runs serially.
_TEAM_STARTED = False
_SERIAL_ONLY = False


def _after_fork_in_child() -> None:
    global _NCPU, _SERIAL_ONLY, _CPUS
    _NCPU = None
    _CPUS = None
    _local.placed = None
    if _TEAM_STARTED:
        _SERIAL_ONLY = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def engine_threads(n: int) -> int:
    """The thread count an engine call may use, given the resolved ``n``:
    1 in a child forked after OpenMP ran; records that a team may start."""
    global _TEAM_STARTED
    if n <= 1:
        return 1
    if _SERIAL_ONLY:
        return 1
    _TEAM_STARTED = True
    return n


def _check(workers: SupportsIndex, name: str = "workers") -> int:
    """Validate a workers value and return it as a positive thread count."""
    if type(workers) is int and 0 < workers:
        return min(workers, _NCPU or _cpu_count())
    if isinstance(workers, bool):
        raise ArgumentTypeError(f"{name} must be an integer or None, got {workers!r}")
    try:
        w = operator.index(workers)
    except TypeError:
        raise ArgumentTypeError(f"{name} must be an integer or None, got {workers!r}") from None
    ncpu = _cpu_count()
    if w == 0:
        raise ArgumentError(f"{name} must not be 0 (use None for the default, a positive "
                            "count, or a negative count from the CPU count); got 0")
    if w < 0:
        if w < -ncpu:
            raise ArgumentError(f"{name} value out of range; got {w}, must not be "
                                f"less than {-ncpu} (minus the number of usable CPUs)")
        w = ncpu + 1 + w
    return min(w, ncpu)


def _default() -> int:
    stack = getattr(_local, "stack", None)
    if stack:
        return stack[-1]
    return max(1, min(_runtime.max_threads(), _cpu_count()))


def resolve(workers: SupportsIndex | None) -> int:
    """Number of threads for a call given its ``workers`` argument."""
    if workers is None:
        return _default()
    return _check(workers)


# Below this many multiply-adds (or element operations) a call runs on one
# thread: starting a team costs more than it saves.
PARALLEL_MIN_WORK = 1 << 17

# A team whose threads went to sleep (the caller spent longer than their
# spin elsewhere) takes 40-90 us to wake on the development machine (2
# vCPUs; more after longer idle gaps): a 256^2 prewitt then ran in 72 us on
# two threads against 33 us on one, a 512^2 one 117 against 102 us.  So
# with the default thread count, a call of less than COLD_MIN_WORK that
# does not follow another call closely (within the spin time) runs on one
# thread; calls in a burst share one wake-up and use the team.
COLD_MIN_WORK = 1 << 22
_WARM = min(_spin_seconds(), 1.0)
# when the last engine call of this process ended, and the last threaded one
_last_end = [-1e9, -1e9]


def call_done(nthreads: int) -> None:
    """Record the end of an engine call that ran on ``nthreads`` threads
    (a burst of calls keeps the team warm)."""
    now = time.monotonic()
    _last_end[0] = now
    if nthreads > 1:
        _last_end[1] = now

_LOAD_AWARE = os.environ.get("PYFILTER_LOAD_AWARE", "1").strip().lower() not in (
    "0", "false", "no", "off")
# time of the last reading, cores free of other work then, and at the reading
# before (None: no reading yet)
_load: list[Any] = [-1.0, 0, None]
_LOAD_PERIOD = 0.05


def _runnable_tasks() -> int | None:
    """The number of runnable tasks on the machine (the kernel's
    ``procs_running``), or None."""
    try:
        with open("/proc/stat", "rb") as f:
            for line in f:
                if line.startswith(b"procs_running"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _own_running_threads() -> int | None:
    """The number of this process's threads that are runnable now (the
    calling thread, our team and other libraries' pools while they spin),
    or None."""
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return None
    n = 0
    for tid in tids:
        try:
            with open("/proc/self/task/" + tid + "/stat", "rb") as f:
                line = f.read()
        except OSError:
            continue            # the thread ended meanwhile
        i = line.rfind(b")")
        if i >= 0 and line[i + 2:i + 3] == b"R":
            n += 1
    return max(n, 1)


def _free_cores(now: float) -> int | None:
    """Usable cores not kept busy by other processes' runnable tasks (at
    least 1), or
    None when that cannot be known (no /proc/stat, the check turned off,
    or this process sees only part of the machine).

    A core counts as busy when two readings in a row (50 ms apart) found it
    so: one reading is an instant, and one that caught another library's
    thread pool spinning after its own call (OpenCV's, OpenBLAS's) would
    otherwise keep the default at one thread for the next 50 ms (measured:
    two thirds of the calls of a benchmark alternating with OpenCV)."""
    if now - _load[0] < _LOAD_PERIOD:
        return _merged()
    free = None
    ncpu = _cpu_count()
    if _LOAD_AWARE and ncpu == (os.cpu_count() or ncpu):
        running = _runnable_tasks()
        if running is not None:
            # the runnable threads of this process are not load from
            # elsewhere: the caller, our team while it spins, and the pools
            # of libraries called beside us (torch's, OpenBLAS's, OpenCV's)
            own = _own_running_threads()
            if own is None:
                own = 1 + (_team[0] - 1 if now - _last_end[1] < _WARM else 0)
            free = max(1, ncpu - max(0, running - own))
    _load[2] = _load[1] if _load[0] >= 0 else None
    _load[0] = now
    _load[1] = free
    return _merged()


def _merged() -> int | None:
    free, prev = _load[1], _load[2]
    if free is None or prev is None:
        return free
    return max(free, prev)


def threads_for(workers: SupportsIndex | None, work: int) -> int:
    """Threads for an engine call of ``work`` element operations with the
    caller's ``workers`` argument (validated even when the call is too
    small to start threads)."""
    if work < PARALLEL_MIN_WORK:
        if workers is not None and (type(workers) is not int or workers < 1):
            _check(workers)
        return 1
    n = resolve(workers)
    if n > 1 and workers is None:
        now = time.monotonic()
        if work < COLD_MIN_WORK and now - _last_end[0] > _WARM:
            return 1
        free = _free_cores(now)
        if free is not None and free < n:
            n = free
    n = engine_threads(n)
    if n > 1:
        _team[0] = n
        if _PIN:
            _place(n)
    return n


# Team placement.  On the development machine (a KVM guest) the kernel
# wakes a sleeping team thread on the CPU of the thread that wakes it,
# which is busy with its own share of the work: the two then take turns on
# one CPU while the other idles (a 512^2 prewitt after a 5 ms pause: 386 us
# on two threads, 153 us on one), and a new team's thread can stay on its
# creator's CPU for the first tens of milliseconds.  So each team thread
# but the caller is pinned to its own CPU of the process's affinity mask,
# counting on from the caller's CPU, and re-pinned when the caller has
# moved (the caller itself is never pinned).  Not done where the user
# chose a binding (OMP_PROC_BIND, OMP_PLACES, GOMP_CPU_AFFINITY) or set
# PYFILTER_PIN_THREADS=0.
_team = [1]                  # threads of the last threaded call
_PIN = (_runtime.openmp_enabled() and _runtime.current_cpu() >= 0
        and os.environ.get("PYFILTER_PIN_THREADS", "1").strip().lower()
        not in ("0", "false", "no", "off")
        and not any(k in os.environ for k in (
            "OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY", "KMP_AFFINITY")))
_CPUS: list[int] | None = None


def _place(n: int) -> None:
    """Pin the team threads 1..n-1 of the calling Python thread unless
    they were pinned for its present CPU."""
    global _CPUS
    cpu = _runtime.current_cpu()
    placed = getattr(_local, "placed", None)
    if placed is not None and placed[0] == cpu and placed[1] >= n:
        return
    if _CPUS is None:
        try:
            _CPUS = sorted(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            _CPUS = []
    cpus = _CPUS
    if len(cpus) < 2:
        return
    pos = cpus.index(cpu) if cpu in cpus else 0
    _runtime.place_team(n, [cpus[(pos + t) % len(cpus)] for t in range(n)])
    _local.placed = (cpu, n)


def get_workers() -> int:
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
def set_workers(workers: int) -> Iterator[None]:
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
