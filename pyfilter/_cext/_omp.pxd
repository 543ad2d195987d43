# OpenMP shim: every engine compiles with or without OpenMP (see setup.py).
# Without OpenMP the pragmas Cython emits for prange/parallel are ignored and
# these stand-ins report a single thread.
cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define PF_HAVE_OPENMP 1
    #else
    #define PF_HAVE_OPENMP 0
    static inline int omp_get_max_threads(void) { return 1; }
    static inline int omp_get_thread_num(void) { return 0; }
    static inline int omp_get_num_threads(void) { return 1; }
    #endif
    """
    const int PF_HAVE_OPENMP
    int omp_get_max_threads() noexcept nogil
    int omp_get_thread_num() noexcept nogil
    int omp_get_num_threads() noexcept nogil
