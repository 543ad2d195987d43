# Boundary handling for every engine: the one place where an index outside
# [0, n) is mapped back into the array (scipy.ndimage's extension rules).
# The mode codes are in _codes.pxd.  The extension is periodic, so it
# repeats when the kernel is longer than the array.
from pyfilter._cext._codes cimport (MODE_CONSTANT, MODE_NEAREST, MODE_REFLECT,
                                     MODE_MIRROR, MODE_WRAP)


cdef inline Py_ssize_t _pmod(Py_ssize_t a, Py_ssize_t p) noexcept nogil:
    cdef Py_ssize_t r = a % p
    if r < 0:
        r += p
    return r


cdef inline Py_ssize_t map_index(Py_ssize_t v, Py_ssize_t n, int mode) noexcept nogil:
    """Index in [0, n) that virtual index ``v`` reads, or -1 for the constant."""
    cdef Py_ssize_t p
    if 0 <= v < n:
        return v
    if n <= 0 or mode == MODE_CONSTANT:
        return -1
    if mode == MODE_NEAREST:
        return 0 if v < 0 else n - 1
    if mode == MODE_WRAP:
        return _pmod(v, n)
    if mode == MODE_REFLECT:
        p = _pmod(v, 2 * n)
        return p if p < n else 2 * n - 1 - p
    # MODE_MIRROR
    if n == 1:
        return 0
    p = _pmod(v, 2 * n - 2)
    return p if p < n else 2 * n - 2 - p
