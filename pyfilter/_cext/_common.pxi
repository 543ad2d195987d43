# Plumbing shared by every engine (textually included first by each engine
# .pxi): the codes, the dtype conversions, the floating-point contract,
# boundary index tables and the split of work into bands.

cimport cython
cimport numpy as cnp
import numpy as np
from libc.stdlib cimport malloc, calloc, free
from libc.string cimport memset, memcpy

from pyfilter._cext._codes cimport *
from pyfilter._cext._boundary cimport map_index

cnp.import_array()

include "_convert.pxi"

# ---------------------------------------------------------------- floating point
# No implicit FMA contraction: float64 sums are formed multiply-then-add in
# scipy's order, so they round exactly as scipy.ndimage's (and integer
# outputs, computed in float64, truncate as scipy's do).  float32 uses
# explicit FMA where the CPU variant has it (PF_FMAF).  An engine that
# wants contraction (the CNN micro-kernel) turns it back on for its own
# C block.
cdef extern from *:
    """
    #pragma GCC optimize ("fp-contract=off")
    #if defined(__FMA__)
    #define PF_FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
    #else
    #define PF_FMAF(a, b, c) ((a) * (b) + (c))
    #endif
    """
    float PF_FMAF(float a, float b, float c) noexcept nogil


# ---------------------------------------------------------------- boundary tables
cdef void fill_map(Py_ssize_t* tab, Py_ssize_t vlo, Py_ssize_t vhi, Py_ssize_t n,
                   int mode) noexcept nogil:
    """tab[v - vlo] = map_index(v, n, mode) for vlo <= v <= vhi."""
    cdef Py_ssize_t v
    for v in range(vlo, vhi + 1):
        tab[v - vlo] = map_index(v, n, mode)


cdef object map_table(Py_ssize_t vlo, Py_ssize_t vhi, Py_ssize_t n, int mode):
    """map_index over the virtual indices vlo..vhi as an intp array (at
    least one entry): the actual index each reads, -1 for the constant."""
    tab = np.empty(vhi - vlo + 1 if vhi >= vlo else 1, dtype=np.intp)
    cdef Py_ssize_t[::1] t = tab
    if vhi >= vlo:
        fill_map(&t[0], vlo, vhi, n, mode)
    else:
        t[0] = -1
    return tab


cdef object map_table_block(Py_ssize_t vlo, Py_ssize_t vhi, Py_ssize_t n, int mode,
                            Py_ssize_t block):
    """As :func:`map_table` along an axis that interleaves ``block``
    unfiltered channels (an image's (x, channel) axes merged into one of
    length ``n``, a multiple of ``block``): virtual v = x * block + c reads
    the channel c of the mapped x."""
    cdef Py_ssize_t v, q, r, j
    if block <= 1:
        return map_table(vlo, vhi, n, mode)
    tab = np.empty(vhi - vlo + 1 if vhi >= vlo else 1, dtype=np.intp)
    cdef Py_ssize_t[::1] t = tab
    if vhi < vlo:
        t[0] = -1
        return tab
    for v in range(vlo, vhi + 1):
        q = v // block
        r = v - q * block
        if r < 0:
            r += block
            q -= 1
        j = map_index(q, n // block, mode)
        t[v - vlo] = -1 if j < 0 else j * block + r
    return tab


# ---------------------------------------------------------------- work split
# Work is a sequence of units (output lines, tiles of lines, planes...)
# cut into contiguous bands, BANDS_PER_THREAD per thread, each thread a
# contiguous run of them (a static schedule): a call repeated on the same
# arrays finds each thread's rows in its own core's cache, where a dynamic
# schedule moved them between cores (on two threads: prewitt 256^2 float32
# 22.2 -> 19.3 us, maximum_filter 3 at 362^2 36.6 -> 30.7 us).  On a
# machine whose other cores are busy the default thread count leaves them
# out (pyfilter/_common/workers.py).  Every output value is computed by the
# same arithmetic whichever band it falls in, so results do not depend on
# the threads.
cdef enum:
    BANDS_PER_THREAD = 4
    # Calls whose data (input and outputs) fit in the cores' caches run
    # their bands on a static schedule (each thread the same rows on every
    # call: a repeated call finds them in its own core's cache); larger
    # calls take bands dynamically, which evens out threads of unequal
    # speed (a vCPU whose core is shared: a 1920x1080x3 uint8 Gaussian into
    # float32 on two threads ran in 4.7 ms statically, 3.7 ms dynamically).
    STATIC_MAX_BYTES = 4194304


cdef inline bint dynamic_schedule(Py_ssize_t nbytes) noexcept nogil:
    return nbytes > STATIC_MAX_BYTES


cdef inline int bands_for(int nthreads, Py_ssize_t nunits) noexcept nogil:
    """Number of bands for ``nunits`` units on ``nthreads`` threads."""
    cdef Py_ssize_t nb = 1
    if nthreads > 1:
        nb = BANDS_PER_THREAD * nthreads
    if nb > nunits:
        nb = nunits
    if nb < 1:
        nb = 1
    return <int>nb


cdef inline void band_units(Py_ssize_t nunits, int band, int nbands, Py_ssize_t* u0,
                            Py_ssize_t* u1) noexcept nogil:
    """The units [u0, u1) of band ``band`` of ``nbands``."""
    u0[0] = nunits * band // nbands
    u1[0] = nunits * (band + 1) // nbands


# ---------------------------------------------------------------- interrupts
# A long call stays interruptible: the calling thread (OpenMP thread 0 of
# the team, or the only thread) runs Python's signal handlers at most every
# POLL_SECONDS, between units of work; once a handler raised (Ctrl-C: a
# KeyboardInterrupt) every thread skips its remaining units and the engine's
# Python entry point returns with that exception (``check_interrupt``).
# Units are polled every ``poll_units(work per unit)`` units, so that a
# poll costs well under 1 % of the work between polls.
from cpython.exc cimport PyErr_Occurred

cdef extern from "Python.h":
    # without Cython's "except -1": the handler's exception stays set for
    # check_interrupt to raise
    int pf_check_signals "PyErr_CheckSignals" () noexcept
from pyfilter._cext._omp cimport omp_get_thread_num

cdef extern from *:
    """
    #include <time.h>
    static double pf_now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    }
    """
    double pf_now() noexcept nogil

POLL_SECONDS = 0.05
cdef double _POLL = 0.05


cdef struct Interrupt:
    int stop              # set once a signal handler raised
    double next           # when the calling thread looks next


cdef inline void interrupt_init(Interrupt* it) noexcept nogil:
    it.stop = 0
    it.next = pf_now() + _POLL


cdef inline Py_ssize_t poll_units(double work_per_unit) noexcept nogil:
    """Units between two polls: about 2**16 element operations."""
    if work_per_unit >= 65536.0:
        return 1
    if work_per_unit < 1.0:
        return 65536
    return <Py_ssize_t>(65536.0 / work_per_unit)


cdef inline bint interrupted(Interrupt* it) noexcept nogil:
    """Whether the call was interrupted; on the calling thread, runs the
    signal handlers when POLL_SECONDS have passed since the last look."""
    cdef double t
    if it == NULL:
        return False
    if it.stop:
        return True
    if omp_get_thread_num() == 0:
        t = pf_now()
        if t >= it.next:
            it.next = t + _POLL
            with gil:
                if pf_check_signals() != 0:
                    it.stop = 1
    return it.stop != 0


cdef inline bint stop_now(Interrupt* it, Py_ssize_t* countdown, Py_ssize_t poll) noexcept nogil:
    """In a loop over units: every ``poll`` units, whether the call was
    interrupted (``countdown``: the loop's counter, starting at 1)."""
    countdown[0] -= 1
    if countdown[0] > 0:
        return False
    countdown[0] = poll
    return interrupted(it)


cdef inline int check_interrupt(Interrupt* it) except -1:
    """Raise the handler's exception (or KeyboardInterrupt) after an
    interrupted call."""
    if it.stop:
        if PyErr_Occurred() != NULL:
            return -1
        raise KeyboardInterrupt()
    return 0
