# cython: language_level=3
"""Runtime facts about the compiled engines (OpenMP, the CPU) and the codes
they share with the Python layer."""
from pyfilter._cext._omp cimport PF_HAVE_OPENMP, omp_get_max_threads
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
    """
    int pf_cpu_has_avx2_fma() noexcept nogil


# Every code of _codes.pxd, by name (read by pyfilter/_common/codes.py).
CODES = {
    "MODE_CONSTANT": MODE_CONSTANT, "MODE_NEAREST": MODE_NEAREST,
    "MODE_REFLECT": MODE_REFLECT, "MODE_MIRROR": MODE_MIRROR, "MODE_WRAP": MODE_WRAP,
    "TC_BOOL": TC_BOOL, "TC_INT8": TC_INT8, "TC_UINT8": TC_UINT8, "TC_INT16": TC_INT16,
    "TC_UINT16": TC_UINT16, "TC_INT32": TC_INT32, "TC_UINT32": TC_UINT32,
    "TC_INT64": TC_INT64, "TC_UINT64": TC_UINT64, "TC_FLOAT32": TC_FLOAT32,
    "TC_FLOAT64": TC_FLOAT64, "TC_COMPLEX64": TC_COMPLEX64,
    "TC_COMPLEX128": TC_COMPLEX128, "TC_COUNT": TC_COUNT,
    "CAST_ND": CAST_ND, "CAST_LINE": CAST_LINE,
    "OP_MAX": OP_MAX, "OP_MIN": OP_MIN, "OP_SUM": OP_SUM, "OP_MAXF": OP_MAXF,
    "OP_MINF": OP_MINF,
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
