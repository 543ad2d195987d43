# Window-reduction engine: max / min / sum (mean) over N-D windows.
#
# Four kernels share the primitives below:
#
# * box (separable windows): out[o] = op over the box of x~[o * s + b + k * d]
#   per axis, x~ extended by the boundary mode.  Vertical first: for each
#   output line the rows of the outer window are combined into one line
#   ``C`` over the needed x range (vectorised along the contiguous axis,
#   straight from the input rows when the dtype matches, one pass per 4
#   rows), then ``C`` is reduced along x (direct taps, strided taps, or a
#   radix-4 doubling scheme m_4w[i] = op(m_w[i], m_w[i+w], m_w[i+2w],
#   m_w[i+3w]) for long windows: about log4(L) vector passes).  A long
#   stride-1 window along the last outer axis runs the van Herk /
#   Gil-Werman algorithm over whole rows (suffix reductions of blocks of L
#   rows, computed one block ahead, and a running prefix of the next
#   block): 3 row operations per output row, whatever L.
# * footprint (arbitrary masks, stride 1): each footprint row is a set of
#   x runs; every input row is loaded once per band into a ring slot with
#   its doubling levels, and each run costs one or two vector operations.
# * table (pooling with argmax, adaptive pooling): per-axis window tables;
#   the interior outputs of a row are vectorised across x (value and tap
#   index), the edges run scalar loops; torch's rules for indices.
# * scatter (max_unpool, the backward passes), parallel over planes.
#
# Each kernel is driven by a typed plan object (BoxPlan, FootprintPlan,
# TablePlan, AvgBackwardPlan) built once for its shapes from small structs
# and memoryviews: boundary tables, window and run tables, strategies.
# ``run`` copies the plan's template struct to the stack and fills in the
# per-call parts (pointers, strides, tiles, bands), so one plan serves
# arrays of any strides and may run from several Python threads at once.
# A box or footprint plan can read its last axis as an image's (x, channel)
# axes merged (``block`` channels): a window of L pixels along x is then L
# taps spaced by the channel count, and the boundary tables map pixels
# (map_table_block), so an HWC image runs as long interleaved rows.
#
# max / min propagate NaN: any NaN in a window gives NaN.  That costs a
# compare, an unordered compare and a blend per element, so rows and lines
# known to hold no NaN (a cached per-row scan, or the look-ahead van Herk
# block) use the plain max/min instruction instead.  Integer windows are
# reduced in their own type (exact).  No padded copy of the input is made;
# the boundary is applied through map tables built with
# _boundary.map_index.  Work is split into contiguous bands of output lines
# (one per thread) and max/min are exact, so results do not depend on the
# thread count.

include "_common.pxi"

from cython.parallel cimport prange
from cpython.pyport cimport PY_SSIZE_T_MIN
from libc.math cimport INFINITY, NAN, log, exp

cdef extern from "_stream.h":
    void pf_stream_bytes(char* dst, const char* src, Py_ssize_t nbytes) noexcept nogil
    void pf_stream_fence() noexcept nogil

# "No input row here" (the row lies outside the array in 'constant' mode).
# Row byte offsets are negative for arrays with negative strides, so the
# sentinel is the one value no offset can take.
cdef Py_ssize_t NO_ROW = PY_SSIZE_T_MIN

ctypedef fused rtype:
    int8_t
    uint8_t
    int16_t
    uint16_t
    int32_t
    uint32_t
    int64_t
    uint64_t
    float
    double

ctypedef fused ftype:
    float
    double

cdef enum:
    RMAXDIM = 64      # numpy's largest number of dimensions

cdef enum:
    X_IDENT = 0       # no reduction along x (C is the result)
    X_TAPS = 1        # stride 1, direct taps
    X_DOUBLE = 2      # stride 1, doubling levels
    X_STRIDED = 3     # stride > 1, direct strided taps
    X_EACH = 4        # few outputs, long windows: one reduction per output


# ---------------------------------------------------------------- primitives
# Every vector primitive has one loop per op so that each loop vectorises
# (checked with -fopt-info-vec): the NaN-propagating max is a compare, an
# unordered compare and a blend; the plain one is a single max instruction.
cdef inline rtype _mx(rtype a, rtype b) noexcept nogil:
    if rtype is float or rtype is double:
        return b if (b > a or b != b) else a
    else:
        return b if b > a else a


cdef inline rtype _mn(rtype a, rtype b) noexcept nogil:
    if rtype is float or rtype is double:
        return b if (b < a or b != b) else a
    else:
        return b if b < a else a


cdef inline rtype _fx(rtype a, rtype b) noexcept nogil:
    return b if b > a else a


cdef inline rtype _fn(rtype a, rtype b) noexcept nogil:
    return b if b < a else a


include "_rank_networks.pxi"


cdef inline rtype _op(rtype a, rtype b, int op) noexcept nogil:
    if op == OP_MAX:
        return _mx(a, b)
    elif op == OP_MIN:
        return _mn(a, b)
    elif op == OP_MAXF:
        return _fx(a, b)
    elif op == OP_MINF:
        return _fn(a, b)
    return a + b


cdef void _vop(rtype* d, const rtype* a, const rtype* b, Py_ssize_t n,
               int op) noexcept nogil:
    """d[i] = op(a[i], b[i]); d may be a or b."""
    cdef Py_ssize_t i
    if op == OP_MAX:
        for i in range(n):
            d[i] = _mx(a[i], b[i])
    elif op == OP_MIN:
        for i in range(n):
            d[i] = _mn(a[i], b[i])
    elif op == OP_MAXF:
        for i in range(n):
            d[i] = _fx(a[i], b[i])
    elif op == OP_MINF:
        for i in range(n):
            d[i] = _fn(a[i], b[i])
    else:
        for i in range(n):
            d[i] = a[i] + b[i]


cdef void _vop3(rtype* d, const rtype* a, const rtype* b, const rtype* c,
                Py_ssize_t n, int op) noexcept nogil:
    """d[i] = op(op(a[i], b[i]), c[i]); d may be a."""
    cdef Py_ssize_t i
    if op == OP_MAX:
        for i in range(n):
            d[i] = _mx(_mx(a[i], b[i]), c[i])
    elif op == OP_MIN:
        for i in range(n):
            d[i] = _mn(_mn(a[i], b[i]), c[i])
    elif op == OP_MAXF:
        for i in range(n):
            d[i] = _fx(_fx(a[i], b[i]), c[i])
    elif op == OP_MINF:
        for i in range(n):
            d[i] = _fn(_fn(a[i], b[i]), c[i])
    else:
        for i in range(n):
            d[i] = (a[i] + b[i]) + c[i]


cdef void _vop4(rtype* d, const rtype* a, const rtype* b, const rtype* c,
                const rtype* e, Py_ssize_t n, int op) noexcept nogil:
    """d[i] = op(op(op(a[i], b[i]), c[i]), e[i]); d may be a."""
    cdef Py_ssize_t i
    if op == OP_MAX:
        for i in range(n):
            d[i] = _mx(_mx(_mx(a[i], b[i]), c[i]), e[i])
    elif op == OP_MIN:
        for i in range(n):
            d[i] = _mn(_mn(_mn(a[i], b[i]), c[i]), e[i])
    elif op == OP_MAXF:
        for i in range(n):
            d[i] = _fx(_fx(_fx(a[i], b[i]), c[i]), e[i])
    elif op == OP_MINF:
        for i in range(n):
            d[i] = _fn(_fn(_fn(a[i], b[i]), c[i]), e[i])
    else:
        for i in range(n):
            d[i] = ((a[i] + b[i]) + c[i]) + e[i]


cdef void _vop5(rtype* d, const rtype* a, const rtype* b, const rtype* c,
                const rtype* e, const rtype* f, Py_ssize_t n, int op) noexcept nogil:
    """d[i] = op(...op(a[i], b[i]) ..., f[i]); d may be a."""
    cdef Py_ssize_t i
    if op == OP_MAX:
        for i in range(n):
            d[i] = _mx(_mx(_mx(_mx(a[i], b[i]), c[i]), e[i]), f[i])
    elif op == OP_MIN:
        for i in range(n):
            d[i] = _mn(_mn(_mn(_mn(a[i], b[i]), c[i]), e[i]), f[i])
    elif op == OP_MAXF:
        for i in range(n):
            d[i] = _fx(_fx(_fx(_fx(a[i], b[i]), c[i]), e[i]), f[i])
    elif op == OP_MINF:
        for i in range(n):
            d[i] = _fn(_fn(_fn(_fn(a[i], b[i]), c[i]), e[i]), f[i])
    else:
        for i in range(n):
            d[i] = (((a[i] + b[i]) + c[i]) + e[i]) + f[i]


cdef void _vopn(rtype* d, const rtype** p, Py_ssize_t np_, Py_ssize_t n, int op,
                bint first) noexcept nogil:
    """d = op over the np_ rows p (1..5 when ``first``, else 1..4 and d
    itself), accumulating in row order."""
    if first:
        if np_ == 1:
            _vcopy(d, p[0], n)
        elif np_ == 2:
            _vop(d, p[0], p[1], n, op)
        elif np_ == 3:
            _vop3(d, p[0], p[1], p[2], n, op)
        elif np_ == 4:
            _vop4(d, p[0], p[1], p[2], p[3], n, op)
        else:
            _vop5(d, p[0], p[1], p[2], p[3], p[4], n, op)
    else:
        if np_ == 1:
            _vop(d, d, p[0], n, op)
        elif np_ == 2:
            _vop3(d, d, p[0], p[1], n, op)
        elif np_ == 3:
            _vop4(d, d, p[0], p[1], p[2], n, op)
        else:
            _vop5(d, d, p[0], p[1], p[2], p[3], n, op)


cdef void _vopc(rtype* d, const rtype* a, rtype c, Py_ssize_t n, int op) noexcept nogil:
    """d[i] = op(c, a[i])."""
    cdef Py_ssize_t i
    if op == OP_MAX:
        for i in range(n):
            d[i] = _mx(c, a[i])
    elif op == OP_MIN:
        for i in range(n):
            d[i] = _mn(c, a[i])
    elif op == OP_MAXF:
        for i in range(n):
            d[i] = _fx(c, a[i])
    elif op == OP_MINF:
        for i in range(n):
            d[i] = _fn(c, a[i])
    else:
        for i in range(n):
            d[i] = c + a[i]


cdef bint _has_nan(const rtype* a, Py_ssize_t n) noexcept nogil:
    """True when a[0 .. n) holds a NaN (always False for integers)."""
    cdef Py_ssize_t i
    cdef int f = 0
    if rtype is float or rtype is double:
        for i in range(n):
            f = f | (a[i] != a[i])
    return f != 0


cdef void _vfill(rtype* d, rtype c, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        d[i] = c


cdef void _vcopy(rtype* d, const rtype* a, Py_ssize_t n) noexcept nogil:
    if n > 0 and d != a:
        memcpy(d, a, n * sizeof(rtype))


cdef void _vop_s(rtype* d, const rtype* a, Py_ssize_t n, Py_ssize_t s,
                 int op, bint first) noexcept nogil:
    """d[i] = op(d[i], a[i * s]) (d[i] = a[i * s] when ``first``)."""
    cdef Py_ssize_t i
    if first:
        if s == 2:
            for i in range(n):
                d[i] = a[2 * i]
        else:
            for i in range(n):
                d[i] = a[s * i]
        return
    if s == 2:
        if op == OP_MAX:
            for i in range(n):
                d[i] = _mx(d[i], a[2 * i])
        elif op == OP_MIN:
            for i in range(n):
                d[i] = _mn(d[i], a[2 * i])
        elif op == OP_MAXF:
            for i in range(n):
                d[i] = _fx(d[i], a[2 * i])
        elif op == OP_MINF:
            for i in range(n):
                d[i] = _fn(d[i], a[2 * i])
        else:
            for i in range(n):
                d[i] = d[i] + a[2 * i]
    else:
        for i in range(n):
            d[i] = _op(d[i], a[s * i], op)


cdef inline int _rtc(rtype* kind) noexcept nogil:
    """The type code of rtype."""
    if rtype is int8_t:
        return TC_INT8
    elif rtype is uint8_t:
        return TC_UINT8
    elif rtype is int16_t:
        return TC_INT16
    elif rtype is uint16_t:
        return TC_UINT16
    elif rtype is int32_t:
        return TC_INT32
    elif rtype is uint32_t:
        return TC_UINT32
    elif rtype is int64_t:
        return TC_INT64
    elif rtype is uint64_t:
        return TC_UINT64
    elif rtype is float:
        return TC_FLOAT32
    else:
        return TC_FLOAT64


cdef inline rtype _int_as(const char* p, int tc, rtype* kind) noexcept nogil:
    """An integer (or bool) element of type code ``tc`` converted to the
    integer rtype by C's conversion (numpy's unsafe cast: wraps)."""
    if tc == TC_INT8:
        return <rtype>(<const int8_t*>p)[0]
    elif tc == TC_UINT8 or tc == TC_BOOL:
        return <rtype>(<const uint8_t*>p)[0]
    elif tc == TC_INT16:
        return <rtype>(<const int16_t*>p)[0]
    elif tc == TC_UINT16:
        return <rtype>(<const uint16_t*>p)[0]
    elif tc == TC_INT32:
        return <rtype>(<const int32_t*>p)[0]
    elif tc == TC_UINT32:
        return <rtype>(<const uint32_t*>p)[0]
    elif tc == TC_INT64:
        return <rtype>(<const int64_t*>p)[0]
    return <rtype>(<const uint64_t*>p)[0]


cdef inline rtype _load1(const char* p, int tc, rtype* kind) noexcept nogil:
    """One element of type code ``tc`` as rtype (float targets convert;
    integer targets read their own type, or convert another integer type)."""
    cdef float f
    cdef double g
    if rtype is float:
        load_run(&f, 1, p, 0, 1, tc)
        return f
    elif rtype is double:
        load_run(&g, 1, p, 0, 1, tc)
        return g
    else:
        if tc == _rtc(kind):
            return (<const rtype*>p)[0]
        return _int_as(p, tc, kind)


cdef void _load_row(rtype* buf, const char* src, Py_ssize_t step, Py_ssize_t n,
                    int tc) noexcept nogil:
    """buf[m] = src[m * step] as rtype (converted for float targets, and for
    integer targets from another integer type)."""
    cdef Py_ssize_t m
    if rtype is float or rtype is double:
        load_run(buf, 1, src, step, n, tc)
    else:
        if tc != _rtc(buf):
            for m in range(n):
                buf[m] = _int_as(src + m * step, tc, buf)
        elif step == <Py_ssize_t>sizeof(rtype):
            memcpy(buf, src, n * sizeof(rtype))
        else:
            for m in range(n):
                buf[m] = (<const rtype*>(src + m * step))[0]


cdef void _store_wrap(char* dst, Py_ssize_t step, const rtype* buf, Py_ssize_t n,
                      int tc) noexcept nogil:
    """Store n integers by C's conversion (numpy's unsafe cast; bool: != 0)."""
    cdef Py_ssize_t m
    for m in range(n):
        if tc == TC_BOOL:
            (<uint8_t*>(dst + m * step))[0] = buf[m] != 0
        elif tc == TC_INT8:
            (<int8_t*>(dst + m * step))[0] = <int8_t>buf[m]
        elif tc == TC_UINT8:
            (<uint8_t*>(dst + m * step))[0] = <uint8_t>buf[m]
        elif tc == TC_INT16:
            (<int16_t*>(dst + m * step))[0] = <int16_t>buf[m]
        elif tc == TC_UINT16:
            (<uint16_t*>(dst + m * step))[0] = <uint16_t>buf[m]
        elif tc == TC_INT32:
            (<int32_t*>(dst + m * step))[0] = <int32_t>buf[m]
        elif tc == TC_UINT32:
            (<uint32_t*>(dst + m * step))[0] = <uint32_t>buf[m]
        elif tc == TC_INT64:
            (<int64_t*>(dst + m * step))[0] = <int64_t>buf[m]
        elif tc == TC_UINT64:
            (<uint64_t*>(dst + m * step))[0] = <uint64_t>buf[m]
        elif tc == TC_FLOAT32:
            (<float*>(dst + m * step))[0] = <float>buf[m]
        else:
            (<double*>(dst + m * step))[0] = <double>buf[m]


cdef void _store_row(char* dst, Py_ssize_t step, const rtype* buf, double* dbl,
                     Py_ssize_t n, int tc, int rule) noexcept nogil:
    """Store n values with scipy's casting rule ``rule`` (integers through
    double): CAST_LINE for box windows (scipy's 1-D passes), CAST_ND for
    footprints (its N-D filter); CAST_WRAP (integers only) numpy's unsafe
    cast."""
    cdef Py_ssize_t m
    if rtype is float or rtype is double:
        store_run(dst, step, buf, n, tc, rule)
    else:
        if rule == CAST_WRAP and tc != TC_COMPLEX64 and tc != TC_COMPLEX128:
            _store_wrap(dst, step, buf, n, tc)
            return
        for m in range(n):
            dbl[m] = <double>buf[m]
        store_run(dst, step, dbl, n, tc, rule)


# ---------------------------------------------------------------- box kernel
cdef struct SPlan:
    int nout                      # outer axes (before the x axis)
    const char* inp
    char* out
    int in_tc
    int out_tc
    int op
    bint mean
    bint direct_in                # rows readable in place as rtype
    bint direct_out               # output rows writable in place as rtype
    bint stream                   # rows computed in a buffer, streamed out
    const Py_ssize_t* o_n         # output extent per outer axis
    Py_ssize_t o_ostr[RMAXDIM]    # byte strides per outer axis (per call)
    Py_ssize_t o_istr[RMAXDIM]
    const Py_ssize_t* o_s
    const Py_ssize_t* o_d
    const Py_ssize_t* o_L
    const Py_ssize_t* o_map       # per axis: map[o*s + k*d] -> row or -1
    const Py_ssize_t* o_mapoff
    const double* o_div           # per axis divisor tables (mean)
    const Py_ssize_t* o_divoff
    bint vh                       # van Herk along the last outer axis
    Py_ssize_t nx_in, nx_out, sx, dx, Lx, bx, x_istr, x_ostr
    const Py_ssize_t* x_map       # x_map[v - bx] for virtual x v
    const double* x_div
    double div_const              # != 0: one divisor for every output
    int xmode
    bint xcheck                   # scan C for NaN to use the plain max/min along x
    Py_ssize_t nlines, ntiles, tile_w, nvmax
    int nbands
    bint dyn                      # per call: bands taken dynamically
    Interrupt* intr               # per call: Ctrl-C (_common.pxi)
    Py_ssize_t poll               # per call: units between two polls


cdef void _row_into(const SPlan* pl, rtype* dst, const rtype* other,
                    Py_ssize_t off, Py_ssize_t nv, Py_ssize_t li, Py_ssize_t ni,
                    Py_ssize_t ilo, const Py_ssize_t* hmap, rtype* scr,
                    rtype cval, int op) noexcept nogil:
    """dst[i] = op(row[i], other[i]) (row[i] if other is NULL), i < nv.

    row[i] is the input row at byte offset ``off`` (NO_ROW: a row of cval) at
    virtual x = vx0 + i; positions li <= i < li + ni are inside the array
    (actual x = ilo + i - li), the others are mapped through hmap[i].
    """
    cdef Py_ssize_t i, j
    cdef const rtype* p
    cdef const char* src
    cdef rtype v
    if off == NO_ROW:
        if other == NULL:
            _vfill(dst, cval, nv)
        else:
            _vopc(dst, other, cval, nv, op)
        return
    src = pl.inp + off
    if ni > 0:
        if pl.direct_in:
            p = (<const rtype*>src) + ilo
        else:
            _load_row(scr, src + ilo * pl.x_istr, pl.x_istr, ni, pl.in_tc)
            p = scr
        if other == NULL:
            _vcopy(dst + li, p, ni)
        else:
            _vop(dst + li, p, other + li, ni, op)
    for i in range(li):
        _halo(pl, dst, other, i, hmap[i], src, cval, op)
    for i in range(li + ni, nv):
        _halo(pl, dst, other, i, hmap[i], src, cval, op)


cdef inline void _halo(const SPlan* pl, rtype* dst, const rtype* other, Py_ssize_t i,
                       Py_ssize_t j, const char* src, rtype cval, int op) noexcept nogil:
    cdef rtype v
    if j < 0:
        v = cval
    else:
        v = _load1(src + j * pl.x_istr, pl.in_tc, <rtype*>NULL)
    if other == NULL:
        dst[i] = v
    else:
        dst[i] = _op(v, other[i], op)


cdef inline Py_ssize_t _prod(const Py_ssize_t* v, int n) noexcept nogil:
    cdef Py_ssize_t r = 1
    cdef int a
    for a in range(n):
        r *= v[a]
    return r


cdef inline rtype _halo_col(const SPlan* pl, const Py_ssize_t* roff, Py_ssize_t nw,
                            Py_ssize_t j, rtype cval) noexcept nogil:
    """op over the window rows of the value at actual x = j (-1: cval)."""
    cdef Py_ssize_t r
    cdef rtype acc, v
    for r in range(nw):
        if roff[r] == NO_ROW or j < 0:
            v = cval
        else:
            v = _load1(pl.inp + roff[r] + j * pl.x_istr, pl.in_tc, <rtype*>NULL)
        acc = v if r == 0 else _op(acc, v, pl.op)
    return acc


cdef void _xreduce(const SPlan* pl, const rtype* C, rtype* R, rtype* D,
                   Py_ssize_t nxo, Py_ssize_t nv, int op) noexcept nogil:
    """R[o] = op over k < Lx of C[o * sx + k * dx], o < nxo (C is not modified)."""
    cdef Py_ssize_t k, w, o, dx = pl.dx, sx = pl.sx, Lx = pl.Lx
    cdef const rtype* src
    cdef rtype r
    if pl.xmode == X_IDENT:
        _vcopy(R, C, nxo)
    elif pl.xmode == X_TAPS:
        # up to 5 taps in one pass (then 4 more per pass), in tap order
        if Lx == 1:
            _vcopy(R, C, nxo)
        elif Lx == 2:
            _vop(R, C, C + dx, nxo, op)
        elif Lx == 3:
            _vop3(R, C, C + dx, C + 2 * dx, nxo, op)
        elif Lx == 4:
            _vop4(R, C, C + dx, C + 2 * dx, C + 3 * dx, nxo, op)
        else:
            _vop5(R, C, C + dx, C + 2 * dx, C + 3 * dx, C + 4 * dx, nxo, op)
        k = 5
        while k < Lx:
            w = Lx - k
            if w >= 4:
                _vop5(R, R, C + k * dx, C + (k + 1) * dx, C + (k + 2) * dx,
                      C + (k + 3) * dx, nxo, op)
                k += 4
            elif w == 3:
                _vop4(R, R, C + k * dx, C + (k + 1) * dx, C + (k + 2) * dx, nxo, op)
                k += 3
            elif w == 2:
                _vop3(R, R, C + k * dx, C + (k + 1) * dx, nxo, op)
                k += 2
            else:
                _vop(R, R, C + k * dx, nxo, op)
                k += 1
    elif pl.xmode == X_DOUBLE:
        # radix-4 doubling: D[i] = op of the w taps C[i], C[i + dx], ...,
        # with w multiplied by 4 per pass, then at most 4 overlapping
        # windows of w cover the Lx taps
        src = C
        w = 1
        while 4 * w <= Lx:
            _vop4(D, src, src + w * dx, src + 2 * w * dx, src + 3 * w * dx,
                  nv - (4 * w - 1) * dx, op)
            src = D
            w *= 4
        k = (Lx + w - 1) // w
        if k == 1:
            _vcopy(R, src, nxo)
        elif k == 2:
            _vop(R, src, src + (Lx - w) * dx, nxo, op)
        elif k == 3:
            _vop3(R, src, src + w * dx, src + (Lx - w) * dx, nxo, op)
        else:
            _vop4(R, src, src + w * dx, src + 2 * w * dx, src + (Lx - w) * dx, nxo, op)
    elif pl.xmode == X_STRIDED:
        _vop_s(R, C, nxo, sx, op, True)
        for k in range(1, Lx):
            _vop_s(R, C + k * dx, nxo, sx, op, False)
    else:
        for o in range(nxo):
            r = C[o * sx]
            for k in range(1, Lx):
                r = _op(r, C[o * sx + k * dx], op)
            R[o] = r


cdef inline Py_ssize_t _row_off(const SPlan* pl, const Py_ssize_t* o,
                                const Py_ssize_t* k) noexcept nogil:
    """Byte offset of the input row for outer index o and window index k,
    or NO_ROW when the row lies outside the array in 'constant' mode."""
    cdef Py_ssize_t a, j, off = 0
    for a in range(pl.nout):
        j = pl.o_map[pl.o_mapoff[a] + o[a] * pl.o_s[a] + k[a] * pl.o_d[a]]
        if j < 0:
            return NO_ROW
        off += j * pl.o_istr[a]
    return off


cdef bint _row_clean(const SPlan* pl, Py_ssize_t off, Py_ssize_t* cache_off,
                     char* cache_ok, int* pos, rtype cval) noexcept nogil:
    """Whether input row ``off`` (NO_ROW: the cval row) holds no NaN; rows are
    scanned whole once and remembered in a 16-entry round-robin cache."""
    cdef int i
    cdef bint ok
    cdef int j = pos[0]
    if off == NO_ROW:
        return cval == cval
    # most recent first: the rows of the last window
    for i in range(16):
        j = (j + 15) & 15
        if cache_off[j] == off:
            return cache_ok[j] != 0
    ok = not _has_nan(<const rtype*>(pl.inp + off), pl.nx_in)
    cache_off[pos[0]] = off
    cache_ok[pos[0]] = ok
    pos[0] = (pos[0] + 1) % 16
    return ok


cdef void _suffix_block(const SPlan* pl, rtype* S, Py_ssize_t* o, Py_ssize_t* k,
                        Py_ssize_t va, Py_ssize_t q0, Py_ssize_t L, Py_ssize_t nv,
                        Py_ssize_t li, Py_ssize_t ni, Py_ssize_t ilo,
                        const Py_ssize_t* hmap, rtype* scr, rtype cval) noexcept nogil:
    """S[r] = op of rows q0 + r .. q0 + L - 1 (relative to the axis base)
    along the van Herk axis ``va``; o[va] and k[va] are restored."""
    cdef Py_ssize_t r, oq = o[va], nvmax = pl.nvmax
    o[va] = q0
    for r in range(L - 1, -1, -1):
        k[va] = r
        _row_into(pl, S + r * nvmax,
                  <const rtype*>NULL if r == L - 1 else S + (r + 1) * nvmax,
                  _row_off(pl, o, k), nv, li, ni, ilo, hmap, scr, cval, pl.op)
    o[va] = oq
    k[va] = 0


cdef int _sband(const SPlan* pl, int band, rtype cval) noexcept nogil:
    cdef Py_ssize_t nunits = pl.nlines * pl.ntiles
    cdef Py_ssize_t u0 = nunits * band // pl.nbands
    cdef Py_ssize_t u1 = nunits * (band + 1) // pl.nbands
    if u1 <= u0:
        return 0
    cdef int nout = pl.nout, op = pl.op
    cdef Py_ssize_t nvmax = pl.nvmax, L = 0, va = nout - 1
    if pl.vh:
        L = pl.o_L[va]
    cdef Py_ssize_t nwmax = _prod(pl.o_L, nout)
    # the band's scratch, one allocation: rtype lines, doubles, indices,
    # each part 64-byte aligned
    cdef Py_ssize_t al = 64 // <Py_ssize_t>sizeof(rtype)
    cdef Py_ssize_t nv_a = (nvmax + al - 1) // al * al
    cdef Py_ssize_t tw_a = (pl.tile_w + al - 1) // al * al
    cdef Py_ssize_t s_a = (2 * L * nvmax + 1 + al - 1) // al * al
    cdef Py_ssize_t tw_d = (pl.tile_w + 7) // 8 * 8
    cdef char* block = <char*>malloc((9 * nv_a + tw_a + s_a) * sizeof(rtype)
                                     + tw_d * sizeof(double)
                                     + (nwmax + 2 * nout + 2) * sizeof(Py_ssize_t) + 64)
    cdef char* base = block + ((64 - ((<size_t>block) & 63)) & 63)
    cdef rtype* C = <rtype*>base
    cdef rtype* D = C + nv_a
    cdef rtype* crow = D + nv_a
    cdef rtype* P = crow + nv_a
    cdef rtype* Rb = P + nv_a
    cdef rtype* scr = Rb + tw_a
    cdef rtype* Sbuf = scr + 5 * nv_a
    cdef double* dbl = <double*>(Sbuf + s_a)
    cdef Py_ssize_t* roff = <Py_ssize_t*>(dbl + tw_d)
    cdef const rtype* ptr[5]
    cdef Py_ssize_t nw, g, cnt
    cdef rtype* Scur = Sbuf
    cdef rtype* Snext = Sbuf + L * nvmax
    cdef rtype* Stmp
    cdef const rtype* Csrc = NULL
    cdef bint cur_clean = False, next_clean = False, next_ok = False, xclean = False
    cdef bint allclean
    cdef Py_ssize_t cache_off[16]
    cdef char cache_ok[16]
    cdef int cache_pos = 0
    cdef bint fast
    cdef int vop, xop
    cdef Py_ssize_t qlast = 0
    if pl.vh:
        qlast = pl.o_n[nout - 1] - 1 + L - 1
    cdef Py_ssize_t* o = roff + nwmax
    cdef Py_ssize_t* k = o + (nout + 1)
    cdef int status = 0
    cdef Py_ssize_t until_poll, u, a, t, line, rem, xo0, nxo, vx0, nv, ilo, ihi, li, ni
    cdef Py_ssize_t off, q, qblk = 0, prevq = -2, prevt = -1, r, i, prevline
    cdef bint more
    cdef const Py_ssize_t* hmap
    cdef char* dst
    cdef rtype* Rp
    cdef rtype* Cp
    cdef double divo
    if block == NULL:
        status = -1
    else:
        _vfill(crow, cval, nvmax)
        if rtype is float or rtype is double:
            # (the NaN row cache: floating types only)
            for i in range(16):
                cache_off[i] = NO_ROW
                cache_ok[i] = 0
        prevline = -2
        # van Herk walks down the lines of one tile; otherwise the tiles of
        # a line are neighbours (contiguous input reads).  (t, line) and the
        # outer index o advance incrementally (no divisions per unit).
        if pl.vh:
            t = u0 // pl.nlines
            line = u0 - t * pl.nlines
        else:
            line = u0 // pl.ntiles
            t = u0 - line * pl.ntiles
        until_poll = 1
        for u in range(u0, u1):
            if stop_now(pl.intr, &until_poll, pl.poll):
                break
            if u > u0:
                if pl.vh:
                    line += 1
                    if line == pl.nlines:
                        line = 0
                        t += 1
                else:
                    t += 1
                    if t == pl.ntiles:
                        t = 0
                        line += 1
            if line != prevline:
                if line == prevline + 1:
                    for a in range(nout - 1, -1, -1):
                        o[a] += 1
                        if o[a] < pl.o_n[a]:
                            break
                        o[a] = 0
                else:
                    rem = line
                    for a in range(nout - 1, -1, -1):
                        o[a] = rem % pl.o_n[a]
                        rem = rem // pl.o_n[a]
                prevline = line
            xo0 = t * pl.tile_w
            nxo = pl.nx_out - xo0
            if nxo > pl.tile_w:
                nxo = pl.tile_w
            vx0 = xo0 * pl.sx + pl.bx
            nv = (nxo - 1) * pl.sx + (pl.Lx - 1) * pl.dx + 1
            ilo = vx0 if vx0 > 0 else 0
            ihi = vx0 + nv
            if ihi > pl.nx_in:
                ihi = pl.nx_in
            if ihi < ilo:
                ihi = ilo
            li = ilo - vx0
            if li > nv:
                li = nv
            ni = ihi - ilo
            hmap = pl.x_map + (vx0 - pl.bx)
            dst = pl.out + xo0 * pl.x_ostr
            for a in range(nout):
                dst = dst + o[a] * pl.o_ostr[a]
            Rp = <rtype*>dst if (pl.direct_out and not pl.stream) else Rb
            Cp = Rp if pl.xmode == X_IDENT else C
            # ---- combine the outer window into Cp
            if pl.vh:
                # van Herk / Gil-Werman over rows: windows [q, q + L) with
                # q in block [qblk, qblk + L): op(S[q - qblk], P) where S
                # holds suffix reductions of the block and P the running
                # reduction of the next block's rows.  The next block's S
                # is computed when a block starts, so its NaN-freeness is
                # known and clean blocks use the plain max/min.
                for a in range(nout):
                    k[a] = 0
                q = o[va]
                if t != prevt or q != prevq + 1:
                    _suffix_block(pl, Scur, o, k, va, q, L, nv, li, ni, ilo, hmap, scr, cval)
                    cur_clean = not _has_nan(Scur, nv)
                    next_ok = False
                    qblk = q
                elif q >= qblk + L:
                    if next_ok:
                        Stmp = Scur
                        Scur = Snext
                        Snext = Stmp
                        cur_clean = next_clean
                    else:
                        _suffix_block(pl, Scur, o, k, va, q, L, nv, li, ni, ilo, hmap,
                                      scr, cval)
                        cur_clean = not _has_nan(Scur, nv)
                    next_ok = False
                    qblk = q
                if q == qblk:
                    if q + 2 * L - 1 <= qlast:
                        _suffix_block(pl, Snext, o, k, va, q + L, L, nv, li, ni, ilo,
                                      hmap, scr, cval)
                        next_clean = not _has_nan(Snext, nv)
                        next_ok = True
                    Csrc = Scur
                    xclean = cur_clean
                    if pl.xmode == X_IDENT:
                        _vcopy(Cp, Scur, nv)
                        Csrc = Cp
                else:
                    r = q - qblk
                    fast = cur_clean and next_ok and next_clean
                    vop = op + 3 if fast else op
                    o[va] = qblk
                    k[va] = L + r - 1
                    off = _row_off(pl, o, k)
                    o[va] = q
                    k[va] = 0
                    _row_into(pl, P, <const rtype*>NULL if r == 1 else P,
                              off, nv, li, ni, ilo, hmap, scr, cval, vop)
                    _vop(Cp, Scur + r * nvmax, P, nv, vop)
                    Csrc = Cp
                    xclean = fast
                prevq = q
                prevt = t
            else:
                # every row of the outer window, then one pass per 4 rows
                for a in range(nout):
                    k[a] = 0
                nw = 0
                while True:
                    roff[nw] = _row_off(pl, o, k)
                    nw += 1
                    more = False
                    for a in range(nout - 1, -1, -1):
                        k[a] += 1
                        if k[a] < pl.o_L[a]:
                            more = True
                            break
                        k[a] = 0
                    if not more:
                        break
                # rows known to hold no NaN (checked once per band through a
                # small cache) let the whole line use the plain max/min
                vop = op
                allclean = False
                if rtype is float or rtype is double:
                    if (op == OP_MAX or op == OP_MIN) and pl.direct_in and pl.ntiles == 1:
                        allclean = True
                        for r in range(nw):
                            if not _row_clean(pl, roff[r], cache_off, cache_ok, &cache_pos,
                                              cval):
                                allclean = False
                                break
                        if allclean:
                            vop = op + 3
                if ni > 0:
                    # up to 5 rows in the first pass, then 4 more per pass
                    g = 0
                    while g < nw:
                        cnt = nw - g
                        if cnt > (5 if g == 0 else 4):
                            cnt = 5 if g == 0 else 4
                        for r in range(cnt):
                            off = roff[g + r]
                            if off == NO_ROW:
                                ptr[r] = crow
                            elif pl.direct_in:
                                ptr[r] = (<const rtype*>(pl.inp + off)) + ilo
                            else:
                                _load_row(scr + r * nvmax, pl.inp + off + ilo * pl.x_istr,
                                          pl.x_istr, ni, pl.in_tc)
                                ptr[r] = scr + r * nvmax
                        _vopn(Cp + li, ptr, cnt, ni, vop, g == 0)
                        g += cnt
                for i in range(li):
                    Cp[i] = _halo_col(pl, roff, nw, hmap[i], cval)
                for i in range(li + ni, nv):
                    Cp[i] = _halo_col(pl, roff, nw, hmap[i], cval)
                Csrc = Cp
                xclean = allclean
            # ---- reduce along x
            if pl.xmode != X_IDENT:
                xop = op
                if op == OP_MAX or op == OP_MIN:
                    if rtype is float or rtype is double:
                        if xclean or (pl.xcheck and not _has_nan(Csrc, nv)):
                            xop = op + 3
                    else:
                        xop = op + 3
                _xreduce(pl, Csrc, Rp, D, nxo, nv, xop)
            # ---- mean
            if rtype is float or rtype is double:
                if pl.mean:
                    if pl.div_const != 0:
                        for i in range(nxo):
                            Rp[i] = Rp[i] / <rtype>pl.div_const
                    else:
                        divo = 1.0
                        for a in range(nout):
                            divo = divo * pl.o_div[pl.o_divoff[a] + o[a]]
                        for i in range(nxo):
                            Rp[i] = Rp[i] / <rtype>(divo * pl.x_div[xo0 + i])
            if pl.stream:
                pf_stream_bytes(dst, <const char*>Rb, nxo * <Py_ssize_t>sizeof(rtype))
            elif not pl.direct_out:
                _store_row(dst, pl.x_ostr, Rb, dbl, nxo, pl.out_tc, CAST_LINE)
    if pl.stream:
        pf_stream_fence()
    free(block)
    return status


cdef int _srun(const SPlan* pl, rtype cval, int nthreads) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or pl.nbands <= 1:
        for band in range(pl.nbands):
            failures += _sband(pl, band, cval) != 0
        return failures
    if pl.dyn:
        for band in prange(pl.nbands, schedule='dynamic', chunksize=1,
                           num_threads=nthreads):
            failures += _sband(pl, band, cval) != 0
    else:
        for band in prange(pl.nbands, schedule='static', num_threads=nthreads):
            failures += _sband(pl, band, cval) != 0
    return failures


def _intp(values):
    return np.ascontiguousarray(np.array(list(values) + [0], dtype=np.intp))


cdef Py_ssize_t _tc_itemsize(int tc) except -1:
    if tc == TC_BOOL or tc == TC_INT8 or tc == TC_UINT8:
        return 1
    if tc == TC_INT16 or tc == TC_UINT16:
        return 2
    if tc == TC_INT32 or tc == TC_UINT32 or tc == TC_FLOAT32:
        return 4
    if tc == TC_INT64 or tc == TC_UINT64 or tc == TC_FLOAT64 or tc == TC_COMPLEX64:
        return 8
    if tc == TC_COMPLEX128:
        return 16
    raise ValueError(f"reduce: unknown type code {tc}")


cdef int _check_compute(int ctc, str who) except -1:
    """The compute types of the reductions: the real types (bool is uint8)."""
    if ctc < TC_INT8 or ctc > TC_FLOAT64:
        raise TypeError(f"{who}: unsupported compute type code {ctc}")
    return 0


cdef int _check_arrays(cnp.ndarray inp, cnp.ndarray out, int nd, const Py_ssize_t* ishape,
                       const Py_ssize_t* oshape, Py_ssize_t isize, Py_ssize_t osize,
                       str who) except -1:
    """``inp``/``out`` have the planned ndim, shapes and item sizes, and
    ``out`` is writeable."""
    cdef int a
    if inp.ndim != nd or out.ndim != nd:
        raise ValueError(f"{who}.run: planned for {nd} dimensions, got {inp.ndim} and "
                         f"{out.ndim}")
    for a in range(nd):
        if inp.shape[a] != ishape[a] or out.shape[a] != oshape[a]:
            raise ValueError(f"{who}.run: the arrays do not have the planned shapes")
    if cnp.PyArray_ITEMSIZE(inp) != isize or cnp.PyArray_ITEMSIZE(out) != osize:
        raise ValueError(f"{who}.run: the arrays do not have the planned element sizes")
    if not cnp.PyArray_ISWRITEABLE(out):
        raise ValueError(f"{who}.run: the output is read-only")
    return 0


cdef struct BoxOpts:
    int op                        # OP_MAX, OP_MIN or OP_SUM
    int ctc                       # compute type code (the input's, or a float)
    int in_tc                     # element type codes (bool read as uint8)
    int out_tc
    bint mean                     # divide sums (div_const, else the divisor tables)
    double div_const
    Py_ssize_t block              # channels interleaved along x (1: none)
    bint van_herk                 # allow van Herk along the last outer axis
    Py_ssize_t vh_min             # ... for windows of at least this length
    Py_ssize_t tile_bytes         # van Herk: suffix block of L rows kept near L2
    Py_ssize_t x_tile             # > 0: x tiles of about this many bytes of C
    Py_ssize_t stream_bytes       # > 0: outputs this large are written with
                                  # streaming stores (rows through a buffer)


cdef class BoxPlan:
    """A separable window reduction planned once for its shapes (see the
    module comment): out[o] = op over the box of x~[o * s + b + k * d] per
    axis.  ``run`` takes the arrays (any strides, the planned shapes and
    element sizes), the boundary value and the thread count; it may be
    called from several Python threads at once.

    Parameters
    ----------
    in_shape, out_shape : intp[::1]
        One ndim >= 1; x is the last axis.  With ``opts.block`` = C > 1 the
        last axis is an image's (x, channel) axes merged (length x * C) and
        every x tap reads the same channel of another pixel.
    L, stride, dilation, base : intp[::1]
        Per axis: window length, output stride, tap spacing, and the
        virtual input index of output 0's first tap (in pixels along a
        merged axis).
    modes : int32[::1]
        Boundary mode per axis.
    opts : BoxOpts
    divisors : float64[::1], optional
        ``opts.mean`` without ``div_const``: per axis one divisor per output
        index, concatenated over the axes (the divisor of an output is the
        product of its axes' entries).
    """
    cdef SPlan tpl
    cdef object keep
    cdef int nd
    cdef int ctc
    cdef Py_ssize_t csize, isize, osize, ntiles0, stream_bytes
    cdef Py_ssize_t ishape[RMAXDIM]
    cdef Py_ssize_t oshape[RMAXDIM]

    def __init__(self, const Py_ssize_t[::1] in_shape, const Py_ssize_t[::1] out_shape,
                 const Py_ssize_t[::1] L, const Py_ssize_t[::1] stride,
                 const Py_ssize_t[::1] dilation, const Py_ssize_t[::1] base,
                 const int[::1] modes, BoxOpts opts, const double[::1] divisors=None):
        cdef SPlan* pl = &self.tpl
        cdef int nd = in_shape.shape[0], nout, a, lax
        cdef Py_ssize_t blk = opts.block, pos, vhi, nx_out, sx, dx, Lx, bx, tw, ntiles
        pl.intr = NULL
        pl.poll = 1
        if nd < 1 or nd > RMAXDIM:
            raise ValueError(f"BoxPlan: 1..{RMAXDIM} dimensions, got {nd}")
        if (out_shape.shape[0] != nd or L.shape[0] != nd or stride.shape[0] != nd
                or dilation.shape[0] != nd or base.shape[0] != nd or modes.shape[0] != nd):
            raise ValueError("BoxPlan: one entry per axis expected")
        if blk < 1 or in_shape[nd - 1] % blk or out_shape[nd - 1] % blk:
            raise ValueError(f"BoxPlan: block {blk} does not divide the merged x axis")
        _check_compute(opts.ctc, "BoxPlan")
        if opts.op != OP_MAX and opts.op != OP_MIN and opts.op != OP_SUM:
            raise ValueError(f"BoxPlan: unknown op {opts.op}")
        for a in range(nd):
            if L[a] < 1 or stride[a] < 1 or dilation[a] < 1 or in_shape[a] < 0 \
                    or out_shape[a] < 0:
                raise ValueError("BoxPlan: windows, strides and dilations must be >= 1")
            if out_shape[a] > 0 and in_shape[a] == 0:
                raise ValueError("BoxPlan: a non-empty output of an empty input")
        self.nd = nd
        self.ctc = opts.ctc
        self.csize = _tc_itemsize(opts.ctc)
        self.isize = _tc_itemsize(opts.in_tc)
        self.osize = _tc_itemsize(opts.out_tc)
        for a in range(nd):
            self.ishape[a] = in_shape[a]
            self.oshape[a] = out_shape[a]
        nout = nd - 1
        lax = nd - 1
        osh = [out_shape[a] for a in range(nd)]
        Ls = [L[a] for a in range(nd)]
        o_n = _intp(osh[:nout])
        o_s = _intp([stride[a] for a in range(nout)])
        o_d = _intp([dilation[a] for a in range(nout)])
        o_L = _intp(Ls[:nout])
        maps, offs = [], []
        pos = 0
        for a in range(nout):
            vhi = base[a] + (out_shape[a] - 1) * stride[a] + (L[a] - 1) * dilation[a]
            tab = map_table(base[a], vhi, in_shape[a], modes[a])
            maps.append(tab)
            offs.append(pos)
            pos += tab.shape[0]
        o_map = np.ascontiguousarray(np.concatenate(maps) if maps else np.zeros(1, np.intp))
        o_mapoff = _intp(offs)
        nx_out = out_shape[lax]
        # along a merged (x, channel) axis: taps C apart, base in elements
        sx = stride[lax]
        dx = dilation[lax] * blk
        Lx = L[lax]
        bx = base[lax] * blk
        if blk > 1 and sx != 1:
            raise ValueError("BoxPlan: interleaved channels need stride 1 along x")
        x_map = map_table_block(bx, bx + (nx_out - 1) * sx + (Lx - 1) * dx, in_shape[lax],
                                modes[lax], blk)
        if opts.mean and opts.div_const == 0:
            if divisors is None or divisors.shape[0] != sum(osh):
                raise ValueError("BoxPlan: one divisor per output index and axis expected")
            dv = np.ascontiguousarray(divisors, dtype=np.float64)
            o_div = np.ascontiguousarray(dv[:sum(osh[:nout])])
            if o_div.shape[0] == 0:
                o_div = np.ones(1)
            o_divoff = _intp(np.cumsum([0] + osh[:max(nout - 1, 0)]) if nout else [])
            x_div = np.ascontiguousarray(dv[dv.shape[0] - nx_out:])
            if x_div.shape[0] == 0:
                x_div = np.ones(1)
        else:
            o_div = np.ones(1)
            o_divoff = _intp([0] * nout)
            x_div = np.ones(1)
        # van Herk along the last outer axis when it is the only one reduced
        vh = False
        if opts.van_herk and nout >= 1 and L[nout - 1] >= max(2, opts.vh_min) \
                and stride[nout - 1] == 1 \
                and dilation[nout - 1] == 1 and out_shape[nout - 1] > 1 \
                and all(v == 1 for v in Ls[:nout - 1]):
            vh = True
        # x reduction strategy
        if Lx == 1 and sx == 1:
            xmode = X_IDENT
        elif sx == 1:
            xmode = X_TAPS if Lx <= 5 else X_DOUBLE
        elif nx_out <= 2 and Lx > 8:
            xmode = X_EACH
        else:
            xmode = X_STRIDED
        nlines = 1
        for a in range(nout):
            nlines *= out_shape[a]
        # x tiles that do not depend on the thread count
        ntiles = 1
        if vh:
            # keep the block of L suffix rows near L2
            tw = max(256, opts.tile_bytes // max(1, L[nout - 1] * self.csize))
            ntiles = max(1, -(-nx_out // tw))
        if xmode != X_IDENT and opts.x_tile > 0:
            # keep the line buffers of the x reduction in L1
            ntiles = max(ntiles, -(-nx_out // max(64, opts.x_tile // (sx * self.csize))))
        self.ntiles0 = ntiles
        self.stream_bytes = opts.stream_bytes
        self.keep = (o_n, o_s, o_d, o_L, o_map, o_mapoff, o_div, o_divoff, x_map, x_div)
        memset(pl, 0, sizeof(SPlan))
        pl.nout = nout
        pl.in_tc = opts.in_tc
        pl.out_tc = opts.out_tc
        pl.op = opts.op
        pl.mean = opts.mean
        pl.o_n = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_n)
        pl.o_s = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_s)
        pl.o_d = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_d)
        pl.o_L = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_L)
        pl.o_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_map)
        pl.o_mapoff = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_mapoff)
        pl.o_div = <const double*>cnp.PyArray_DATA(<cnp.ndarray>o_div)
        pl.o_divoff = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_divoff)
        pl.vh = vh
        pl.nx_in = in_shape[lax]
        pl.nx_out = nx_out
        pl.sx = sx
        pl.dx = dx
        pl.Lx = Lx
        pl.bx = bx
        pl.x_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>x_map)
        pl.x_div = <const double*>cnp.PyArray_DATA(<cnp.ndarray>x_div)
        pl.div_const = opts.div_const
        pl.xmode = xmode
        # the NaN scan costs about one pass over C: worth it when the x
        # reduction makes at least two NaN-propagating passes
        if xmode == X_DOUBLE:
            pl.xcheck = True
        elif xmode == X_TAPS:
            pl.xcheck = Lx >= 3
        elif xmode == X_STRIDED:
            pl.xcheck = (Lx - 1) >= 2 * sx
        else:
            pl.xcheck = False
        pl.nlines = nlines

    def run(self, cnp.ndarray inp, cnp.ndarray out, cval, int nthreads):
        """Reduce ``inp`` into ``out`` with the boundary value ``cval``
        (representable in the compute type) on ``nthreads`` threads; the
        result does not depend on the strides, the tiles or the threads."""
        cdef SPlan pl = self.tpl
        cdef int nd = self.nd, a, status = 0
        cdef Py_ssize_t ntiles, tile_w
        _check_arrays(inp, out, nd, self.ishape, self.oshape, self.isize, self.osize,
                      "BoxPlan")
        if cnp.PyArray_SIZE(out) == 0:
            return out
        pl.inp = <const char*>cnp.PyArray_DATA(inp)
        pl.out = <char*>cnp.PyArray_DATA(out)
        for a in range(nd - 1):
            pl.o_istr[a] = inp.strides[a]
            pl.o_ostr[a] = out.strides[a]
        pl.x_istr = inp.strides[nd - 1]
        pl.x_ostr = out.strides[nd - 1]
        pl.direct_in = pl.in_tc == self.ctc and pl.x_istr == self.csize
        pl.direct_out = pl.out_tc == self.ctc and pl.x_ostr == self.csize
        # large outputs of a parallel run (memory-bound) go out with
        # streaming stores: no read of the destination lines (measured:
        # 4096^2 float32 3x3 on 2 threads 8.0 -> 5.9 ms; one thread, the
        # extra copy through the row buffer costs more than it saves)
        pl.stream = (pl.direct_out and nthreads > 1 and self.stream_bytes > 0
                     and cnp.PyArray_NBYTES(out) >= self.stream_bytes)
        # work split: lines x tiles (more tiles when there are few lines)
        ntiles = self.ntiles0
        if nthreads > 1 and pl.nlines < 4 * nthreads and pl.nx_out >= 4096:
            ntiles = max(ntiles, min(4 * nthreads, pl.nx_out // 2048))
        tile_w = (pl.nx_out + ntiles - 1) // ntiles
        ntiles = (pl.nx_out + tile_w - 1) // tile_w
        pl.ntiles = ntiles
        pl.tile_w = tile_w
        pl.nvmax = (tile_w - 1) * pl.sx + (pl.Lx - 1) * pl.dx + 1
        pl.nbands = bands_for(nthreads, pl.nlines * ntiles)
        pl.dyn = dynamic_schedule(cnp.PyArray_NBYTES(inp) + cnp.PyArray_NBYTES(out))
        cdef Interrupt intr
        interrupt_init(&intr)
        pl.intr = &intr
        pl.poll = poll_units(<double>pl.tile_w * 8.0)
        status = _dispatch_box(&pl, self.ctc, cval, nthreads)
        check_interrupt(&intr)
        if status != 0:
            raise MemoryError("pyfilter: out of memory for the reduction buffers")
        return out


cdef int _dispatch_box(const SPlan* pl, int ctc, cval, int nthreads) except -1:
    cdef int8_t c_i8
    cdef uint8_t c_u8
    cdef int16_t c_i16
    cdef uint16_t c_u16
    cdef int32_t c_i32
    cdef uint32_t c_u32
    cdef int64_t c_i64
    cdef uint64_t c_u64
    cdef float c_f
    cdef double c_d
    cdef int status = 0
    if ctc == TC_FLOAT32:
        c_f = cval
        with nogil:
            status = _srun(pl, c_f, nthreads)
    elif ctc == TC_FLOAT64:
        c_d = cval
        with nogil:
            status = _srun(pl, c_d, nthreads)
    elif ctc == TC_UINT8:
        c_u8 = cval
        with nogil:
            status = _srun(pl, c_u8, nthreads)
    elif ctc == TC_INT8:
        c_i8 = cval
        with nogil:
            status = _srun(pl, c_i8, nthreads)
    elif ctc == TC_INT16:
        c_i16 = cval
        with nogil:
            status = _srun(pl, c_i16, nthreads)
    elif ctc == TC_UINT16:
        c_u16 = cval
        with nogil:
            status = _srun(pl, c_u16, nthreads)
    elif ctc == TC_INT32:
        c_i32 = cval
        with nogil:
            status = _srun(pl, c_i32, nthreads)
    elif ctc == TC_UINT32:
        c_u32 = cval
        with nogil:
            status = _srun(pl, c_u32, nthreads)
    elif ctc == TC_INT64:
        c_i64 = cval
        with nogil:
            status = _srun(pl, c_i64, nthreads)
    else:
        c_u64 = cval
        with nogil:
            status = _srun(pl, c_u64, nthreads)
    return status


# ---------------------------------------------------------------- footprint kernel
cdef struct FPlan:
    int nout
    const char* inp
    char* out
    int in_tc
    int out_tc
    int op
    bint direct_out
    const Py_ssize_t* o_n
    Py_ssize_t o_ostr[RMAXDIM]
    Py_ssize_t o_istr[RMAXDIM]
    const Py_ssize_t* o_map       # per axis: map[o + k] -> row or -1
    const Py_ssize_t* o_mapoff
    const Py_ssize_t* o_span      # ring extent per axis
    const Py_ssize_t* o_mul       # ring slot multiplier per axis
    bint ring
    Py_ssize_t nrows
    const Py_ssize_t* row_k       # nrows x nout window indices
    Py_ssize_t nruns
    const Py_ssize_t* run_row
    const Py_ssize_t* run_x       # first tap of the run (elements along merged x)
    const Py_ssize_t* run_ext     # second read of the run: run_x + this (0: none)
    const Py_ssize_t* run_lev
    int nlev
    Py_ssize_t blk                # channels interleaved along x (taps blk apart)
    Py_ssize_t nx_in, nx_out, Lx, bx, x_istr, x_ostr
    const Py_ssize_t* x_map
    Py_ssize_t nlines, ntiles, tile_w, nvmax, nslots
    int cast                      # scipy's cast of the results (CAST_ND, CAST_WRAP)
    int net                       # OP_RANK: a median network of this many taps (0: none)
    int hist                      # OP_RANK: a sliding histogram of 8 or 16 bits (0: none)
    bint box3                     # OP_RANK: the median of a 3x3 box (3 rows, runs of 3)
    Py_ssize_t ncomp              # OP_RANK: a pruned sorting network of ncomp
    const int32_t* comp           # comparators (i, j, outputs: 1 min, 2 max, 3 both)
    Py_ssize_t comp_chunk         # elements per chunk of its per-thread scratch
    const double* tap_add         # OP_MAX/OP_MIN over x + s (non-flat element), or NULL
    int plus_tc                   # the input's type code for its sums (tap_add)
    const Py_ssize_t* run_len     # taps in each run (OP_RANK)
    Py_ssize_t rank               # OP_RANK: the rank (0: the smallest) among
    Py_ssize_t ntaps              # the footprint's ntaps taps, tap t at
    const Py_ssize_t* tap_row     # x + tap_x[t] of footprint row tap_row[t]
    const Py_ssize_t* tap_x
    int nbands
    bint dyn                      # per call: bands taken dynamically
    Interrupt* intr               # per call: Ctrl-C (_common.pxi)
    Py_ssize_t poll               # per call: units between two polls


# ---------------------------------------------------------------- selection
cdef inline void _swap(rtype* a, Py_ssize_t i, Py_ssize_t j) noexcept nogil:
    cdef rtype t = a[i]
    a[i] = a[j]
    a[j] = t


cdef rtype _select(rtype* a, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    """The k-th smallest of a[0 .. n-1] (reordering a), NaN above every
    number: quickselect with a median-of-three pivot, insertion sort below
    16 elements.  The result depends only on the multiset of values."""
    cdef Py_ssize_t lo = 0, hi, i, j, m
    cdef rtype pivot, v
    if rtype is float or rtype is double:
        # NaNs to the end: a rank among them is NaN
        m = 0
        for i in range(n):
            if a[i] == a[i]:
                a[m] = a[i]
                m += 1
        if k >= m:
            return <rtype>NAN
        n = m
    hi = n - 1
    while hi - lo >= 16:
        m = lo + (hi - lo) // 2
        if a[m] < a[lo]:
            _swap(a, m, lo)
        if a[hi] < a[lo]:
            _swap(a, hi, lo)
        if a[hi] < a[m]:
            _swap(a, hi, m)
        pivot = a[m]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                _swap(a, i, j)
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    for i in range(lo + 1, hi + 1):
        v = a[i]
        j = i - 1
        while j >= lo and v < a[j]:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v
    return a[k]


cdef inline double _as_in(double v, int tc) noexcept nogil:
    """A double converted to the input's type code ``tc`` by C's conversion
    (scipy's cast of a sum into the input type) and back to double."""
    if tc == TC_FLOAT64:
        return v
    elif tc == TC_FLOAT32:
        return <double><float>v
    elif tc == TC_INT8:
        return <double><int8_t>_d2i32(v, CAST_ND)
    elif tc == TC_UINT8 or tc == TC_BOOL:
        # numpy's bool is an unsigned char to C: sums wrap as uint8
        return <double><uint8_t>_d2i32(v, CAST_ND)
    elif tc == TC_INT16:
        return <double><int16_t>_d2i32(v, CAST_ND)
    elif tc == TC_UINT16:
        return <double><uint16_t>_d2i32(v, CAST_ND)
    elif tc == TC_INT32:
        return <double>_d2i32(v, CAST_ND)
    elif tc == TC_UINT32:
        return <double><uint32_t>_d2i64(v, CAST_ND)
    elif tc == TC_INT64:
        return <double>_d2i64(v, CAST_ND)
    return <double>_d2u64(v, CAST_ND)


cdef void _plus_row(const FPlan* pl, rtype* R, const rtype* slots,
                    const Py_ssize_t* rowslot, Py_ssize_t slot_len, Py_ssize_t nxo,
                    const rtype** tp) noexcept nogil:
    """scipy's max (OP_MAX) or min (OP_MIN) over a non-flat structuring
    element, in its arithmetic: the first tap's x + s in float64, each
    other tap's x + s in the input's type (tap_add holds s already
    converted to it; the sum wraps for integers, rounds for float32) and
    compared with the float64 result so far (the addends of an erosion
    are -s).  NaN replaces nothing after the first tap, as in scipy.  For
    the float64 compute type only."""
    cdef Py_ssize_t x, t, n = pl.ntaps
    cdef double a, v
    cdef const rtype* p
    cdef int tc = pl.plus_tc
    if rtype is double:
        for t in range(n):
            tp[t] = slots + rowslot[pl.tap_row[t]] * slot_len + pl.tap_x[t]
        a = pl.tap_add[0]
        p = tp[0]
        for x in range(nxo):
            R[x] = p[x] + a
        for t in range(1, n):
            a = pl.tap_add[t]
            p = tp[t]
            if pl.op == OP_MAX:
                for x in range(nxo):
                    v = _as_in(p[x] + a, tc)
                    if v > R[x]:
                        R[x] = v
            else:
                for x in range(nxo):
                    v = _as_in(p[x] + a, tc)
                    if v < R[x]:
                        R[x] = v


cdef void _rank_net_row(const FPlan* pl, rtype* R, const rtype** tp, Py_ssize_t nxo,
                        rtype* S) noexcept nogil:
    """R[x] = the rank-th smallest of the taps by the plan's pruned sorting
    network, applied comparator by comparator to chunks of the tap rows
    copied into S (n x comp_chunk, per thread): every comparator is a
    vector loop over the chunk."""
    cdef Py_ssize_t n = pl.ntaps, w = pl.comp_chunk, x0, m, t, c, x
    cdef rtype* a
    cdef rtype* b
    cdef rtype u, v
    cdef int f
    cdef const int32_t* cp
    x0 = 0
    while x0 < nxo:
        m = nxo - x0 if nxo - x0 < w else w
        for t in range(n):
            memcpy(S + t * w, tp[t] + x0, m * sizeof(rtype))
        for c in range(pl.ncomp):
            cp = pl.comp + 3 * c
            a = S + cp[0] * w
            b = S + cp[1] * w
            f = cp[2]
            if f == 3:
                for x in range(m):
                    u = a[x]
                    v = b[x]
                    a[x] = _fn(u, v)
                    b[x] = _fx(u, v)
            elif f == 1:
                for x in range(m):
                    a[x] = _fn(a[x], b[x])
            else:
                for x in range(m):
                    b[x] = _fx(a[x], b[x])
        memcpy(R + x0, S + pl.rank * w, m * sizeof(rtype))
        x0 += w


cdef void _rank_row(const FPlan* pl, rtype* R, const rtype* slots,
                    const Py_ssize_t* rowslot, Py_ssize_t slot_len, Py_ssize_t nxo,
                    rtype* g, const rtype** tp, rtype* S) noexcept nogil:
    """R[x] = the rank-th smallest of the footprint's taps at x (OP_RANK):
    the median of 9, 25 or 27 taps by a selection network vectorised
    across x (for floats, rows without NaN), else a quickselect per x."""
    cdef Py_ssize_t x, t, n = pl.ntaps, k = pl.rank
    cdef bint net = pl.net != 0 or pl.ncomp > 0
    for t in range(n):
        tp[t] = slots + rowslot[pl.tap_row[t]] * slot_len + pl.tap_x[t]
        if rtype is float or rtype is double:
            if net and _has_nan(tp[t], nxo):
                net = False
    if net and pl.net == 0:
        _rank_net_row(pl, R, tp, nxo, S)
        return
    if (rtype is uint8_t or rtype is uint16_t or rtype is int16_t or rtype is float
            or rtype is double):
        # the unrolled networks exist for the image types only (pl.net is 0
        # for the others, which take the looped network)
        if net:
            if pl.box3:
                _median3x3(R, slots + rowslot[pl.run_row[0]] * slot_len + pl.run_x[0],
                           slots + rowslot[pl.run_row[1]] * slot_len + pl.run_x[1],
                           slots + rowslot[pl.run_row[2]] * slot_len + pl.run_x[2], nxo,
                           pl.blk)
            elif n == 9:
                _median9(R, tp, nxo)
            elif n == 25:
                _median25(R, tp, nxo)
            else:
                _median27(R, tp, nxo)
            return
    for x in range(nxo):
        for t in range(n):
            g[t] = tp[t][x]
        R[x] = _select(g, n, k)


cdef inline ntype _med3(ntype a, ntype b, ntype c) noexcept nogil:
    return _fx(_fn(a, b), _fn(_fx(a, b), c))


cdef void _median3x3(ntype* R, const ntype* r0, const ntype* r1, const ntype* r2,
                     Py_ssize_t n, Py_ssize_t blk) noexcept nogil:
    """R[x] = the median of the 3x3 box whose columns are x, x + blk and
    x + 2 blk of rows r0..r2: each column sorted once (shared by the three
    outputs that use it), then the median of the maximum of the column
    minima, the median of the medians and the minimum of the maxima (the
    classic 3x3 median network, 9 comparisons less than the plain one)."""
    cdef ntype L[288]
    cdef ntype M[288]
    cdef ntype U[288]
    cdef ntype buf[256]
    cdef ntype a, b, c, lo, hi
    cdef Py_ssize_t x0, x, m, w
    for x0 in range(0, n, 256):
        m = n - x0 if n - x0 < 256 else 256
        w = m + 2 * blk
        for x in range(w):
            a = r0[x0 + x]
            b = r1[x0 + x]
            c = r2[x0 + x]
            lo = _fn(a, b)
            hi = _fx(a, b)
            L[x] = _fn(lo, c)
            c = _fx(lo, c)
            M[x] = _fn(hi, c)
            U[x] = _fx(hi, c)
        for x in range(m):
            buf[x] = _med3(_fx(_fx(L[x], L[x + blk]), L[x + 2 * blk]),
                           _med3(M[x], M[x + blk], M[x + 2 * blk]),
                           _fn(_fn(U[x], U[x + blk]), U[x + 2 * blk]))
        memcpy(R + x0, buf, m * sizeof(ntype))


cdef inline Py_ssize_t _hkey(rtype v) noexcept nogil:
    """An 8- or 16-bit value as its histogram bin (signed types offset)."""
    if rtype is int8_t:
        return <Py_ssize_t>v + 128
    elif rtype is int16_t:
        return <Py_ssize_t>v + 32768
    else:
        return <Py_ssize_t>v


cdef void _rank_hist_row(const FPlan* pl, rtype* R, const rtype* slots,
                         const Py_ssize_t* rowslot, Py_ssize_t slot_len, Py_ssize_t nxo,
                         int32_t* H, const rtype** rp) noexcept nogil:
    """R[x] = the rank-th smallest of the footprint's taps at x from a
    histogram slid along the row (8/16-bit types, large windows): moving
    one pixel changes two taps per run, and the rank is found by a scan of
    coarse then fine bins.  H (zero on entry and on return) holds the fine
    bins followed by the coarse ones."""
    cdef Py_ssize_t j, t, c, x, b, ci, acc, v, ln
    cdef Py_ssize_t nruns = pl.nruns, blk = pl.blk, k = pl.rank
    cdef int cs = 4 if pl.hist == 8 else 8
    cdef int32_t* Hc = H + (<Py_ssize_t>1 << pl.hist)
    if rtype is uint8_t or rtype is int8_t or rtype is uint16_t or rtype is int16_t:
        for j in range(nruns):
            rp[j] = slots + rowslot[pl.run_row[j]] * slot_len + pl.run_x[j]
        for c in range(blk):
            if c >= nxo:
                break
            for j in range(nruns):
                for t in range(pl.run_len[j]):
                    v = _hkey(rp[j][c + t * blk])
                    H[v] += 1
                    Hc[v >> cs] += 1
            x = c
            while True:
                acc = 0
                ci = 0
                while acc + Hc[ci] <= k:
                    acc = acc + Hc[ci]
                    ci += 1
                b = ci << cs
                while acc + H[b] <= k:
                    acc = acc + H[b]
                    b += 1
                if rtype is int8_t:
                    R[x] = <rtype>(b - 128)
                elif rtype is int16_t:
                    R[x] = <rtype>(b - 32768)
                else:
                    R[x] = <rtype>b
                if x + blk >= nxo:
                    break
                for j in range(nruns):
                    ln = pl.run_len[j]
                    v = _hkey(rp[j][x])
                    H[v] -= 1
                    Hc[v >> cs] -= 1
                    v = _hkey(rp[j][x + ln * blk])
                    H[v] += 1
                    Hc[v >> cs] += 1
                x += blk
            for j in range(nruns):
                for t in range(pl.run_len[j]):
                    v = _hkey(rp[j][x + t * blk])
                    H[v] -= 1
                    Hc[v >> cs] -= 1


cdef void _load_haloed(const FPlan* pl, rtype* buf, Py_ssize_t off, Py_ssize_t vx0,
                       Py_ssize_t nv, rtype cval) noexcept nogil:
    """buf[i] = row value at virtual x = vx0 + i, then the doubling levels."""
    cdef Py_ssize_t i, j, ilo, ihi, li, ni, lev, w
    cdef const char* src
    cdef const Py_ssize_t* hmap = pl.x_map + (vx0 - pl.bx)
    if off == NO_ROW:
        _vfill(buf, cval, nv)
    else:
        src = pl.inp + off
        ilo = vx0 if vx0 > 0 else 0
        ihi = vx0 + nv
        if ihi > pl.nx_in:
            ihi = pl.nx_in
        if ihi < ilo:
            ihi = ilo
        li = ilo - vx0
        if li > nv:
            li = nv
        ni = ihi - ilo
        if ni > 0:
            _load_row(buf + li, src + ilo * pl.x_istr, pl.x_istr, ni, pl.in_tc)
        for i in range(li):
            j = hmap[i]
            buf[i] = cval if j < 0 else _load1(src + j * pl.x_istr, pl.in_tc, <rtype*>NULL)
        for i in range(li + ni, nv):
            j = hmap[i]
            buf[i] = cval if j < 0 else _load1(src + j * pl.x_istr, pl.in_tc, <rtype*>NULL)
    w = 1
    for lev in range(1, pl.nlev):
        # level lev: windows of 2w taps (blk apart) from level lev-1
        _vop(buf + lev * pl.nvmax, buf + (lev - 1) * pl.nvmax,
             buf + (lev - 1) * pl.nvmax + w * pl.blk, nv - (2 * w - 1) * pl.blk, pl.op)
        w *= 2


cdef bint _hist_alloc(int32_t** H, int bits) noexcept nogil:
    """Zeroed fine and coarse bins of a 2**bits histogram (per thread)."""
    cdef Py_ssize_t nb = <Py_ssize_t>1 << bits
    H[0] = <int32_t*>calloc(nb + (nb >> (4 if bits == 8 else 8)) + 1, sizeof(int32_t))
    return H[0] != NULL


cdef int _fband(const FPlan* pl, int band, rtype cval) noexcept nogil:
    cdef Py_ssize_t nunits = pl.nlines * pl.ntiles
    cdef Py_ssize_t u0 = nunits * band // pl.nbands
    cdef Py_ssize_t u1 = nunits * (band + 1) // pl.nbands
    if u1 <= u0:
        return 0
    cdef int nout = pl.nout, op = pl.op
    cdef Py_ssize_t slot_len = pl.nlev * pl.nvmax
    cdef rtype* slots = <rtype*>malloc(pl.nslots * slot_len * sizeof(rtype))
    cdef Py_ssize_t* tags = <Py_ssize_t*>malloc(pl.nslots * (nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* rowslot = <Py_ssize_t*>malloc((pl.nrows + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* o = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* vr = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef rtype* Rb = <rtype*>malloc(pl.tile_w * sizeof(rtype))
    cdef double* dbl = <double*>malloc(pl.tile_w * sizeof(double))
    cdef rtype* g = <rtype*>malloc((pl.ntaps + 1) * sizeof(rtype))
    cdef const rtype** tp = <const rtype**>malloc((pl.ntaps + pl.nruns + 1) * sizeof(rtype*))
    cdef int32_t* H = NULL
    cdef rtype* S = <rtype*>malloc((pl.ntaps * pl.comp_chunk + 1) * sizeof(rtype))
    cdef int status = 0
    cdef Py_ssize_t until_poll, u, a, t, rem, xo0, nxo, vx0, nv, r, slot, off, j, extra, v
    cdef bint hit
    cdef char* dst
    cdef rtype* Rp
    cdef const rtype* base
    if (slots == NULL or tags == NULL or rowslot == NULL or o == NULL or vr == NULL
            or Rb == NULL or dbl == NULL or g == NULL or tp == NULL or S == NULL):
        status = -1
    elif pl.hist and not _hist_alloc(&H, pl.hist):
        status = -1
    else:
        for a in range(pl.nslots * (nout + 1)):
            tags[a] = -1
        rem = u0 % pl.nlines
        for a in range(nout - 1, -1, -1):
            o[a] = rem % pl.o_n[a]
            rem = rem // pl.o_n[a]
        until_poll = 1
        for u in range(u0, u1):
            if stop_now(pl.intr, &until_poll, pl.poll):
                break
            t = u // pl.nlines
            xo0 = t * pl.tile_w
            nxo = pl.nx_out - xo0
            if nxo > pl.tile_w:
                nxo = pl.tile_w
            vx0 = xo0 + pl.bx
            nv = nxo + (pl.Lx - 1) * pl.blk
            for r in range(pl.nrows):
                slot = 0
                for a in range(nout):
                    v = o[a] + pl.row_k[r * nout + a]
                    vr[a] = v
                    if pl.ring:
                        slot = slot + (v % pl.o_span[a]) * pl.o_mul[a]
                vr[nout] = t
                if not pl.ring:
                    slot = r
                hit = True
                for a in range(nout + 1):
                    if tags[slot * (nout + 1) + a] != vr[a]:
                        hit = False
                        break
                if not hit:
                    off = 0
                    for a in range(nout):
                        j = pl.o_map[pl.o_mapoff[a] + vr[a]]
                        if j < 0:
                            off = NO_ROW
                            break
                        off = off + j * pl.o_istr[a]
                    _load_haloed(pl, slots + slot * slot_len, off, vx0, nv, cval)
                    for a in range(nout + 1):
                        tags[slot * (nout + 1) + a] = vr[a]
                rowslot[r] = slot
            dst = pl.out + xo0 * pl.x_ostr
            for a in range(nout):
                dst = dst + o[a] * pl.o_ostr[a]
            Rp = <rtype*>dst if pl.direct_out else Rb
            if pl.tap_add != NULL:
                _plus_row(pl, Rp, slots, rowslot, slot_len, nxo, tp)
            elif op == OP_RANK:
                if pl.hist:
                    _rank_hist_row(pl, Rp, slots, rowslot, slot_len, nxo, H, tp)
                else:
                    _rank_row(pl, Rp, slots, rowslot, slot_len, nxo, g, tp, S)
            for j in range(pl.nruns if (op != OP_RANK and pl.tap_add == NULL) else 0):
                base = (slots + rowslot[pl.run_row[j]] * slot_len
                        + pl.run_lev[j] * pl.nvmax + pl.run_x[j])
                extra = pl.run_ext[j]
                if j == 0:
                    if extra > 0:
                        _vop(Rp, base, base + extra, nxo, op)
                    else:
                        _vcopy(Rp, base, nxo)
                else:
                    if extra > 0:
                        _vop3(Rp, Rp, base, base + extra, nxo, op)
                    else:
                        _vop(Rp, Rp, base, nxo, op)
            if not pl.direct_out:
                _store_row(dst, pl.x_ostr, Rb, dbl, nxo, pl.out_tc, pl.cast)
            for a in range(nout - 1, -1, -1):
                o[a] += 1
                if o[a] < pl.o_n[a]:
                    break
                o[a] = 0
    free(slots)
    free(tags)
    free(rowslot)
    free(o)
    free(vr)
    free(Rb)
    free(dbl)
    free(g)
    free(tp)
    free(H)
    free(S)
    return status


cdef int _frun(const FPlan* pl, rtype cval, int nthreads) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or pl.nbands <= 1:
        for band in range(pl.nbands):
            failures += _fband(pl, band, cval) != 0
        return failures
    if pl.dyn:
        for band in prange(pl.nbands, schedule='dynamic', chunksize=1,
                           num_threads=nthreads):
            failures += _fband(pl, band, cval) != 0
    else:
        for band in prange(pl.nbands, schedule='static', num_threads=nthreads):
            failures += _fband(pl, band, cval) != 0
    return failures


def _selection_network(int n, Py_ssize_t k):
    """Batcher's merge-exchange sorting network for n inputs (Knuth, TAOCP
    vol. 3, 5.2.2, Algorithm M), pruned backwards to what wire k depends
    on: int32 triples (i, j, outputs needed: 1 the min, 2 the max, 3
    both), in order (see tools/gen_rank_networks.py, which checks the
    same construction by the 0-1 principle)."""
    cdef int t = 1, p, q, r, d, i
    while (1 << t) < n:
        t += 1
    comps = []
    p = 1 << (t - 1)
    while p > 0:
        q, r, d = 1 << (t - 1), 0, p
        while d > 0:
            for i in range(n - d):
                if i & p == r:
                    comps.append((i, i + d))
            d, q, r = q - p, q // 2, p
        p //= 2
    need = {k}
    out = []
    for i_, j_ in reversed(comps):
        ni, nj = i_ in need, j_ in need
        if ni or nj:
            out.append((i_, j_, (1 if ni else 0) | (2 if nj else 0)))
            need.add(i_)
            need.add(j_)
    flat = [v for c in reversed(out) for v in c]
    return np.ascontiguousarray(np.array(flat or [0, 0, 0], np.int32))


cdef struct FootOpts:
    int op                        # OP_MAX, OP_MIN or OP_RANK
    int ctc                       # compute type code
    int in_tc
    int out_tc
    Py_ssize_t block              # channels interleaved along x (1: none)
    Py_ssize_t rank               # OP_RANK: 0 <= rank < the number of taps
    int cast                      # CAST_ND, or CAST_WRAP (integer compute types)


cdef class FootprintPlan:
    """A reduction over an arbitrary boolean footprint (stride 1, the
    output of the input's shape), planned once for its shapes: the
    footprint's rows (outer window indices with a True tap) and their x
    runs, the boundary tables and the ring of loaded rows.  ``run`` as
    :class:`BoxPlan`'s.

    Parameters
    ----------
    shape : intp[::1]
        The input's (and output's) shape; x is the last axis (merged
        (x, channel) axes with ``opts.block`` = C > 1).
    fp : uint8[::1]
        The footprint, C order, of shape ``fp_shape`` (one entry per axis;
        along a merged x axis its extent in pixels).
    base : intp[::1]
        Per axis the virtual index of the footprint's first tap for
        output 0 (in pixels along a merged axis).
    modes : int32[::1]
    opts : FootOpts
    """
    cdef FPlan tpl
    cdef object keep
    cdef int nd
    cdef int ctc
    cdef Py_ssize_t csize, isize, osize, ring_bytes
    cdef Py_ssize_t shape[RMAXDIM]

    def __init__(self, const Py_ssize_t[::1] shape, const unsigned char[::1] fp,
                 const Py_ssize_t[::1] fp_shape, const Py_ssize_t[::1] base,
                 const int[::1] modes, FootOpts opts, tap_add=None, int sum_tc=-1):
        cdef FPlan* pl = &self.tpl
        cdef bint plus = tap_add is not None
        cdef int nd = shape.shape[0], nout, a, lax
        cdef Py_ssize_t blk = opts.block, Lx, bx, nx_out
        pl.intr = NULL
        pl.poll = 1
        if nd < 1 or nd > RMAXDIM:
            raise ValueError(f"FootprintPlan: 1..{RMAXDIM} dimensions, got {nd}")
        if fp_shape.shape[0] != nd or base.shape[0] != nd or modes.shape[0] != nd:
            raise ValueError("FootprintPlan: one entry per axis expected")
        if blk < 1 or shape[nd - 1] % blk:
            raise ValueError(f"FootprintPlan: block {blk} does not divide the merged x axis")
        _check_compute(opts.ctc, "FootprintPlan")
        if opts.op != OP_MAX and opts.op != OP_MIN and opts.op != OP_RANK:
            raise ValueError(f"FootprintPlan: unknown op {opts.op}")
        kshape = tuple([fp_shape[a] for a in range(nd)])
        fpa = np.asarray(fp, dtype=np.uint8).astype(bool)
        if fpa.size != int(np.prod(kshape)) or fpa.size == 0:
            raise ValueError("FootprintPlan: the footprint does not have its shape")
        fpa = fpa.reshape(kshape)
        self.nd = nd
        self.ctc = opts.ctc
        self.csize = _tc_itemsize(opts.ctc)
        self.isize = _tc_itemsize(opts.in_tc)
        self.osize = _tc_itemsize(opts.out_tc)
        for a in range(nd):
            if shape[a] < 1:
                raise ValueError("FootprintPlan: empty arrays are not planned")
            self.shape[a] = shape[a]
        nout = nd - 1
        lax = nd - 1
        Lx = kshape[lax]
        # rows: distinct outer index tuples with a True tap; runs along x
        rows, row_k, runs = {}, [], []
        maxrun = 1
        for idx in (zip(*np.nonzero(fpa.any(axis=lax))) if nout else [()]):
            line = fpa[idx] if nout else fpa
            key = tuple([int(i) for i in idx])
            x = 0
            while x < Lx:
                if line[x]:
                    e = x
                    while e < Lx and line[e]:
                        e += 1
                    if key not in rows:
                        rows[key] = len(rows)
                        row_k.extend(key)
                    ln = e - x
                    lev = ln.bit_length() - 1
                    runs.append((rows[key], x * blk, (ln - (1 << lev)) * blk, lev))
                    maxrun = max(maxrun, ln)
                    x = e
                else:
                    x += 1
        nlev = maxrun.bit_length()      # levels 0 .. floor(log2(maxrun))
        taps_r, taps_x = [], []
        if opts.op == OP_RANK or plus:
            nlev = 1                    # the rows themselves, no doubling levels
            for r_, x_, ext_, lev_ in runs:
                ln = (1 << lev_) + ext_ // blk
                for t_ in range(ln):
                    taps_r.append(r_)
                    taps_x.append(x_ + t_ * blk)
            if opts.op == OP_RANK and not 0 <= opts.rank < len(taps_r):
                raise ValueError(f"FootprintPlan: rank {opts.rank} outside 0..{len(taps_r) - 1}")
        osh = [shape[a] for a in range(nd)]
        o_n = _intp(osh[:nout])
        maps, offs = [], []
        pos = 0
        for a in range(nout):
            tab = map_table(base[a], base[a] + shape[a] - 1 + kshape[a] - 1, shape[a],
                            modes[a])
            maps.append(tab)
            offs.append(pos)
            pos += tab.shape[0]
        o_map = np.ascontiguousarray(np.concatenate(maps) if maps else np.zeros(1, np.intp))
        o_mapoff = _intp(offs)
        nx_out = shape[lax]
        bx = base[lax] * blk
        x_map = map_table_block(bx, bx + nx_out - 1 + (Lx - 1) * blk, shape[lax],
                                modes[lax], blk)
        spans = list(kshape[:nout])
        mul = []
        m = 1
        for a in range(nout - 1, -1, -1):
            mul.append(m)
            m *= spans[a]
        self.ring_bytes = m * nlev * self.csize     # per element of a tile's row
        o_span = _intp(spans)
        o_mul = _intp(mul[::-1])
        row_k_a = _intp(row_k)
        run_row = _intp([r[0] for r in runs])
        run_x = _intp([r[1] for r in runs])
        run_ext = _intp([r[2] for r in runs])
        run_lev = _intp([r[3] for r in runs])
        tap_row = _intp(taps_r or [0])
        tap_x = _intp(taps_x or [0])
        run_len = _intp([(1 << r[3]) + r[2] // blk for r in runs] or [0])
        self.keep = (o_n, o_map, o_mapoff, o_span, o_mul, row_k_a, run_row, run_x, run_ext,
                     run_lev, x_map, tap_row, tap_x, run_len)
        memset(pl, 0, sizeof(FPlan))
        pl.nout = nout
        pl.in_tc = opts.in_tc
        pl.out_tc = opts.out_tc
        pl.op = opts.op
        pl.o_n = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_n)
        pl.o_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_map)
        pl.o_mapoff = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_mapoff)
        pl.o_span = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_span)
        pl.o_mul = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_mul)
        pl.nrows = len(rows)
        pl.row_k = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>row_k_a)
        pl.nruns = len(runs)
        pl.run_row = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>run_row)
        pl.run_x = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>run_x)
        pl.run_ext = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>run_ext)
        pl.run_lev = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>run_lev)
        pl.rank = opts.rank
        if opts.cast != CAST_ND and opts.cast != CAST_WRAP:
            raise ValueError(f"FootprintPlan: unknown cast {opts.cast}")
        pl.cast = opts.cast
        pl.ntaps = len(taps_r)
        pl.net = pl.ntaps if (opts.op == OP_RANK and pl.ntaps in (9, 25, 27)
                              and opts.rank == pl.ntaps // 2
                              and opts.ctc in (TC_UINT8, TC_UINT16, TC_INT16, TC_FLOAT32,
                                               TC_FLOAT64)) else 0
        pl.run_len = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>run_len)
        pl.box3 = (pl.net == 9 and len(runs) == 3 and len(rows) == 3
                   and all([(1 << r[3]) + r[2] // blk == 3 for r in runs])
                   and 2 * blk <= 32)
        # a sliding histogram beats the per-pixel selection from about 40
        # taps (8 bits: 2 updates per run and a 32-bin scan per pixel) and
        # 1000 taps (16 bits: a 512-bin scan)
        # other windows up to 64 taps: a pruned Batcher network, looped
        pl.ncomp = 0
        pl.comp_chunk = 0
        comp = np.zeros(3, np.int32)
        if (opts.op == OP_RANK and not pl.net and pl.ntaps <= 64
                and not (opts.ctc in (TC_UINT8, TC_INT8) and pl.ntaps >= 40)):
            comp = _selection_network(pl.ntaps, opts.rank)
            pl.ncomp = comp.shape[0] // 3
            pl.comp_chunk = max(16, min(256, 16384 // (pl.ntaps * self.csize)))
        self.keep = self.keep + (comp,)
        pl.comp = <const int32_t*>cnp.PyArray_DATA(<cnp.ndarray>comp)
        pl.tap_add = NULL
        if plus:
            if opts.op != OP_MAX and opts.op != OP_MIN:
                raise ValueError("FootprintPlan: tap_add needs OP_MAX or OP_MIN")
            add = np.ascontiguousarray(tap_add, dtype=np.float64).reshape(-1)
            if add.shape[0] != pl.ntaps:
                raise ValueError(f"FootprintPlan: {add.shape[0]} addends for {pl.ntaps} taps")
            if opts.ctc != TC_FLOAT64:
                raise ValueError("FootprintPlan: tap_add needs the float64 compute type")
            self.keep = self.keep + (add,)
            pl.tap_add = <const double*>cnp.PyArray_DATA(<cnp.ndarray>add)
            pl.plus_tc = sum_tc if sum_tc >= 0 else opts.in_tc
        pl.hist = 0
        if opts.op == OP_RANK and not pl.net and not pl.ncomp:
            if opts.ctc in (TC_UINT8, TC_INT8) and pl.ntaps >= 40:
                pl.hist = 8
            elif opts.ctc in (TC_UINT16, TC_INT16) and pl.ntaps >= 1000:
                pl.hist = 16
        pl.tap_row = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tap_row)
        pl.tap_x = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tap_x)
        pl.nlev = nlev
        pl.blk = blk
        pl.nx_in = shape[lax]
        pl.nx_out = nx_out
        pl.Lx = Lx
        pl.bx = bx
        pl.x_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>x_map)
        pl.nlines = 1
        for a in range(nout):
            pl.nlines *= shape[a]
        pl.nslots = m

    def run(self, cnp.ndarray inp, cnp.ndarray out, cval, int nthreads):
        """Reduce ``inp`` into ``out`` (see :class:`BoxPlan.run`)."""
        cdef FPlan pl = self.tpl
        cdef int nd = self.nd, a, status = 0
        cdef Py_ssize_t ntiles, tile_w
        _check_arrays(inp, out, nd, self.shape, self.shape, self.isize, self.osize,
                      "FootprintPlan")
        pl.inp = <const char*>cnp.PyArray_DATA(inp)
        pl.out = <char*>cnp.PyArray_DATA(out)
        for a in range(nd - 1):
            pl.o_istr[a] = inp.strides[a]
            pl.o_ostr[a] = out.strides[a]
        pl.x_istr = inp.strides[nd - 1]
        pl.x_ostr = out.strides[nd - 1]
        pl.direct_out = pl.out_tc == self.ctc and pl.x_ostr == self.csize
        ntiles = 1
        if nthreads > 1 and pl.nlines < 4 * nthreads and pl.nx_out >= 4096:
            ntiles = min(4 * nthreads, pl.nx_out // 2048)
        tile_w = (pl.nx_out + ntiles - 1) // ntiles
        ntiles = (pl.nx_out + tile_w - 1) // tile_w
        pl.ntiles = ntiles
        pl.tile_w = tile_w
        pl.nvmax = tile_w + (pl.Lx - 1) * pl.blk
        # a ring of rows (one slot per outer window position) when it fits
        # in 16 MiB, else one slot per footprint row
        pl.ring = self.ring_bytes * pl.nvmax <= (16 << 20)
        pl.nslots = self.tpl.nslots if pl.ring else max(pl.nrows, 1)
        pl.nbands = bands_for(nthreads, pl.nlines * ntiles)
        pl.dyn = dynamic_schedule(cnp.PyArray_NBYTES(inp) + cnp.PyArray_NBYTES(out))
        cdef Interrupt intr
        interrupt_init(&intr)
        pl.intr = &intr
        if pl.op == OP_RANK:
            pl.poll = poll_units(<double>pl.tile_w * (pl.ntaps + 1) * 8.0)
        else:
            pl.poll = poll_units(<double>pl.tile_w * (pl.nruns + 1) * 4.0)
        status = _dispatch_fp(&pl, self.ctc, cval, nthreads)
        check_interrupt(&intr)
        if status != 0:
            raise MemoryError("pyfilter: out of memory for the footprint buffers")
        return out


cdef int _dispatch_fp(const FPlan* pl, int ctc, cval, int nthreads) except -1:
    cdef int8_t c_i8
    cdef uint8_t c_u8
    cdef int16_t c_i16
    cdef uint16_t c_u16
    cdef int32_t c_i32
    cdef uint32_t c_u32
    cdef int64_t c_i64
    cdef uint64_t c_u64
    cdef float c_f
    cdef double c_d
    cdef int status = 0
    if ctc == TC_FLOAT32:
        c_f = cval
        with nogil:
            status = _frun(pl, c_f, nthreads)
    elif ctc == TC_FLOAT64:
        c_d = cval
        with nogil:
            status = _frun(pl, c_d, nthreads)
    elif ctc == TC_UINT8:
        c_u8 = cval
        with nogil:
            status = _frun(pl, c_u8, nthreads)
    elif ctc == TC_INT8:
        c_i8 = cval
        with nogil:
            status = _frun(pl, c_i8, nthreads)
    elif ctc == TC_INT16:
        c_i16 = cval
        with nogil:
            status = _frun(pl, c_i16, nthreads)
    elif ctc == TC_UINT16:
        c_u16 = cval
        with nogil:
            status = _frun(pl, c_u16, nthreads)
    elif ctc == TC_INT32:
        c_i32 = cval
        with nogil:
            status = _frun(pl, c_i32, nthreads)
    elif ctc == TC_UINT32:
        c_u32 = cval
        with nogil:
            status = _frun(pl, c_u32, nthreads)
    elif ctc == TC_INT64:
        c_i64 = cval
        with nogil:
            status = _frun(pl, c_i64, nthreads)
    else:
        c_u64 = cval
        with nogil:
            status = _frun(pl, c_u64, nthreads)
    return status


# ---------------------------------------------------------------- histogram rank
# skimage.filters.rank: a local histogram over a footprint whose window
# shrinks at the borders (only pixels inside the image, and inside the
# mask when one is given, are counted), and one statistic of it per
# output pixel.  The footprint is a list of x runs (dz, dy, x0, len)
# relative to the output pixel; each output line (z, y) starts from an
# empty histogram built at x = 0 and slides along x, each run removing
# its pixel at x - 1 + x0 and adding the one at x + x0 + len - 1.  Lines
# are split into contiguous bands, one per thread, each with its own
# histogram (fine bins plus coarse bins of 2**shift fine bins), so
# results do not depend on the thread count.  The statistics repeat
# scikit-image's kernels' arithmetic (core_cy / generic_cy /
# percentile_cy) and return it as a double; the caller casts.

cdef enum:
    HR_MIN = 0
    HR_MAX = 1
    HR_MEDIAN = 2
    HR_MEAN = 3
    HR_SUM = 4
    HR_MODAL = 5
    HR_GRADIENT = 6
    HR_PERCENTILE = 7
    HR_POP = 8
    HR_ENTROPY = 9
    HR_OTSU = 10
    HR_AUTOLEVEL = 11
    HR_EQUALIZE = 12
    HR_GEOMEAN = 13
    HR_SUBMEAN = 14
    HR_ENHANCE = 15
    HR_THRESHOLD = 16


ctypedef fused hval_t:
    uint8_t
    uint16_t

cdef struct HPlan:
    Py_ssize_t nz, ny, nx
    Py_ssize_t nruns
    const Py_ssize_t* runs        # nruns x (dz, dy, x0, len)
    Py_ssize_t nbins, shift, ncoarse
    Py_ssize_t kbins              # the bin count in the kernels' formulas
    Py_ssize_t cdz, cdy, cdx      # where the centre pixel g lies (0: the output pixel)
    int method, nbands
    double p0
    const char* img               # C-contiguous (nz, ny, nx)
    const uint8_t* mask           # same shape, NULL: every pixel counts
    double* out                   # C-contiguous (nz, ny, nx)


cdef inline Py_ssize_t _first_bin(const int32_t* H, const int32_t* C,
                                  Py_ssize_t sh) noexcept nogil:
    cdef Py_ssize_t c = 0, i
    while C[c] == 0:
        c += 1
    i = c << sh
    while H[i] == 0:
        i += 1
    return i


cdef inline Py_ssize_t _last_bin(const int32_t* H, const int32_t* C, Py_ssize_t sh,
                                 Py_ssize_t nc, Py_ssize_t nb) noexcept nogil:
    cdef Py_ssize_t c = nc - 1, i
    while C[c] == 0:
        c -= 1
    i = min((c + 1) << sh, nb) - 1
    while H[i] == 0:
        i -= 1
    return i


cdef double _hstat_g(const HPlan* pl, const int32_t* H, const int32_t* C,
                     Py_ssize_t pop, int64_t tot, Py_ssize_t g) noexcept nogil:
    """The statistics that read the centre pixel's value ``g``."""
    cdef int m = pl.method
    cdef Py_ssize_t nb = pl.nbins, sh = pl.shift, nc = pl.ncoarse, kb = pl.kbins
    cdef Py_ssize_t i, imin, imax, delta, acc
    cdef double dpop = <double>pop, r
    if pop == 0:
        return 0.0
    if m == HR_AUTOLEVEL or m == HR_ENHANCE:
        imin = _first_bin(H, C, sh)
        imax = _last_bin(H, C, sh, nc, nb)
        if m == HR_ENHANCE:
            return <double>(imax if imax - g < g - imin else imin)
        delta = imax - imin
        if delta > 0:
            # C's truncating integer division
            acc = (kb - 1) * (g - imin)
            return <double>(acc // delta if acc >= 0 else -((-acc) // delta))
        return 0.0
    if m == HR_EQUALIZE:
        acc = 0
        for i in range(kb):
            acc += H[i] if i < nb else 0
            if i >= g:
                break
        return ((kb - 1) * acc) / dpop
    if m == HR_GEOMEAN:
        r = 0.0
        for i in range(nb):
            if H[i]:
                r += H[i] * log(i + 1)
        r = exp(r / dpop) - 1
        return <double>(<Py_ssize_t>((r + 0.5) if r > 0.0 else (r - 0.5)))
    if m == HR_SUBMEAN:
        return g - tot / dpop
    # HR_THRESHOLD
    return <double>(g > (tot / dpop))


cdef double _hstat(const HPlan* pl, const int32_t* H, const int32_t* C,
                   Py_ssize_t pop, int64_t tot) noexcept nogil:
    cdef int m = pl.method
    cdef Py_ssize_t nb = pl.nbins, sh = pl.shift, nc = pl.ncoarse
    cdef Py_ssize_t i, c, acc, imin, imax, hmax, q1, mu1, mu2, P, mu, max_i
    cdef double e, p, dpop, t, sigma_b, max_sigma_b, lim
    if pop == 0:
        return 0.0
    if m == HR_POP:
        return <double>pop
    if m == HR_SUM:
        return <double>tot
    if m == HR_MEAN:
        return tot / <double>pop
    if m == HR_MIN or m == HR_MAX or m == HR_GRADIENT or (m == HR_PERCENTILE and pl.p0 == 1):
        imin = 0
        imax = 0
        if m != HR_MAX and not (m == HR_PERCENTILE):
            c = 0
            while C[c] == 0:
                c += 1
            i = c << sh
            while H[i] == 0:
                i += 1
            imin = i
            if m == HR_MIN:
                return <double>imin
        c = nc - 1
        while C[c] == 0:
            c -= 1
        i = min((c + 1) << sh, nb) - 1
        while H[i] == 0:
            i -= 1
        imax = i
        return <double>(imax - imin)
    if m == HR_MEDIAN:
        acc = 0
        c = 0
        while 2 * (acc + C[c]) <= pop:
            acc += C[c]
            c += 1
        i = c << sh
        while True:
            acc += H[i]
            if 2 * acc > pop:
                return <double>i
            i += 1
    if m == HR_PERCENTILE:
        lim = pl.p0 * <double>pop
        acc = 0
        c = 0
        while c < nc and <double>(acc + C[c]) <= lim:
            acc += C[c]
            c += 1
        if c == nc:
            return <double>(nb - 1)
        i = c << sh
        while True:
            acc += H[i]
            if <double>acc > lim:
                return <double>i
            i += 1
    if m == HR_MODAL:
        hmax = 0
        imax = 0
        for i in range(nb):
            if H[i] > hmax:
                hmax = H[i]
                imax = i
        return <double>imax
    if m == HR_ENTROPY:
        dpop = <double>pop
        e = 0.0
        for c in range(nc):
            if C[c] == 0:
                continue
            for i in range(c << sh, min((c + 1) << sh, nb)):
                p = H[i] / dpop
                if p > 0:
                    e -= p * log(p) / 0.6931471805599453
        return e
    # HR_OTSU
    dpop = <double>pop
    mu = <Py_ssize_t>tot
    max_i = 0
    q1 = H[0]
    mu1 = 0
    max_sigma_b = 0.0
    for i in range(1, nb):
        P = H[i]
        if P == 0:
            continue
        q1 = q1 + P
        if q1 == pop:
            break
        mu1 = mu1 + i * P
        mu2 = mu - mu1
        t = (dpop - q1) * mu1 - mu2 * q1
        sigma_b = (t * t) / (q1 * (dpop - q1))
        if sigma_b > max_sigma_b:
            max_sigma_b = sigma_b
            max_i = i
    return <double>max_i


cdef inline Py_ssize_t _gval(const hval_t* row, Py_ssize_t x, Py_ssize_t nx) noexcept nogil:
    if row == NULL or x < 0 or x >= nx:
        return 0
    return row[x]


cdef int _hband(const HPlan* pl, hval_t dummy, int band) noexcept nogil:
    cdef Py_ssize_t nlines = pl.nz * pl.ny
    cdef Py_ssize_t u0 = nlines * band // pl.nbands
    cdef Py_ssize_t u1 = nlines * (band + 1) // pl.nbands
    if u1 <= u0:
        return 0
    cdef Py_ssize_t nx = pl.nx, nr = pl.nruns, sh = pl.shift
    cdef int32_t* H = <int32_t*>malloc((pl.nbins + pl.ncoarse + 1) * sizeof(int32_t))
    cdef Py_ssize_t* act = <Py_ssize_t*>malloc((nr + 1) * sizeof(Py_ssize_t))
    cdef int32_t* C
    cdef const hval_t* img = <const hval_t*>pl.img
    cdef const uint8_t* mk = pl.mask
    cdef Py_ssize_t u, z, y, k, na, r, zz, yy, x, xa, xe, off, pop, v
    cdef int64_t tot
    cdef const Py_ssize_t* rr
    cdef double* orow
    cdef const hval_t* grow
    cdef Py_ssize_t gz, gy
    if H == NULL or act == NULL:
        free(H)
        free(act)
        return -1
    C = H + pl.nbins
    for u in range(u0, u1):
        z = u // pl.ny
        y = u % pl.ny
        memset(H, 0, (pl.nbins + pl.ncoarse) * sizeof(int32_t))
        pop = 0
        tot = 0
        na = 0
        for r in range(nr):
            rr = pl.runs + 4 * r
            zz = z + rr[0]
            yy = y + rr[1]
            if zz < 0 or zz >= pl.nz or yy < 0 or yy >= pl.ny:
                continue
            act[na] = r
            na += 1
            off = (zz * pl.ny + yy) * nx
            for x in range(max(rr[2], 0), min(rr[2] + rr[3], nx)):
                if mk == NULL or mk[off + x]:
                    v = img[off + x]
                    H[v] += 1
                    C[v >> sh] += 1
                    pop += 1
                    tot += v
        orow = pl.out + u * nx
        gz = z + pl.cdz
        gy = y + pl.cdy
        grow = NULL
        if gz >= 0 and gz < pl.nz and gy >= 0 and gy < pl.ny:
            grow = img + (gz * pl.ny + gy) * nx
        if pl.method >= HR_AUTOLEVEL:
            orow[0] = _hstat_g(pl, H, C, pop, tot, _gval(grow, pl.cdx, nx))
        else:
            orow[0] = _hstat(pl, H, C, pop, tot)
        for x in range(1, nx):
            for k in range(na):
                rr = pl.runs + 4 * act[k]
                off = ((z + rr[0]) * pl.ny + y + rr[1]) * nx
                xe = x - 1 + rr[2]
                if xe >= 0 and xe < nx and (mk == NULL or mk[off + xe]):
                    v = img[off + xe]
                    H[v] -= 1
                    C[v >> sh] -= 1
                    pop -= 1
                    tot -= v
                xa = x + rr[2] + rr[3] - 1
                if xa >= 0 and xa < nx and (mk == NULL or mk[off + xa]):
                    v = img[off + xa]
                    H[v] += 1
                    C[v >> sh] += 1
                    pop += 1
                    tot += v
            if pl.method >= HR_AUTOLEVEL:
                orow[x] = _hstat_g(pl, H, C, pop, tot, _gval(grow, x + pl.cdx, nx))
            else:
                orow[x] = _hstat(pl, H, C, pop, tot)
    free(H)
    free(act)
    return 0


cdef int _hrun(const HPlan* pl, hval_t dummy, int nthreads) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or pl.nbands <= 1:
        for band in range(pl.nbands):
            failures += _hband(pl, dummy, band) != 0
        return failures
    for band in prange(pl.nbands, schedule='static', num_threads=nthreads):
        failures += _hband(pl, dummy, band) != 0
    return failures


HIST_RANK_METHODS = {"minimum": HR_MIN, "maximum": HR_MAX, "median": HR_MEDIAN,
                     "mean": HR_MEAN, "sum": HR_SUM, "modal": HR_MODAL,
                     "gradient": HR_GRADIENT, "percentile": HR_PERCENTILE, "pop": HR_POP,
                     "entropy": HR_ENTROPY, "otsu": HR_OTSU, "autolevel": HR_AUTOLEVEL,
                     "equalize": HR_EQUALIZE, "geometric_mean": HR_GEOMEAN,
                     "subtract_mean": HR_SUBMEAN, "enhance_contrast": HR_ENHANCE,
                     "threshold": HR_THRESHOLD}


cdef class HistPlan:
    """A histogram rank filter over the footprint runs ``runs`` (an (n, 4)
    int array of dz, dy, x0, len relative to the output pixel) for images
    of shape ``shape`` (nz, ny, nx), ``nbins`` histogram bins, the
    statistic ``method`` (a HIST_RANK_METHODS code) and percentile ``p0``."""
    cdef HPlan tpl
    cdef Py_ssize_t[::1] runs_mv
    cdef readonly tuple shape

    def __init__(self, shape, runs, Py_ssize_t nbins, int method, double p0,
                 Py_ssize_t kbins=0, centre=(0, 0, 0)):
        cdef Py_ssize_t bits = 1
        self.runs_mv = np.ascontiguousarray(runs, dtype=np.intp).reshape(-1)
        self.shape = tuple(int(s) for s in shape)
        memset(&self.tpl, 0, sizeof(HPlan))
        self.tpl.nz, self.tpl.ny, self.tpl.nx = self.shape
        self.tpl.nruns = self.runs_mv.shape[0] // 4
        self.tpl.runs = &self.runs_mv[0] if self.tpl.nruns else NULL
        self.tpl.nbins = nbins
        while (<Py_ssize_t>1 << bits) < nbins:
            bits += 1
        self.tpl.shift = max(4, (bits + 1) // 2)
        self.tpl.ncoarse = ((nbins - 1) >> self.tpl.shift) + 1
        self.tpl.method = method
        self.tpl.p0 = p0
        self.tpl.kbins = kbins if kbins > 0 else nbins
        self.tpl.cdz, self.tpl.cdy, self.tpl.cdx = centre

    def run(self, cnp.ndarray image, mask, cnp.ndarray out, int nthreads):
        """Fill the float64 C-contiguous ``out`` from the C-contiguous
        uint8/uint16 ``image`` (values < nbins) and the C-contiguous uint8
        ``mask`` (or None), both of the plan's shape."""
        cdef HPlan pl = self.tpl
        cdef cnp.ndarray m
        cdef int status = 0
        cdef uint8_t d8 = 0
        cdef uint16_t d16 = 0
        cdef bint is8 = image.dtype == np.uint8
        pl.img = <const char*>cnp.PyArray_DATA(image)
        pl.out = <double*>cnp.PyArray_DATA(out)
        if mask is not None:
            m = mask
            pl.mask = <const uint8_t*>cnp.PyArray_DATA(m)
        nthreads = max(1, min(nthreads, pl.nz * pl.ny))
        pl.nbands = nthreads
        with nogil:
            if is8:
                status = _hrun(&pl, d8, nthreads)
            else:
                status = _hrun(&pl, d16, nthreads)
        if status:
            raise MemoryError("histogram rank filter: out of memory")


# ---------------------------------------------------------------- generic filters
# scipy.ndimage.generic_filter / generic_filter1d on the footprint kernel's
# row loading: the plan is a FootprintPlan of op OP_RANK computing in
# float64 (its tap table lists the footprint's True entries in C order);
# instead of selecting, each output position's taps are gathered and
# handed to the caller's function.  ``line`` plans (generic_filter1d) have
# a one-row footprint of L taps along x and one tile: the loaded slot is
# the line extended by the mode (n + L - 1 values) and the function fills
# the whole output line.  A C function (scipy.LowLevelCallable) runs
# without the GIL on the plan's bands; a Python callable runs serially
# under the GIL, as in scipy, getting fresh arrays on each call.
from libc.stdint cimport intptr_t
from cpython.ref cimport PyObject

ctypedef int (*gen_nd_fn)(double*, intptr_t, double*, void*) noexcept nogil
ctypedef int (*gen_1d_fn)(double*, intptr_t, double*, intptr_t, void*) noexcept nogil


cdef struct GCall:
    bint line                     # generic_filter1d: one call per output line
    void* cfunc                   # the C function, NULL for a Python callable
    void* user_data
    PyObject* state               # Python callable: (function, args, kwargs, errors)
    int* failed                   # set when a call fails (all bands stop)


cdef int _generic_py(const GCall* gc, const double** tp, Py_ssize_t ntaps, double* R,
                     Py_ssize_t nxo, const double* line, Py_ssize_t nin) noexcept with gil:
    """The Python callable on nxo positions (or on one line): 0, or -1 with
    the exception kept in the state's error list."""
    cdef tuple st = <tuple>gc.state
    cdef object fn = st[0]
    cdef tuple args = st[1]
    cdef dict kw = st[2]
    cdef cnp.ndarray buf, obuf
    cdef double* bp
    cdef Py_ssize_t x, t
    try:
        if gc.line:
            buf = np.empty(nin, dtype=np.float64)
            memcpy(cnp.PyArray_DATA(buf), line, nin * sizeof(double))
            obuf = np.zeros(nxo, dtype=np.float64)
            fn(buf, obuf, *args, **kw)
            memcpy(R, cnp.PyArray_DATA(obuf), nxo * sizeof(double))
            return 0
        for x in range(nxo):
            buf = np.empty(ntaps, dtype=np.float64)
            bp = <double*>cnp.PyArray_DATA(buf)
            for t in range(ntaps):
                bp[t] = tp[t][x]
            R[x] = fn(buf, *args, **kw)
        return 0
    except BaseException as exc:
        st[3].append(exc)
        gc.failed[0] = 1
        return -1


cdef int _generic_row(const FPlan* pl, double* R, const double* slots,
                      const Py_ssize_t* rowslot, Py_ssize_t slot_len, Py_ssize_t nxo,
                      Py_ssize_t nv, double* g, const double** tp,
                      const GCall* gc) noexcept nogil:
    """R[x] = the function of the footprint's taps at x (or, for a line
    plan, R = the function's output line from the loaded extended line)."""
    cdef Py_ssize_t x, t, n = pl.ntaps
    cdef const double* line = slots + rowslot[0] * slot_len
    if gc.line:
        if gc.cfunc == NULL:
            return _generic_py(gc, tp, n, R, nxo, line, nv)
        if (<gen_1d_fn>gc.cfunc)(<double*>line, nv, R, nxo, gc.user_data) == 0:
            gc.failed[0] = 1
            return -1
        return 0
    for t in range(n):
        tp[t] = slots + rowslot[pl.tap_row[t]] * slot_len + pl.tap_x[t]
    if gc.cfunc == NULL:
        return _generic_py(gc, tp, n, R, nxo, NULL, 0)
    for x in range(nxo):
        for t in range(n):
            g[t] = tp[t][x]
        if (<gen_nd_fn>gc.cfunc)(g, n, R + x, gc.user_data) == 0:
            gc.failed[0] = 1
            return -1
    return 0


cdef int _gband(const FPlan* pl, int band, double cval, const GCall* gc) noexcept nogil:
    """One band of output lines of a generic plan (the loop of _fband)."""
    cdef Py_ssize_t nunits = pl.nlines * pl.ntiles
    cdef Py_ssize_t u0 = nunits * band // pl.nbands
    cdef Py_ssize_t u1 = nunits * (band + 1) // pl.nbands
    if u1 <= u0:
        return 0
    cdef int nout = pl.nout
    cdef Py_ssize_t slot_len = pl.nvmax
    cdef double* slots = <double*>malloc(pl.nslots * slot_len * sizeof(double))
    cdef Py_ssize_t* tags = <Py_ssize_t*>malloc(pl.nslots * (nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* rowslot = <Py_ssize_t*>malloc((pl.nrows + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* o = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* vr = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef double* Rb = <double*>malloc(pl.tile_w * sizeof(double))
    cdef double* g = <double*>malloc((pl.ntaps + 1) * sizeof(double))
    cdef const double** tp = <const double**>malloc((pl.ntaps + 1) * sizeof(double*))
    cdef int status = 0
    cdef Py_ssize_t until_poll, u, a, t, rem, xo0, nxo, vx0, nv, r, slot, off, j, v
    cdef bint hit
    cdef char* dst
    if (slots == NULL or tags == NULL or rowslot == NULL or o == NULL or vr == NULL
            or Rb == NULL or g == NULL or tp == NULL):
        status = -1
    else:
        for a in range(pl.nslots * (nout + 1)):
            tags[a] = -1
        rem = u0 % pl.nlines
        for a in range(nout - 1, -1, -1):
            o[a] = rem % pl.o_n[a]
            rem = rem // pl.o_n[a]
        until_poll = 1
        for u in range(u0, u1):
            if gc.failed[0] or stop_now(pl.intr, &until_poll, pl.poll):
                break
            t = u // pl.nlines
            xo0 = t * pl.tile_w
            nxo = pl.nx_out - xo0
            if nxo > pl.tile_w:
                nxo = pl.tile_w
            vx0 = xo0 + pl.bx
            nv = nxo + (pl.Lx - 1) * pl.blk
            for r in range(pl.nrows):
                slot = 0
                for a in range(nout):
                    v = o[a] + pl.row_k[r * nout + a]
                    vr[a] = v
                    if pl.ring:
                        slot = slot + (v % pl.o_span[a]) * pl.o_mul[a]
                vr[nout] = t
                if not pl.ring:
                    slot = r
                hit = True
                for a in range(nout + 1):
                    if tags[slot * (nout + 1) + a] != vr[a]:
                        hit = False
                        break
                if not hit:
                    off = 0
                    for a in range(nout):
                        j = pl.o_map[pl.o_mapoff[a] + vr[a]]
                        if j < 0:
                            off = NO_ROW
                            break
                        off = off + j * pl.o_istr[a]
                    _load_haloed(pl, slots + slot * slot_len, off, vx0, nv, cval)
                    for a in range(nout + 1):
                        tags[slot * (nout + 1) + a] = vr[a]
                rowslot[r] = slot
            dst = pl.out + xo0 * pl.x_ostr
            for a in range(nout):
                dst = dst + o[a] * pl.o_ostr[a]
            if _generic_row(pl, Rb, slots, rowslot, slot_len, nxo, nv, g, tp, gc) != 0:
                status = -2
                break
            store_run(dst, pl.x_ostr, Rb, nxo, pl.out_tc, pl.cast)
            for a in range(nout - 1, -1, -1):
                o[a] += 1
                if o[a] < pl.o_n[a]:
                    break
                o[a] = 0
    free(slots)
    free(tags)
    free(rowslot)
    free(o)
    free(vr)
    free(Rb)
    free(g)
    free(tp)
    return status


cdef int _grun(const FPlan* pl, double cval, const GCall* gc, int nthreads) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or pl.nbands <= 1:
        for band in range(pl.nbands):
            if _gband(pl, band, cval, gc) == -1:
                failures += 1
        return failures
    for band in prange(pl.nbands, schedule='dynamic', chunksize=1, num_threads=nthreads):
        if _gband(pl, band, cval, gc) == -1:
            failures += 1
    return failures


cdef class GenericPlan:
    """A generic filter (scipy.ndimage.generic_filter, or generic_filter1d
    with ``line``) planned once for its shapes: a float64
    :class:`FootprintPlan` (``opts.op`` OP_RANK, ``opts.ctc`` float64;
    its parameters) whose taps go to a function instead of a selection.
    A line plan has the footprint ``ones(L)`` along the last axis.

    ``run(inp, out, function, args, kwargs, cval, nthreads)``: ``function``
    a Python callable (called serially, under the GIL, with
    ``*args, **kwargs``) or a tuple ``(address, user_data)`` of a C function
    of scipy's signature (called in parallel without the GIL); returns
    ``out``, or raises what the Python callable raised, or
    ``RuntimeError``-class ``error`` (``run``'s last argument) when a C
    function returns 0.
    """
    cdef FootprintPlan fplan
    cdef bint line

    def __init__(self, const Py_ssize_t[::1] shape, const unsigned char[::1] fp,
                 const Py_ssize_t[::1] fp_shape, const Py_ssize_t[::1] base,
                 const int[::1] modes, FootOpts opts, bint line, bint empty):
        cdef int cast = opts.cast
        if opts.ctc != TC_FLOAT64 or opts.op != OP_RANK or opts.rank != 0:
            raise ValueError("GenericPlan: op OP_RANK, rank 0 and float64 expected")
        if cast != CAST_ND and cast != CAST_LINE:
            raise ValueError(f"GenericPlan: unknown cast {cast}")
        opts.cast = CAST_ND
        self.fplan = FootprintPlan(shape, fp, fp_shape, base, modes, opts)
        self.fplan.tpl.cast = cast
        if empty:
            # an all-False footprint (planned with one tap): no taps
            self.fplan.tpl.ntaps = 0
        self.line = line
        if line and (opts.block != 1 or self.fplan.tpl.nrows != 1):
            raise ValueError("GenericPlan: a line plan has one footprint row and no block")

    def run(self, cnp.ndarray inp, cnp.ndarray out, function, tuple args, dict kwargs,
            double cval, int nthreads, error):
        cdef FootprintPlan fpl = self.fplan
        cdef FPlan pl = fpl.tpl
        cdef int nd = fpl.nd, a, failures
        cdef int failed = 0
        cdef GCall gc
        cdef object state = None
        _check_arrays(inp, out, nd, fpl.shape, fpl.shape, fpl.isize, fpl.osize,
                      "GenericPlan")
        memset(&gc, 0, sizeof(GCall))
        gc.line = self.line
        gc.failed = &failed
        if isinstance(function, tuple):
            gc.cfunc = <void*><size_t>function[0]
            gc.user_data = <void*><size_t>function[1]
            if gc.cfunc == NULL:
                raise ValueError("GenericPlan: a NULL function pointer")
        else:
            state = (function, args, kwargs, [])
            gc.state = <PyObject*>state
            nthreads = 1
        pl.inp = <const char*>cnp.PyArray_DATA(inp)
        pl.out = <char*>cnp.PyArray_DATA(out)
        for a in range(nd - 1):
            pl.o_istr[a] = inp.strides[a]
            pl.o_ostr[a] = out.strides[a]
        pl.x_istr = inp.strides[nd - 1]
        pl.x_ostr = out.strides[nd - 1]
        pl.direct_out = False
        pl.ntiles = 1
        pl.tile_w = pl.nx_out
        pl.nvmax = pl.tile_w + (pl.Lx - 1) * pl.blk
        pl.ring = fpl.ring_bytes * pl.nvmax <= (16 << 20)
        pl.nslots = fpl.tpl.nslots if pl.ring else max(pl.nrows, 1)
        pl.nbands = bands_for(nthreads, pl.nlines)
        cdef Interrupt intr
        interrupt_init(&intr)
        pl.intr = &intr
        pl.poll = poll_units(<double>pl.tile_w * (pl.ntaps + 1) * 64.0)
        if gc.cfunc == NULL:
            failures = _grun(&pl, cval, &gc, 1)
        else:
            with nogil:
                failures = _grun(&pl, cval, &gc, nthreads)
        if state is not None and state[3]:
            raise state[3][0]
        check_interrupt(&intr)
        if failures:
            raise MemoryError("pyfilter: out of memory for the generic filter's buffers")
        if failed:
            raise error("unknown error in filter function")
        return out


# ---------------------------------------------------------------- table kernel
# Up to 3 spatial axes (missing ones have extent 1).  For output index i
# along axis a the window's valid taps are st_a[i] + k * d_a, k < ct_a[i].
cdef struct TPlan:
    const char* inp
    char* out
    int64_t* idx                  # NULL: no indices
    int op                        # OP_MAX, or OP_SUM for the mean
    Py_ssize_t P
    Py_ssize_t n[3]
    Py_ssize_t m[3]
    Py_ssize_t istr[4]            # byte strides: plane, then spatial axes
    Py_ssize_t ostr[4]
    const Py_ssize_t* st[3]
    const Py_ssize_t* ct[3]
    const Py_ssize_t* fi[3]       # torch's index when a window has no valid tap
    Py_ssize_t d[3]
    const double* dv[3]           # divisor tables (avg backward)
    double div_const
    int nbands
    bint dyn                      # per call: bands taken dynamically
    Interrupt* intr               # per call: Ctrl-C (_common.pxi)
    Py_ssize_t poll               # per call: units between two polls
    # uniform pooling windows along x: outputs ia <= i < ib have all K2 taps
    # at i * s2 + b2 + k * d[2] inside the row (vectorised across i)
    Py_ssize_t ia, ib, s2, b2, K2


cdef void _tvec_update(const rtype* r, rtype* mv, int32_t* ti, Py_ssize_t n,
                       Py_ssize_t s, int32_t t) noexcept nogil:
    """One tap for n outputs: a larger value or a NaN takes the window."""
    cdef Py_ssize_t i
    cdef rtype v
    cdef bint take
    if t == 0:
        if s == 1:
            for i in range(n):
                mv[i] = r[i]
                ti[i] = 0
        else:
            for i in range(n):
                mv[i] = r[s * i]
                ti[i] = 0
        return
    if s == 1:
        for i in range(n):
            v = r[i]
            if rtype is float or rtype is double:
                take = (v > mv[i]) | (v != v)
            else:
                take = v > mv[i]
            mv[i] = v if take else mv[i]
            ti[i] = t if take else ti[i]
    elif s == 2:
        for i in range(n):
            v = r[2 * i]
            if rtype is float or rtype is double:
                take = (v > mv[i]) | (v != v)
            else:
                take = v > mv[i]
            mv[i] = v if take else mv[i]
            ti[i] = t if take else ti[i]
    else:
        for i in range(n):
            v = r[s * i]
            if rtype is float or rtype is double:
                take = (v > mv[i]) | (v != v)
            else:
                take = v > mv[i]
            mv[i] = v if take else mv[i]
            ti[i] = t if take else ti[i]


cdef void _tvec(const TPlan* pl, const char* ip, Py_ssize_t u, Py_ssize_t i0,
                Py_ssize_t i1, char* op_, rtype* mv, int32_t* ti) noexcept nogil:
    """Max pooling with argmax for the interior outputs of one output row."""
    cdef Py_ssize_t n = pl.ib - pl.ia, c0 = pl.ct[0][i0], c1 = pl.ct[1][i1]
    cdef Py_ssize_t s0 = pl.st[0][i0], s1 = pl.st[1][i1], K2 = pl.K2
    cdef Py_ssize_t k0, k1, k2, i, tt, x0 = pl.ia * pl.s2 + pl.b2
    cdef Py_ssize_t n1 = pl.n[1], n2 = pl.n[2]
    cdef int32_t t = 0
    cdef const rtype* row
    for k0 in range(c0):
        for k1 in range(c1):
            row = (<const rtype*>(ip + (s0 + k0 * pl.d[0]) * pl.istr[1]
                                  + (s1 + k1 * pl.d[1]) * pl.istr[2])) + x0
            for k2 in range(K2):
                _tvec_update(row + k2 * pl.d[2], mv, ti, n, pl.s2, t)
                t += 1
    for i in range(n):
        (<rtype*>(op_ + (pl.ia + i) * pl.ostr[3]))[0] = mv[i]
    if pl.idx != NULL:
        for i in range(n):
            tt = ti[i]
            k2 = tt % K2
            tt = tt // K2
            k1 = tt % c1
            k0 = tt // c1
            pl.idx[u * pl.m[2] + pl.ia + i] = (
                ((s0 + k0 * pl.d[0]) * n1 + s1 + k1 * pl.d[1]) * n2
                + x0 + i * pl.s2 + k2 * pl.d[2])


cdef void _trows(const TPlan* pl, Py_ssize_t u0, Py_ssize_t u1, rtype ident) noexcept nogil:
    cdef Py_ssize_t u, p, i0, i1, i2, k0, k1, k2, c0, c1, c2, y0, y1, y2, pos, best
    cdef Py_ssize_t s0, s1, s2
    cdef bint take
    cdef Py_ssize_t xs = pl.istr[3] * pl.d[2], dx = pl.d[2]
    cdef Py_ssize_t m0 = pl.m[0], m1 = pl.m[1], m2 = pl.m[2]
    cdef Py_ssize_t n1 = pl.n[1], n2 = pl.n[2]
    cdef const char* ip
    cdef const char* rp
    cdef char* op_
    cdef rtype v, mval
    cdef double s
    cdef bint vec = (pl.op == OP_MAX and pl.ib > pl.ia
                     and pl.istr[3] == <Py_ssize_t>sizeof(rtype))
    cdef rtype* mv = NULL
    cdef int32_t* ti = NULL
    cdef bint vrow
    if vec:
        mv = <rtype*>malloc((pl.ib - pl.ia) * sizeof(rtype))
        ti = <int32_t*>malloc((pl.ib - pl.ia) * sizeof(int32_t))
        if mv == NULL or ti == NULL:
            vec = False          # fall back to the scalar loop
    cdef Py_ssize_t until_poll = 1
    for u in range(u0, u1):
        if stop_now(pl.intr, &until_poll, pl.poll):
            break
        p = u // (m0 * m1)
        i0 = (u // m1) % m0
        i1 = u % m1
        ip = pl.inp + p * pl.istr[0]
        op_ = pl.out + p * pl.ostr[0] + i0 * pl.ostr[1] + i1 * pl.ostr[2]
        c0 = pl.ct[0][i0]
        c1 = pl.ct[1][i1]
        vrow = vec and c0 > 0 and c1 > 0
        if vrow:
            _tvec(pl, ip, u, i0, i1, op_, mv, ti)
        for i2 in range(m2):
            if vrow and pl.ia <= i2 < pl.ib:
                continue
            c2 = pl.ct[2][i2]
            if pl.op == OP_MAX:
                if c0 == 0 or c1 == 0 or c2 == 0:
                    mval = ident
                    best = (pl.fi[0][i0] * n1 + pl.fi[1][i1]) * n2 + pl.fi[2][i2]
                else:
                    # start from the first valid tap, then visit every tap
                    # in row-major order: a larger value or any NaN wins
                    s0 = pl.st[0][i0]
                    s1 = pl.st[1][i1]
                    s2 = pl.st[2][i2]
                    mval = (<const rtype*>(ip + s0 * pl.istr[1] + s1 * pl.istr[2]
                                           + s2 * pl.istr[3]))[0]
                    best = (s0 * n1 + s1) * n2 + s2
                    for k0 in range(c0):
                        y0 = s0 + k0 * pl.d[0]
                        for k1 in range(c1):
                            y1 = s1 + k1 * pl.d[1]
                            rp = ip + y0 * pl.istr[1] + y1 * pl.istr[2] + s2 * pl.istr[3]
                            pos = (y0 * n1 + y1) * n2 + s2
                            for k2 in range(c2):
                                # branch-free select (random data defeats
                                # the branch predictor)
                                v = (<const rtype*>(rp + k2 * xs))[0]
                                if rtype is float or rtype is double:
                                    take = (v > mval) | (v != v)
                                else:
                                    take = v > mval
                                best = pos + k2 * dx if take else best
                                mval = v if take else mval
                (<rtype*>(op_ + i2 * pl.ostr[3]))[0] = mval
                if pl.idx != NULL:
                    pl.idx[u * m2 + i2] = best
            else:
                if rtype is float or rtype is double:
                    mval = 0
                    for k0 in range(c0):
                        y0 = pl.st[0][i0] + k0 * pl.d[0]
                        for k1 in range(c1):
                            y1 = pl.st[1][i1] + k1 * pl.d[1]
                            rp = ip + y0 * pl.istr[1] + y1 * pl.istr[2]
                            for k2 in range(c2):
                                y2 = pl.st[2][i2] + k2 * pl.d[2]
                                mval = mval + (<const rtype*>(rp + y2 * pl.istr[3]))[0]
                    (<rtype*>(op_ + i2 * pl.ostr[3]))[0] = mval / <rtype>(c0 * c1 * c2)
    free(mv)
    free(ti)


cdef void _trun(const TPlan* pl, rtype ident, int nthreads) noexcept nogil:
    cdef Py_ssize_t nunits = pl.P * pl.m[0] * pl.m[1]
    cdef int band
    if nthreads <= 1 or pl.nbands <= 1:
        _trows(pl, 0, nunits, ident)
        return
    if pl.dyn:
        for band in prange(pl.nbands, schedule='dynamic', chunksize=1,
                           num_threads=nthreads):
            _trows(pl, nunits * band // pl.nbands, nunits * (band + 1) // pl.nbands, ident)
    else:
        for band in prange(pl.nbands, schedule='static', num_threads=nthreads):
            _trows(pl, nunits * band // pl.nbands, nunits * (band + 1) // pl.nbands, ident)


cdef struct TableOpts:
    int op                        # OP_MAX (argmax available) or OP_SUM (mean)
    int ctc                       # the arrays' type code (bool as uint8)
    # uniform pooling windows along x: outputs ia <= i < ib have their K2
    # taps at i * s2 + b2 + k * dilation inside the row (ib <= ia: none)
    Py_ssize_t ia, ib, s2, b2, K2


cdef int _set_tables(TPlan* pl, const Py_ssize_t* m, tables, str who) except -1:
    """pl.st/ct/fi from ``tables`` = (start, count, fallback) intp arrays,
    each the three axes' tables concatenated (m[0] + m[1] + m[2] entries)."""
    cdef int a, k
    cdef Py_ssize_t pos = 0
    cdef cnp.ndarray t
    for k in range(3):
        t = <cnp.ndarray>tables[k]
        if t.shape[0] != m[0] + m[1] + m[2]:
            raise ValueError(f"{who}: one table entry per output index and axis expected")
    pos = 0
    for a in range(3):
        pl.st[a] = (<const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tables[0])) + pos
        pl.ct[a] = (<const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tables[1])) + pos
        pl.fi[a] = (<const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tables[2])) + pos
        pos += m[a]
    return 0


cdef int _check_tables(const Py_ssize_t* n, const Py_ssize_t* m, const Py_ssize_t* d,
                       tables, str who) except -1:
    """Every window tap of the tables lies inside its axis."""
    cdef int a
    cdef Py_ssize_t pos = 0, i, s, c
    cdef const Py_ssize_t* st = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tables[0])
    cdef const Py_ssize_t* ct = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tables[1])
    for a in range(3):
        for i in range(m[a]):
            s = st[pos + i]
            c = ct[pos + i]
            if c > 0 and (s < 0 or s + (c - 1) * d[a] >= n[a]):
                raise ValueError(f"{who}: a window reads outside axis {a}")
        pos += m[a]
    return 0


cdef class TablePlan:
    """Window tables over (P, n0, n1, n2) planes into (P, m0, m1, m2):
    max pooling with argmax indices, adaptive pooling (see the table
    kernel), planned once for its shapes.

    Parameters
    ----------
    in_shape, out_shape : intp[::1]
        The (P, n0, n1, n2) input and (P, m0, m1, m2) output shapes.
    start, count, fallback : intp[::1]
        Per output index of each spatial axis, the first valid tap, the
        number of valid taps (spaced by ``dilation``) and torch's index for
        a window without a valid tap; the three axes' tables concatenated.
    dilation : intp[::1]
        Three tap spacings.
    opts : TableOpts
        OP_MAX: the maximum (NaN wins, the last NaN in row-major order;
        ties keep the first); a window without a valid tap gives the
        type's lowest value.  OP_SUM: the mean of the valid taps.
    """
    cdef TPlan tpl
    cdef object keep
    cdef int ctc
    cdef Py_ssize_t csize
    cdef Py_ssize_t ishape[4]
    cdef Py_ssize_t oshape[4]

    def __init__(self, const Py_ssize_t[::1] in_shape, const Py_ssize_t[::1] out_shape,
                 const Py_ssize_t[::1] start, const Py_ssize_t[::1] count,
                 const Py_ssize_t[::1] fallback, const Py_ssize_t[::1] dilation,
                 TableOpts opts):
        cdef TPlan* pl = &self.tpl
        cdef int a
        pl.intr = NULL
        pl.poll = 1
        if in_shape.shape[0] != 4 or out_shape.shape[0] != 4 or dilation.shape[0] != 3:
            raise ValueError("TablePlan: (P, n0, n1, n2) shapes and three dilations expected")
        _check_compute(opts.ctc, "TablePlan")
        if opts.op != OP_MAX and opts.op != OP_SUM:
            raise ValueError(f"TablePlan: unknown op {opts.op}")
        if opts.op == OP_SUM and opts.ctc != TC_FLOAT32 and opts.ctc != TC_FLOAT64:
            raise TypeError("TablePlan: means of float32 or float64 only")
        memset(pl, 0, sizeof(TPlan))
        for a in range(4):
            if in_shape[a] < 0 or out_shape[a] < 0 or (a > 0 and out_shape[a] > 0
                                                        and in_shape[a] == 0):
                raise ValueError("TablePlan: bad shapes")
            self.ishape[a] = in_shape[a]
            self.oshape[a] = out_shape[a]
        if in_shape[0] != out_shape[0]:
            raise ValueError("TablePlan: the input and output planes differ")
        tabs = (np.ascontiguousarray(start, dtype=np.intp),
                np.ascontiguousarray(count, dtype=np.intp),
                np.ascontiguousarray(fallback, dtype=np.intp))
        pl.P = in_shape[0]
        for a in range(3):
            pl.n[a] = in_shape[a + 1]
            pl.m[a] = out_shape[a + 1]
            if dilation[a] < 1:
                raise ValueError("TablePlan: dilations must be >= 1")
            pl.d[a] = dilation[a]
        _set_tables(pl, pl.m, tabs, "TablePlan")
        _check_tables(pl.n, pl.m, pl.d, tabs, "TablePlan")
        pl.op = opts.op
        pl.ia, pl.ib, pl.s2, pl.b2, pl.K2 = opts.ia, opts.ib, opts.s2, opts.b2, opts.K2
        if pl.ib > pl.ia:
            if (pl.ia < 0 or pl.ib > pl.m[2] or pl.K2 < 1 or pl.s2 < 1
                    or pl.ia * pl.s2 + pl.b2 < 0
                    or (pl.ib - 1) * pl.s2 + pl.b2 + (pl.K2 - 1) * pl.d[2] >= pl.n[2]):
                raise ValueError("TablePlan: the uniform x windows read outside the rows")
        else:
            pl.ia = pl.ib = 0
        self.ctc = opts.ctc
        self.csize = _tc_itemsize(opts.ctc)
        self.keep = tabs

    def run(self, cnp.ndarray inp, cnp.ndarray out, idx, int nthreads):
        """``idx``: None, or a C-contiguous int64 array of out's shape that
        receives each window's argmax as a flat index into its plane."""
        cdef TPlan pl = self.tpl
        cdef int a
        cdef cnp.ndarray ia
        _check_arrays(inp, out, 4, self.ishape, self.oshape, self.csize, self.csize,
                      "TablePlan")
        pl.inp = <const char*>cnp.PyArray_DATA(inp)
        pl.out = <char*>cnp.PyArray_DATA(out)
        for a in range(4):
            pl.istr[a] = inp.strides[a]
            pl.ostr[a] = out.strides[a]
        pl.idx = NULL
        if idx is not None:
            ia = <cnp.ndarray>idx
            if (ia.ndim != 4 or ia.dtype != np.int64 or not cnp.PyArray_IS_C_CONTIGUOUS(ia)
                    or not cnp.PyArray_ISWRITEABLE(ia)):
                raise ValueError("TablePlan.run: idx must be a writeable C-contiguous int64 "
                                 "array of the output's shape")
            for a in range(4):
                if ia.shape[a] != self.oshape[a]:
                    raise ValueError("TablePlan.run: idx must have the output's shape")
            if pl.op != OP_MAX:
                raise ValueError("TablePlan.run: indices of a max only")
            pl.idx = <int64_t*>cnp.PyArray_DATA(ia)
        if cnp.PyArray_SIZE(out) == 0:
            return out
        pl.nbands = bands_for(nthreads, pl.P * pl.m[0] * pl.m[1])
        pl.dyn = dynamic_schedule(cnp.PyArray_NBYTES(inp) + cnp.PyArray_NBYTES(out))
        cdef Interrupt intr
        interrupt_init(&intr)
        pl.intr = &intr
        pl.poll = poll_units(<double>pl.m[2] * 16.0)
        _dispatch_table(&pl, self.ctc, nthreads)
        check_interrupt(&intr)
        return out


cdef int _dispatch_table(const TPlan* pl, int ctc, int nthreads) except -1:
    # the value of a window without a valid tap: the type's lowest value
    if ctc == TC_FLOAT32:
        with nogil:
            _trun(pl, <float>(-INFINITY), nthreads)
    elif ctc == TC_FLOAT64:
        with nogil:
            _trun(pl, <double>(-INFINITY), nthreads)
    elif ctc == TC_UINT8:
        with nogil:
            _trun(pl, <uint8_t>0, nthreads)
    elif ctc == TC_INT8:
        with nogil:
            _trun(pl, <int8_t>(-128), nthreads)
    elif ctc == TC_INT16:
        with nogil:
            _trun(pl, <int16_t>(-32768), nthreads)
    elif ctc == TC_UINT16:
        with nogil:
            _trun(pl, <uint16_t>0, nthreads)
    elif ctc == TC_INT32:
        with nogil:
            _trun(pl, <int32_t>INT32_MIN, nthreads)
    elif ctc == TC_UINT32:
        with nogil:
            _trun(pl, <uint32_t>0, nthreads)
    elif ctc == TC_INT64:
        with nogil:
            _trun(pl, <int64_t>INT64_MIN, nthreads)
    else:
        with nogil:
            _trun(pl, <uint64_t>0, nthreads)
    return 0


# ---------------------------------------------------------------- scatter kernels
cdef int _unpool_plane(const rtype* x, const int64_t* idx, rtype* out,
                       Py_ssize_t nin, Py_ssize_t nout, bint add, bint zero,
                       int64_t* bad) noexcept nogil:
    """out[idx[i]] = x[i] (or += with ``add``) after zeroing ``out`` (with
    ``zero``: the writing thread first-touches its planes); stops at an
    index outside [0, nout) and records it in bad[0]."""
    cdef Py_ssize_t i
    cdef int64_t j
    if zero and nout > 0:
        memset(out, 0, nout * sizeof(rtype))
    for i in range(nin):
        j = idx[i]
        if j < 0 or j >= nout:
            bad[0] = j
            return -1
        if add:
            out[j] = out[j] + x[i]
        else:
            out[j] = x[i]
    return 0


cdef void _scatter_run(const rtype* x, const int64_t* idx, rtype* out,
                       Py_ssize_t P, Py_ssize_t nin, Py_ssize_t nout, bint add, bint zero,
                       char* failed, int64_t* bad, int nthreads) noexcept nogil:
    cdef Py_ssize_t p
    if nthreads <= 1 or P <= 1:
        for p in range(P):
            failed[p] = _unpool_plane(x + p * nin, idx + p * nin, out + p * nout,
                                      nin, nout, add, zero, bad + p) != 0
        return
    for p in prange(P, schedule='static', num_threads=nthreads):
        failed[p] = _unpool_plane(x + p * nin, idx + p * nin, out + p * nout,
                                  nin, nout, add, zero, bad + p) != 0


def scatter(cnp.ndarray x, cnp.ndarray idx, cnp.ndarray out, bint add, bint zero,
            int nthreads):
    """Per plane p: out[p, idx[p, i]] = x[p, i] (``add``: +=), after zeroing
    out's planes when ``zero``.

    ``x`` (P, nin) and ``out`` (P, nout) C-contiguous of one dtype (float32
    or float64 with ``add``; any element size up to 8 bytes otherwise),
    ``idx`` (P, nin) C-contiguous int64.  Returns None, or (plane, index) of
    the first index outside [0, nout) found (planes are independent).
    """
    if x.ndim != 2 or idx.ndim != 2 or out.ndim != 2:
        raise ValueError("scatter: 2-D arrays expected")
    cdef Py_ssize_t P = x.shape[0], nin = x.shape[1], nout = out.shape[1]
    cdef Py_ssize_t isz = cnp.PyArray_ITEMSIZE(x)
    if (idx.shape[0] != P or idx.shape[1] != nin or out.shape[0] != P
            or idx.dtype != np.int64 or x.dtype != out.dtype
            or not cnp.PyArray_IS_C_CONTIGUOUS(x) or not cnp.PyArray_IS_C_CONTIGUOUS(idx)
            or not cnp.PyArray_IS_C_CONTIGUOUS(out) or not cnp.PyArray_ISWRITEABLE(out)):
        raise ValueError("scatter: x, idx (int64) and a writeable out, C-contiguous, of "
                         "matching shapes and dtypes expected")
    failed = np.zeros(max(P, 1), dtype=np.int8)
    bad = np.zeros(max(P, 1), dtype=np.int64)
    cdef char* fp = <char*>cnp.PyArray_DATA(<cnp.ndarray>failed)
    cdef int64_t* bp = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>bad)
    cdef const int64_t* ip = <const int64_t*>cnp.PyArray_DATA(idx)
    cdef void* xp = cnp.PyArray_DATA(x)
    cdef void* op = cnp.PyArray_DATA(out)
    if add:
        if x.dtype == np.float32:
            with nogil:
                _scatter_run(<const float*>xp, ip, <float*>op, P, nin, nout, True, zero,
                             fp, bp, nthreads)
        elif x.dtype == np.float64:
            with nogil:
                _scatter_run(<const double*>xp, ip, <double*>op, P, nin, nout, True, zero,
                             fp, bp, nthreads)
        else:
            raise TypeError(f"scatter: sums of float32 or float64 only, got {x.dtype}")
    elif isz == 1:
        with nogil:
            _scatter_run(<const uint8_t*>xp, ip, <uint8_t*>op, P, nin, nout, False, zero,
                         fp, bp, nthreads)
    elif isz == 2:
        with nogil:
            _scatter_run(<const uint16_t*>xp, ip, <uint16_t*>op, P, nin, nout, False, zero,
                         fp, bp, nthreads)
    elif isz == 4:
        with nogil:
            _scatter_run(<const uint32_t*>xp, ip, <uint32_t*>op, P, nin, nout, False, zero,
                         fp, bp, nthreads)
    elif isz == 8:
        with nogil:
            _scatter_run(<const uint64_t*>xp, ip, <uint64_t*>op, P, nin, nout, False, zero,
                         fp, bp, nthreads)
    else:
        raise TypeError(f"scatter: unsupported element size {isz}")
    for p in range(P):
        if failed[p]:
            return (p, int(bad[p]))
    return None


# ---------------------------------------------------------------- average pooling backward
cdef void _avgb_plane(const TPlan* pl, const ftype* go, ftype* gi) noexcept nogil:
    """gi = 0, then gi[window of o] += go[o] / divisor(o) over one plane
    (contiguous; the writing thread first-touches its planes)."""
    cdef Py_ssize_t i0, i1, i2, y0, y1, y2, e0, e1, e2
    cdef Py_ssize_t m1 = pl.m[1], m2 = pl.m[2], n1 = pl.n[1], n2 = pl.n[2]
    cdef Py_ssize_t nin = pl.n[0] * n1 * n2
    cdef double div
    cdef ftype g
    if nin > 0:
        memset(gi, 0, nin * sizeof(ftype))
    for i0 in range(pl.m[0]):
        for i1 in range(m1):
            for i2 in range(m2):
                if pl.div_const != 0:
                    div = pl.div_const
                else:
                    div = pl.dv[0][i0] * pl.dv[1][i1] * pl.dv[2][i2]
                g = go[(i0 * m1 + i1) * m2 + i2] / <ftype>div
                e0 = pl.st[0][i0] + pl.ct[0][i0]
                e1 = pl.st[1][i1] + pl.ct[1][i1]
                e2 = pl.st[2][i2] + pl.ct[2][i2]
                for y0 in range(pl.st[0][i0], e0):
                    for y1 in range(pl.st[1][i1], e1):
                        for y2 in range(pl.st[2][i2], e2):
                            gi[(y0 * n1 + y1) * n2 + y2] += g


cdef void _avgb_run(const TPlan* pl, const ftype* go, ftype* gi, int nthreads) noexcept nogil:
    cdef Py_ssize_t p, nin = pl.n[0] * pl.n[1] * pl.n[2], nout = pl.m[0] * pl.m[1] * pl.m[2]
    if nthreads <= 1 or pl.P <= 1:
        for p in range(pl.P):
            _avgb_plane(pl, go + p * nout, gi + p * nin)
        return
    for p in prange(pl.P, schedule='static', num_threads=nthreads):
        _avgb_plane(pl, go + p * nout, gi + p * nin)


cdef class AvgBackwardPlan:
    """The gradient of average pooling (the adjoint of the window sums
    divided by their divisors), planned once for its shapes.

    Parameters
    ----------
    out_shape, in_shape : intp[::1]
        The pooled (P, m0, m1, m2) and the input's (P, n0, n1, n2) shapes.
    start, count : intp[::1]
        Per output index of each spatial axis the valid (clipped) window,
        the three axes' tables concatenated.
    divisors : float64[::1]
        Per output index of each axis a divisor factor, concatenated (the
        divisor is their product), unless ``div_const`` is nonzero.
    single : bool
        float32 arrays (else float64).
    """
    cdef TPlan tpl
    cdef object keep
    cdef bint single
    cdef Py_ssize_t ishape[4]
    cdef Py_ssize_t oshape[4]

    def __init__(self, const Py_ssize_t[::1] out_shape, const Py_ssize_t[::1] in_shape,
                 const Py_ssize_t[::1] start, const Py_ssize_t[::1] count,
                 const double[::1] divisors, double div_const, bint single):
        cdef TPlan* pl = &self.tpl
        cdef int a
        cdef Py_ssize_t pos
        pl.intr = NULL
        pl.poll = 1
        if in_shape.shape[0] != 4 or out_shape.shape[0] != 4:
            raise ValueError("AvgBackwardPlan: (P, n0, n1, n2) shapes expected")
        if in_shape[0] != out_shape[0]:
            raise ValueError("AvgBackwardPlan: the planes differ")
        memset(pl, 0, sizeof(TPlan))
        for a in range(4):
            if in_shape[a] < 0 or out_shape[a] < 0:
                raise ValueError("AvgBackwardPlan: bad shapes")
            self.ishape[a] = in_shape[a]
            self.oshape[a] = out_shape[a]
        pl.P = in_shape[0]
        for a in range(3):
            pl.n[a] = in_shape[a + 1]
            pl.m[a] = out_shape[a + 1]
            pl.d[a] = 1
        tabs = (np.ascontiguousarray(start, dtype=np.intp),
                np.ascontiguousarray(count, dtype=np.intp),
                np.zeros(pl.m[0] + pl.m[1] + pl.m[2], np.intp))
        _set_tables(pl, pl.m, tabs, "AvgBackwardPlan")
        _check_tables(pl.n, pl.m, pl.d, tabs, "AvgBackwardPlan")
        dv = np.ascontiguousarray(divisors, dtype=np.float64)
        if div_const == 0:
            if dv.shape[0] != pl.m[0] + pl.m[1] + pl.m[2]:
                raise ValueError("AvgBackwardPlan: one divisor per output index and axis")
            pos = 0
            for a in range(3):
                pl.dv[a] = (<const double*>cnp.PyArray_DATA(<cnp.ndarray>dv)) + pos
                pos += pl.m[a]
        pl.div_const = div_const
        self.single = single
        self.keep = (tabs, dv)

    def run(self, cnp.ndarray grad_out, cnp.ndarray grad_in, int nthreads):
        """``grad_out`` and ``grad_in``: C-contiguous, the planned shapes and
        float type; ``grad_in`` is overwritten."""
        cdef TPlan pl = self.tpl
        cdef Py_ssize_t sz = 4 if self.single else 8
        _check_arrays(grad_out, grad_in, 4, self.oshape, self.ishape, sz, sz,
                      "AvgBackwardPlan")
        if (not cnp.PyArray_IS_C_CONTIGUOUS(grad_out)
                or not cnp.PyArray_IS_C_CONTIGUOUS(grad_in)):
            raise ValueError("AvgBackwardPlan.run: C-contiguous arrays expected")
        cdef void* gop = cnp.PyArray_DATA(grad_out)
        cdef void* gip = cnp.PyArray_DATA(grad_in)
        if self.single:
            with nogil:
                _avgb_run(&pl, <const float*>gop, <float*>gip, nthreads)
        else:
            with nogil:
                _avgb_run(&pl, <const double*>gop, <double*>gip, nthreads)
        return grad_in
