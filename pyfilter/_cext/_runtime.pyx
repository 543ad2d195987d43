# cython: language_level=3
"""Runtime facts about the compiled engines: OpenMP and the CPU."""
from pyfilter._cext._omp cimport PF_HAVE_OPENMP, omp_get_max_threads

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


def openmp_enabled():
    """True when the engines were compiled with OpenMP."""
    return bool(PF_HAVE_OPENMP)


def max_threads():
    """omp_get_max_threads(): follows OMP_NUM_THREADS and threadpoolctl."""
    return int(omp_get_max_threads())


def cpu_has_avx2_fma():
    """True when the running CPU executes AVX2 and FMA instructions."""
    return bool(pf_cpu_has_avx2_fma())
