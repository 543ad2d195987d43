# The codes that the engines and the Python layer share, defined once.
#
# Every engine cimports them from here; pyfilter/_cext/_runtime.pyx exports
# them as the dict ``CODES``, from which pyfilter/_common/codes.py builds
# the Python names (mode names, dtype tables, op names).  Never repeat a
# value anywhere else.

# Boundary modes (the extension rules are in _boundary.pxd; the scipy,
# OpenCV and torch names of each are in pyfilter/_common/codes.py).
cdef enum:
    MODE_CONSTANT = 0     # k k | a b c d | k k
    MODE_NEAREST = 1      # a a | a b c d | d d
    MODE_REFLECT = 2      # b a | a b c d | d c
    MODE_MIRROR = 3       # c b | a b c d | c b
    MODE_WRAP = 4         # c d | a b c d | a b

# Element type codes of the arrays the engines read and write
# (native byte order; bool is read as uint8).
cdef enum:
    TC_BOOL = 0
    TC_INT8 = 1
    TC_UINT8 = 2
    TC_INT16 = 3
    TC_UINT16 = 4
    TC_INT32 = 5
    TC_UINT32 = 6
    TC_INT64 = 7
    TC_UINT64 = 8
    TC_FLOAT32 = 9
    TC_FLOAT64 = 10
    TC_COMPLEX64 = 11
    TC_COMPLEX128 = 12
    TC_COUNT = 13

# scipy.ndimage's two rules for storing a float into an integer output
# (see _convert.pxi).
cdef enum:
    CAST_ND = 0           # its N-D correlate/convolve
    CAST_LINE = 1         # its 1-D line filters (and everything built on them)
    CAST_WRAP = 2         # numpy's unsafe cast (its 1-D rank filter's int64 result)

# Window reductions.
cdef enum:
    OP_MAX = 0            # NaN-propagating max
    OP_MIN = 1            # NaN-propagating min
    OP_SUM = 2
    OP_MAXF = 3           # plain max / min (data known to hold no NaN);
    OP_MINF = 4           # always OP_MAX / OP_MIN + 3
    OP_RANK = 5           # the k-th smallest (NaN above every number)

# Term kinds of a 1-D line pass.
cdef enum:
    K_SINGLE = 0          # w * x[o]
    K_SYM = 1             # (x[l] + x[r]) * w
    K_ANTI = 2            # (x[l] - x[r]) * w

# How a filter bank combines its terms into an output.
cdef enum:
    COMB_TERM = 0         # out = t0
    COMB_SUM = 1          # out = t0 + t1 + ...
    COMB_HYPOT = 2        # out = sqrt(t0**2 + t1**2 + ...)
    COMB_ATAN2 = 3        # out = atan2(t0, t1)
    COMB_PROD = 4         # out = t0 * t1
    COMB_EIG2 = 5         # eigenvalue ``which`` of [[t0, t1], [t1, t2]] (0: the larger)
    COMB_DIFF = 6         # out = t0 - t1

# Channel-engine (CNN) paths.
cdef enum:
    PATH_GEMM = 0         # im2col tiles and BLAS
    PATH_DIRECT = 1       # register-blocked direct kernel
    PATH_1X1 = 2          # BLAS on the input itself (1x1, stride 1, unpadded)
