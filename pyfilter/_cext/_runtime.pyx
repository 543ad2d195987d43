# cython: language_level=3
"""Runtime facts about the compiled engines (OpenMP, the CPU) and the codes
they share with the Python layer."""
from pyfilter._cext._omp cimport PF_HAVE_OPENMP, omp_get_max_threads, omp_get_thread_num
from pyfilter._cext._codes cimport *

cdef extern from *:
    """
    static int pf_cpu_has_avx2_fma(void) {
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    #else
        return 0;
    #endif
    }
    /* the instruction sets of the avx512 build (the OS saves their state:
       __builtin_cpu_supports checks that too) */
    static int pf_cpu_has_avx512(void) {
    #if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
        __builtin_cpu_init();
        return pf_cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f")
               && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
               && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    #else
        return 0;
    #endif
    }
    """
    int pf_cpu_has_avx2_fma() noexcept nogil
    int pf_cpu_has_avx512() noexcept nogil


# Every code of _codes.pxd, by name (read by pyfilter/_common/codes.py).
CODES = {
    "MODE_CONSTANT": MODE_CONSTANT, "MODE_NEAREST": MODE_NEAREST,
    "MODE_REFLECT": MODE_REFLECT, "MODE_MIRROR": MODE_MIRROR, "MODE_WRAP": MODE_WRAP,
    "TC_BOOL": TC_BOOL, "TC_INT8": TC_INT8, "TC_UINT8": TC_UINT8, "TC_INT16": TC_INT16,
    "TC_UINT16": TC_UINT16, "TC_INT32": TC_INT32, "TC_UINT32": TC_UINT32,
    "TC_INT64": TC_INT64, "TC_UINT64": TC_UINT64, "TC_FLOAT32": TC_FLOAT32,
    "TC_FLOAT64": TC_FLOAT64, "TC_COMPLEX64": TC_COMPLEX64,
    "TC_COMPLEX128": TC_COMPLEX128, "TC_COUNT": TC_COUNT,
    "CAST_ND": CAST_ND, "CAST_LINE": CAST_LINE, "CAST_WRAP": CAST_WRAP,
    "OP_MAX": OP_MAX, "OP_MIN": OP_MIN, "OP_SUM": OP_SUM, "OP_MAXF": OP_MAXF,
    "OP_MINF": OP_MINF, "OP_RANK": OP_RANK,
    "K_SINGLE": K_SINGLE, "K_SYM": K_SYM, "K_ANTI": K_ANTI,
    "COMB_TERM": COMB_TERM, "COMB_SUM": COMB_SUM, "COMB_HYPOT": COMB_HYPOT,
    "COMB_ATAN2": COMB_ATAN2, "COMB_PROD": COMB_PROD, "COMB_EIG2": COMB_EIG2, "COMB_DIFF": COMB_DIFF,
    "PATH_GEMM": PATH_GEMM, "PATH_DIRECT": PATH_DIRECT, "PATH_1X1": PATH_1X1,
}


def openmp_enabled():
    """True when the engines were compiled with OpenMP."""
    return bool(PF_HAVE_OPENMP)


def max_threads():
    """omp_get_max_threads(): follows OMP_NUM_THREADS and threadpoolctl."""
    return int(omp_get_max_threads())


def cpu_has_avx2_fma():
    """True when the running CPU executes AVX2 and FMA instructions."""
    return bool(pf_cpu_has_avx2_fma())


def cpu_has_avx512():
    """True when the running CPU executes the AVX-512 F, CD, BW, DQ and VL
    instructions (and the OS saves their registers)."""
    return bool(pf_cpu_has_avx512())


cdef extern from *:
    """
    #if defined(__linux__)
    #ifndef _GNU_SOURCE
    #define _GNU_SOURCE
    #endif
    #include <sched.h>
    #define PF_HAVE_AFFINITY 1
    static int pf_current_cpu(void) { return sched_getcpu(); }
    static int pf_pin_self(int cpu) {
        cpu_set_t s;
        if (cpu < 0 || cpu >= CPU_SETSIZE) return -1;
        CPU_ZERO(&s);
        CPU_SET(cpu, &s);
        return sched_setaffinity(0, sizeof(s), &s);
    }
    #else
    #define PF_HAVE_AFFINITY 0
    static int pf_current_cpu(void) { return -1; }
    static int pf_pin_self(int cpu) { (void)cpu; return -1; }
    #endif
    """
    const int PF_HAVE_AFFINITY
    int pf_current_cpu() noexcept nogil
    int pf_pin_self(int cpu) noexcept nogil

from cython.parallel cimport parallel


def current_cpu():
    """The CPU the calling thread runs on (-1 where unknown)."""
    return pf_current_cpu()


def place_team(int nthreads, cpus):
    """Pin OpenMP team threads 1..nthreads-1 to cpus[1..] (thread 0, the
    caller, is left alone).  Returns the number of threads pinned."""
    cdef int[64] c
    cdef int[64] res
    cdef int n = min(len(cpus), 64), i, t
    for i in range(n):
        c[i] = cpus[i]
        res[i] = 0
    if not PF_HAVE_AFFINITY or nthreads < 2:
        return 0
    with nogil, parallel(num_threads=nthreads):
        t = omp_get_thread_num()
        if t > 0 and t < n:
            res[t] = pf_pin_self(c[t]) == 0
    return sum([res[i] for i in range(n)])


# ---------------------------------------------------------------- casts
include "_convert.pxi"


def store_bytes(double value, int tc, int rule):
    """The bytes the engines store for ``value`` into an element of type
    code ``tc`` with casting rule ``rule`` (CAST_ND / CAST_LINE): the one
    definition of scipy's float-to-integer conversions, for the Python
    layer (pyfilter._common.dtypes.c_cast)."""
    cdef double v = value
    cdef char buf[16]
    store_run(buf, 16, &v, 1, tc, rule)
    return buf[:16]
