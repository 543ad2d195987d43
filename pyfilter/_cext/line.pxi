# 1-D line engine: sequences of 1-D passes, fused two at a time.
#
# A *stage* reads a source array and writes a destination array of the same
# ndim; its last axis is "x" (the Python layer transposes views so that the
# axis it wants to run along contiguously is last).  A stage applies, per
# output row, up to two 1-D passes:
#
#   X   a pass along x only;
#   C   a pass along one outer "column" axis only, vectorised across x by
#       accumulating whole rows (never a strided gather);
#   XC  a pass along x, then along the column axis: source rows are
#       x-filtered into a per-thread ring of rows keyed by their index
#       along the column axis, and each output row is a column pass over
#       the ring (OpenCV's row filter + column filter scheme);
#   CX  a pass along the column axis, then along x: each output row is a
#       column pass over (converted) source rows, whose result is extended
#       by the x boundary mode and x-filtered.
#
# A stage may carry several *components* that share the source rows (e.g.
# d/dx and d/dy of a Sobel gradient); they are combined per row into one
# output (sum, or square root of the sum of squares, optionally also
# atan2 of the first two into a second output), so that a gradient
# magnitude reads the input once and writes the output once.
#
# Each pass is a tap list: an optional centre tap, then terms that are
# single taps (w * x[o]), symmetric pairs ((x[l] + x[r]) * w) or
# antisymmetric pairs ((x[l] - x[r]) * w), accumulated in list order.
# With the order scipy.ndimage uses (centre first, then pairs from the
# outermost inwards; or the last tap first, then the others) and no FMA
# contraction in double precision, float64 results are bitwise equal to
# scipy's.  float32 computations use explicit FMA when the CPU variant
# has it.  Optional per-pass division (uniform filters), quantisation of
# intermediates through the output type (scipy's integer-output rule),
# strides (polyphase planes along x) and per-stage boundary values.
#
# Work: output rows (and x tiles when rows are few, or when the rows a
# column pass reads would not fit in L2), enumerated with the column axis
# innermost, split in contiguous bands (a few per thread, taken
# dynamically); every band allocates its own ring and line buffers inside
# the parallel region and first-touches the output rows it writes.
# Results do not depend on the number of threads (each output value is
# computed by the same arithmetic whatever band it falls in).

include "_common.pxi"

from cython.parallel cimport prange
from libc.math cimport atan2, atan2f

cdef extern from *:
    """
    /* Square roots of runs (correctly rounded, as sqrt()); explicit SIMD
       because errno handling keeps the compiler from vectorising sqrt. */
    #if defined(__SSE2__)
    #include <immintrin.h>
    #endif
    static void pf_sqrt_f(float* a, Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__AVX__)
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(a + i, _mm256_sqrt_ps(_mm256_loadu_ps(a + i)));
    #endif
    #if defined(__SSE2__)
        for (; i + 4 <= n; i += 4)
            _mm_storeu_ps(a + i, _mm_sqrt_ps(_mm_loadu_ps(a + i)));
    #endif
        for (; i < n; i++)
            a[i] = sqrtf(a[i]);
    }
    static void pf_sqrt_d(double* a, Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__AVX__)
        for (; i + 4 <= n; i += 4)
            _mm256_storeu_pd(a + i, _mm256_sqrt_pd(_mm256_loadu_pd(a + i)));
    #endif
    #if defined(__SSE2__)
        for (; i + 2 <= n; i += 2)
            _mm_storeu_pd(a + i, _mm_sqrt_pd(_mm_loadu_pd(a + i)));
    #endif
        for (; i < n; i++)
            a[i] = sqrt(a[i]);
    }
    """
    void pf_sqrt_f(float* a, Py_ssize_t n) noexcept nogil
    void pf_sqrt_d(double* a, Py_ssize_t n) noexcept nogil

ctypedef fused ftype:
    float
    double

DEF CHUNK = 1024        # accumulator chunk (elements): stays in L1
DEF MAXDIM = 32


cdef struct LPass:
    int kind
    Py_ssize_t nterms
    const Py_ssize_t* off1
    const Py_ssize_t* off2
    const void* w            # nterms weights, then the centre weight
    bint has_center
    Py_ssize_t coff
    double div               # divide the result by this (1: no division)
    bint do_div


cdef struct Stage:
    int ndim
    const char* src
    int src_tc
    const Py_ssize_t* sshape
    const Py_ssize_t* sstr
    char* dst
    int dst_tc
    const Py_ssize_t* dshape
    const Py_ssize_t* dstr
    char* dst2
    const Py_ssize_t* d2str
    int ca                    # column axis, -1 for none
    int nother
    const Py_ssize_t* other   # outer axes other than ca, outermost first
    Py_ssize_t ncol_out
    Py_ssize_t nlines, ntiles, tile_w, nbands
    # column geometry: output row o reads virtual rows o*cs + cb + off
    Py_ssize_t cb, cs, clo, cspan, cvlo
    const Py_ssize_t* cmap    # virtual row (from cvlo) -> source row / -1
    const char* cused         # cspan flags: offset (from clo) used by a tap
    # x geometry: output o reads virtual x = o*xs + xb + off
    bint has_x
    Py_ssize_t xb, xs, xlo, xspan, nx_src, nx_dst, xvlo
    const Py_ssize_t* xmap    # virtual x (from xvlo) -> source x / -1
    # passes and components
    const LPass* passes
    int npre
    const int* pre            # pass ids of the x passes applied to source rows
    int ncomp
    const int* comp_pre       # per component: index into pre, or -1 (raw rows)
    const int* comp_col       # per component: column pass id or -1
    const int* comp_post      # per component: x pass id after the column pass, or -1
    int combine
    bint post_div_on
    double post_div
    bint angle
    # boundary values: source along x, ring planes along the column axis,
    # column-pass results along x
    double cv_src_x
    const double* cv_plane    # npre + 1 entries (last: raw rows)
    double cv_tmp_x
    # integer-output rule: intermediates stored through the output type
    bint q_pre
    bint q_col
    int q_tc
    Py_ssize_t q_size
    bint direct_src
    bint direct_dst
    Py_ssize_t slot_len, nvmax, maxterms


# ---------------------------------------------------------------- kernels
cdef inline ftype _madd(ftype a, ftype w, ftype s) noexcept nogil:
    """s + a * w: explicit FMA in float32, multiply-then-add in float64
    (scipy's rounding)."""
    if ftype is float:
        return PF_FMAF(a, w, s)
    else:
        return s + a * w


# Groups of up to four terms of one kind, in one sweep over the
# accumulator.  ``init``: the group starts the sum (with the centre tap
# ``pc * wc`` first when ``pc`` is not NULL, else with the first term's
# product), otherwise it adds to ``acc``.  Every variant is its own loop
# so that each vectorises (generated: one loop per kind, size and start).

cdef void _grp_single(ftype* acc, bint init, const ftype* pc, ftype wc,
        const ftype** pa, const ftype* w, Py_ssize_t c0,
        Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ftype* a0 = pa[0] + c0 if k > 0 else NULL
    cdef const ftype* a1 = pa[1] + c0 if k > 1 else NULL
    cdef const ftype* a2 = pa[2] + c0 if k > 2 else NULL
    cdef const ftype* a3 = pa[3] + c0 if k > 3 else NULL
    cdef const ftype* q = pc + c0 if pc != NULL else NULL
    cdef ftype w0 = w[0]
    cdef ftype w1 = w[1] if k > 1 else 0
    cdef ftype w2 = w[2] if k > 2 else 0
    cdef ftype w3 = w[3] if k > 3 else 0
    cdef ftype s
    cdef int mode = 0 if not init else (1 if pc != NULL else 2)
    if k == 1:
        if mode == 1:
            for i in range(n):
                acc[i] = _madd(a0[i], w0, q[i] * wc)
        elif mode == 2:
            for i in range(n):
                acc[i] = a0[i] * w0
        else:
            for i in range(n):
                acc[i] = _madd(a0[i], w0, acc[i])
    elif k == 2:
        if mode == 1:
            for i in range(n):
                s = _madd(a0[i], w0, q[i] * wc)
                acc[i] = _madd(a1[i], w1, s)
        elif mode == 2:
            for i in range(n):
                s = a0[i] * w0
                acc[i] = _madd(a1[i], w1, s)
        else:
            for i in range(n):
                s = _madd(a0[i], w0, acc[i])
                acc[i] = _madd(a1[i], w1, s)
    elif k == 3:
        if mode == 1:
            for i in range(n):
                s = _madd(a0[i], w0, q[i] * wc)
                s = _madd(a1[i], w1, s)
                acc[i] = _madd(a2[i], w2, s)
        elif mode == 2:
            for i in range(n):
                s = a0[i] * w0
                s = _madd(a1[i], w1, s)
                acc[i] = _madd(a2[i], w2, s)
        else:
            for i in range(n):
                s = _madd(a0[i], w0, acc[i])
                s = _madd(a1[i], w1, s)
                acc[i] = _madd(a2[i], w2, s)
    elif k == 4:
        if mode == 1:
            for i in range(n):
                s = _madd(a0[i], w0, q[i] * wc)
                s = _madd(a1[i], w1, s)
                s = _madd(a2[i], w2, s)
                acc[i] = _madd(a3[i], w3, s)
        elif mode == 2:
            for i in range(n):
                s = a0[i] * w0
                s = _madd(a1[i], w1, s)
                s = _madd(a2[i], w2, s)
                acc[i] = _madd(a3[i], w3, s)
        else:
            for i in range(n):
                s = _madd(a0[i], w0, acc[i])
                s = _madd(a1[i], w1, s)
                s = _madd(a2[i], w2, s)
                acc[i] = _madd(a3[i], w3, s)


cdef void _grp_sym(ftype* acc, bint init, const ftype* pc, ftype wc,
        const ftype** pa, const ftype** pb, const ftype* w, Py_ssize_t c0,
        Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ftype* a0 = pa[0] + c0 if k > 0 else NULL
    cdef const ftype* b0 = pb[0] + c0 if k > 0 else NULL
    cdef const ftype* a1 = pa[1] + c0 if k > 1 else NULL
    cdef const ftype* b1 = pb[1] + c0 if k > 1 else NULL
    cdef const ftype* a2 = pa[2] + c0 if k > 2 else NULL
    cdef const ftype* b2 = pb[2] + c0 if k > 2 else NULL
    cdef const ftype* a3 = pa[3] + c0 if k > 3 else NULL
    cdef const ftype* b3 = pb[3] + c0 if k > 3 else NULL
    cdef const ftype* q = pc + c0 if pc != NULL else NULL
    cdef ftype w0 = w[0]
    cdef ftype w1 = w[1] if k > 1 else 0
    cdef ftype w2 = w[2] if k > 2 else 0
    cdef ftype w3 = w[3] if k > 3 else 0
    cdef ftype s
    cdef int mode = 0 if not init else (1 if pc != NULL else 2)
    if k == 1:
        if mode == 1:
            for i in range(n):
                acc[i] = _madd((a0[i] + b0[i]), w0, q[i] * wc)
        elif mode == 2:
            for i in range(n):
                acc[i] = (a0[i] + b0[i]) * w0
        else:
            for i in range(n):
                acc[i] = _madd((a0[i] + b0[i]), w0, acc[i])
    elif k == 2:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, q[i] * wc)
                acc[i] = _madd((a1[i] + b1[i]), w1, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] + b0[i]) * w0
                acc[i] = _madd((a1[i] + b1[i]), w1, s)
        else:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, acc[i])
                acc[i] = _madd((a1[i] + b1[i]), w1, s)
    elif k == 3:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, q[i] * wc)
                s = _madd((a1[i] + b1[i]), w1, s)
                acc[i] = _madd((a2[i] + b2[i]), w2, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] + b0[i]) * w0
                s = _madd((a1[i] + b1[i]), w1, s)
                acc[i] = _madd((a2[i] + b2[i]), w2, s)
        else:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, acc[i])
                s = _madd((a1[i] + b1[i]), w1, s)
                acc[i] = _madd((a2[i] + b2[i]), w2, s)
    elif k == 4:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, q[i] * wc)
                s = _madd((a1[i] + b1[i]), w1, s)
                s = _madd((a2[i] + b2[i]), w2, s)
                acc[i] = _madd((a3[i] + b3[i]), w3, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] + b0[i]) * w0
                s = _madd((a1[i] + b1[i]), w1, s)
                s = _madd((a2[i] + b2[i]), w2, s)
                acc[i] = _madd((a3[i] + b3[i]), w3, s)
        else:
            for i in range(n):
                s = _madd((a0[i] + b0[i]), w0, acc[i])
                s = _madd((a1[i] + b1[i]), w1, s)
                s = _madd((a2[i] + b2[i]), w2, s)
                acc[i] = _madd((a3[i] + b3[i]), w3, s)


cdef void _grp_anti(ftype* acc, bint init, const ftype* pc, ftype wc,
        const ftype** pa, const ftype** pb, const ftype* w, Py_ssize_t c0,
        Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ftype* a0 = pa[0] + c0 if k > 0 else NULL
    cdef const ftype* b0 = pb[0] + c0 if k > 0 else NULL
    cdef const ftype* a1 = pa[1] + c0 if k > 1 else NULL
    cdef const ftype* b1 = pb[1] + c0 if k > 1 else NULL
    cdef const ftype* a2 = pa[2] + c0 if k > 2 else NULL
    cdef const ftype* b2 = pb[2] + c0 if k > 2 else NULL
    cdef const ftype* a3 = pa[3] + c0 if k > 3 else NULL
    cdef const ftype* b3 = pb[3] + c0 if k > 3 else NULL
    cdef const ftype* q = pc + c0 if pc != NULL else NULL
    cdef ftype w0 = w[0]
    cdef ftype w1 = w[1] if k > 1 else 0
    cdef ftype w2 = w[2] if k > 2 else 0
    cdef ftype w3 = w[3] if k > 3 else 0
    cdef ftype s
    cdef int mode = 0 if not init else (1 if pc != NULL else 2)
    if k == 1:
        if mode == 1:
            for i in range(n):
                acc[i] = _madd((a0[i] - b0[i]), w0, q[i] * wc)
        elif mode == 2:
            for i in range(n):
                acc[i] = (a0[i] - b0[i]) * w0
        else:
            for i in range(n):
                acc[i] = _madd((a0[i] - b0[i]), w0, acc[i])
    elif k == 2:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, q[i] * wc)
                acc[i] = _madd((a1[i] - b1[i]), w1, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] - b0[i]) * w0
                acc[i] = _madd((a1[i] - b1[i]), w1, s)
        else:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, acc[i])
                acc[i] = _madd((a1[i] - b1[i]), w1, s)
    elif k == 3:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, q[i] * wc)
                s = _madd((a1[i] - b1[i]), w1, s)
                acc[i] = _madd((a2[i] - b2[i]), w2, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] - b0[i]) * w0
                s = _madd((a1[i] - b1[i]), w1, s)
                acc[i] = _madd((a2[i] - b2[i]), w2, s)
        else:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, acc[i])
                s = _madd((a1[i] - b1[i]), w1, s)
                acc[i] = _madd((a2[i] - b2[i]), w2, s)
    elif k == 4:
        if mode == 1:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, q[i] * wc)
                s = _madd((a1[i] - b1[i]), w1, s)
                s = _madd((a2[i] - b2[i]), w2, s)
                acc[i] = _madd((a3[i] - b3[i]), w3, s)
        elif mode == 2:
            for i in range(n):
                s = (a0[i] - b0[i]) * w0
                s = _madd((a1[i] - b1[i]), w1, s)
                s = _madd((a2[i] - b2[i]), w2, s)
                acc[i] = _madd((a3[i] - b3[i]), w3, s)
        else:
            for i in range(n):
                s = _madd((a0[i] - b0[i]), w0, acc[i])
                s = _madd((a1[i] - b1[i]), w1, s)
                s = _madd((a2[i] - b2[i]), w2, s)
                acc[i] = _madd((a3[i] - b3[i]), w3, s)


cdef void _apply(ftype* acc, Py_ssize_t n, const LPass* P, const ftype* pc,
                 const ftype** p1, const ftype** p2) noexcept nogil:
    """acc[i] = the pass at output i, reading term t from p1[t][i] (and
    p2[t][i] for pairs) and the centre from pc[i]."""
    cdef const ftype* w = <const ftype*>P.w
    cdef Py_ssize_t nt = P.nterms, c0, nn, t, i, k
    cdef int kind = P.kind
    cdef ftype dv = <ftype>P.div
    cdef ftype rdv = <ftype>(1.0 / P.div)
    cdef ftype wc = w[nt]
    cdef const ftype* cptr
    cdef bint init
    if not P.has_center:
        pc = NULL
    c0 = 0
    while c0 < n:
        nn = n - c0
        if nn > CHUNK:
            nn = CHUNK
        t = 0
        init = True
        if nt == 0:
            if pc != NULL:
                for i in range(nn):
                    acc[c0 + i] = pc[c0 + i] * wc
            else:
                for i in range(nn):
                    acc[c0 + i] = 0
        while t < nt:
            k = nt - t
            if k > 4:
                k = 4
            cptr = pc if init else NULL
            if kind == K_SINGLE:
                _grp_single(acc + c0, init, cptr, wc, p1 + t, w + t, c0, nn, k)
            elif kind == K_SYM:
                _grp_sym(acc + c0, init, cptr, wc, p1 + t, p2 + t, w + t, c0, nn, k)
            else:
                _grp_anti(acc + c0, init, cptr, wc, p1 + t, p2 + t, w + t, c0, nn, k)
            init = False
            t += k
        if P.do_div:
            if ftype is float:
                # float32 results are not bitwise scipy's anyway: multiply
                for i in range(nn):
                    acc[c0 + i] = acc[c0 + i] * rdv
            else:
                for i in range(nn):
                    acc[c0 + i] = acc[c0 + i] / dv
        c0 += nn


# ---------------------------------------------------------------- helpers
cdef inline void _quantize(ftype* buf, Py_ssize_t n, const Stage* st,
                           char* qbuf) noexcept nogil:
    """Round-trip values through the output type (scipy stores the
    intermediates of multi-pass filters in the output array)."""
    if n <= 0:
        return
    store_run(qbuf, st.q_size, buf, n, st.q_tc, CAST_LINE)
    load_run(buf, 1, qbuf, st.q_size, n, st.q_tc)


cdef void _load_x(const Stage* st, ftype* buf, const char* srow,
                  Py_ssize_t v0, Py_ssize_t nv, ftype cval) noexcept nogil:
    """buf[q] = source x position v0 + q (extended by the x mode)."""
    cdef Py_ssize_t n = st.nx_src, q, j, lo, hi
    cdef Py_ssize_t xstr = st.sstr[st.ndim - 1]
    lo = -v0
    if lo < 0:
        lo = 0
    if lo > nv:
        lo = nv
    hi = n - v0
    if hi > nv:
        hi = nv
    if hi < lo:
        hi = lo
    for q in range(lo):
        j = st.xmap[v0 + q - st.xvlo]
        if j < 0:
            buf[q] = cval
        else:
            load_run(buf + q, 1, srow + j * xstr, xstr, 1, st.src_tc)
    if hi > lo:
        if st.direct_src:
            memcpy(buf + lo, srow + (v0 + lo) * xstr, (hi - lo) * sizeof(ftype))
        else:
            load_run(buf + lo, 1, srow + (v0 + lo) * xstr, xstr, hi - lo, st.src_tc)
    for q in range(hi, nv):
        j = st.xmap[v0 + q - st.xvlo]
        if j < 0:
            buf[q] = cval
        else:
            load_run(buf + q, 1, srow + j * xstr, xstr, 1, st.src_tc)


cdef inline const ftype* _planes(const Stage* st, const ftype* xbuf,
                                 ftype* pbuf, Py_ssize_t nv, Py_ssize_t* plen) noexcept nogil:
    """Polyphase layout for a strided x pass (identity when xs == 1)."""
    cdef Py_ssize_t xs = st.xs, P, r, m
    if xs == 1:
        plen[0] = nv
        return xbuf
    P = (nv + xs - 1) // xs
    plen[0] = P
    for r in range(xs):
        m = 0
        while r + m * xs < nv:
            pbuf[r * P + m] = xbuf[r + m * xs]
            m += 1
    return pbuf


cdef inline void _xpass(const Stage* st, const LPass* P, const ftype* planes,
                        Py_ssize_t plen, ftype* out, Py_ssize_t nxo,
                        const ftype** p1, const ftype** p2) noexcept nogil:
    """Apply x pass ``P`` to the loaded virtual range (from offset xlo)."""
    cdef Py_ssize_t t, d, xs = st.xs
    cdef const ftype* pc = NULL
    for t in range(P.nterms):
        d = P.off1[t] - st.xlo
        p1[t] = planes + (d % xs) * plen + d // xs
        if P.kind != K_SINGLE:
            d = P.off2[t] - st.xlo
            p2[t] = planes + (d % xs) * plen + d // xs
        else:
            p2[t] = p1[t]
    if P.has_center:
        d = P.coff - st.xlo
        pc = planes + (d % xs) * plen + d // xs
    _apply(out, nxo, P, pc, p1, p2)


# ---------------------------------------------------------------- per thread
cdef struct Work:
    void* ring
    Py_ssize_t* tags          # cspan x 2: (key, virtual row)
    void* cvrows
    void* xbuf
    void* pbuf
    void* accs
    void* res
    void* res2
    char* qbuf
    void** p1
    void** p2
    void** rowp               # (npre + 1) x cspan row pointers
    void* sv                  # scalar values for single-position column passes


cdef int _alloc(const Stage* st, Work* wk, Py_ssize_t isz) noexcept nogil:
    cdef Py_ssize_t np1 = st.npre + 1, sl = st.slot_len, nv = st.nvmax
    # no ring when the column pass reads the source rows in place
    cdef Py_ssize_t nring = st.cspan if (st.ca >= 0 and not
                                         (st.direct_src and st.npre == 0)) else 0
    wk.ring = malloc((nring * np1 * sl + 1) * isz)
    wk.tags = <Py_ssize_t*>malloc((2 * nring + 2) * sizeof(Py_ssize_t))
    wk.cvrows = malloc((np1 * sl + 1) * isz)
    wk.xbuf = malloc((nv + 2 * st.xs + 8) * isz)
    wk.pbuf = malloc((nv + 2 * st.xs + 8) * isz)
    wk.accs = malloc((st.ncomp * sl + 1) * isz)
    wk.res = malloc((sl + 1) * isz)
    wk.res2 = malloc((sl + 1) * isz)
    wk.qbuf = <char*>malloc((sl + 1) * 16)
    wk.p1 = <void**>malloc((st.maxterms + 1) * sizeof(void*))
    wk.p2 = <void**>malloc((st.maxterms + 1) * sizeof(void*))
    wk.rowp = <void**>malloc((np1 * (st.cspan + 1) + 1) * sizeof(void*))
    wk.sv = malloc((2 * st.maxterms + 4) * isz)
    if (wk.ring == NULL or wk.tags == NULL or wk.cvrows == NULL or wk.xbuf == NULL
            or wk.pbuf == NULL or wk.accs == NULL or wk.res == NULL or wk.res2 == NULL
            or wk.qbuf == NULL or wk.p1 == NULL or wk.p2 == NULL or wk.rowp == NULL
            or wk.sv == NULL):
        return -1
    return 0


cdef void _free(Work* wk) noexcept nogil:
    free(wk.ring)
    free(wk.tags)
    free(wk.cvrows)
    free(wk.xbuf)
    free(wk.pbuf)
    free(wk.accs)
    free(wk.res)
    free(wk.res2)
    free(wk.qbuf)
    free(wk.p1)
    free(wk.p2)
    free(wk.rowp)
    free(wk.sv)


cdef void _fill_row(const Stage* st, Work* wk, ftype* slot0, const char* srow,
                    Py_ssize_t v0, Py_ssize_t nv, Py_ssize_t ra, Py_ssize_t rb,
                    Py_ssize_t x0, Py_ssize_t nxo, bint want_raw) noexcept nogil:
    """Produce the ring planes of one source row: each pre x pass over the
    tile, and the raw converted values over [ra, rb)."""
    cdef ftype* xbuf = <ftype*>wk.xbuf
    cdef ftype* pbuf = <ftype*>wk.pbuf
    cdef Py_ssize_t r, plen, sl = st.slot_len
    cdef Py_ssize_t xstr = st.sstr[st.ndim - 1]
    cdef const ftype* planes
    cdef ftype* slot
    if st.npre > 0:
        _load_x(st, xbuf, srow, v0, nv, <ftype>st.cv_src_x)
        planes = _planes(st, xbuf, pbuf, nv, &plen)
        for r in range(st.npre):
            slot = slot0 + r * sl
            _xpass(st, &st.passes[st.pre[r]], planes, plen, slot, nxo,
                   <const ftype**>wk.p1, <const ftype**>wk.p2)
            if st.q_pre:
                _quantize(slot, nxo, st, wk.qbuf)
    if want_raw and rb > ra:
        load_run(slot0 + st.npre * sl, 1, srow + ra * xstr, xstr, rb - ra, st.src_tc)


cdef void _col_at(const Stage* st, Work* wk, const LPass* P, const char* sbase,
                  Py_ssize_t vbase, Py_ssize_t j, ftype* out) noexcept nogil:
    """The column pass of raw source rows at the single x position ``j``
    (same arithmetic as the vectorised pass)."""
    cdef ftype* sv = <ftype*>wk.sv
    cdef const ftype** p1 = <const ftype**>wk.p1
    cdef const ftype** p2 = <const ftype**>wk.p2
    cdef Py_ssize_t t, k, jr
    cdef Py_ssize_t xstr = st.sstr[st.ndim - 1], cstr = st.sstr[st.ca]
    cdef ftype cv = <ftype>st.cv_plane[st.npre]
    cdef Py_ssize_t nt = P.nterms
    cdef Py_ssize_t offs[2]
    for t in range(nt + 1):
        if t == nt:
            if not P.has_center:
                break
            offs[0] = P.coff
            offs[1] = P.coff
        else:
            offs[0] = P.off1[t]
            offs[1] = P.off2[t] if P.kind != K_SINGLE else P.off1[t]
        for k in range(2):
            jr = st.cmap[vbase + offs[k] - st.cvlo]
            if jr < 0:
                sv[2 * t + k] = cv
            else:
                load_run(sv + 2 * t + k, 1, sbase + jr * cstr + j * xstr, xstr, 1,
                         st.src_tc)
        if t < nt:
            p1[t] = sv + 2 * t
            p2[t] = sv + 2 * t + 1
    _apply(out, 1, P, sv + 2 * nt, p1, p2)


cdef int _band(const Stage* st, int band, ftype dummy) noexcept nogil:
    cdef Py_ssize_t nunits = st.nlines * st.ntiles
    cdef Py_ssize_t u0 = nunits * band // st.nbands
    cdef Py_ssize_t u1 = nunits * (band + 1) // st.nbands
    if u1 <= u0:
        return 0
    cdef Work wk
    cdef Py_ssize_t isz = sizeof(ftype)
    if _alloc(st, &wk, isz) != 0:
        _free(&wk)
        return -1
    cdef Py_ssize_t np1 = st.npre + 1, sl = st.slot_len, nd = st.ndim
    cdef Py_ssize_t u, t, l, rem, a, ax, oc, key, x0, x1, nxo, v0, nv, ra, rb
    cdef Py_ssize_t k, v, slot, jr, c, r, plen, q, j, i, vbase
    cdef Py_ssize_t so, do, do2
    cdef Py_ssize_t xstr_s = st.sstr[nd - 1], xstr_d = st.dstr[nd - 1]
    cdef Py_ssize_t n_other_lines
    cdef ftype* ring = <ftype*>wk.ring
    cdef ftype* cvrows = <ftype*>wk.cvrows
    cdef ftype* xbuf = <ftype*>wk.xbuf
    cdef ftype* pbuf = <ftype*>wk.pbuf
    cdef ftype* accs = <ftype*>wk.accs
    cdef ftype* res
    cdef ftype* res2 = <ftype*>wk.res2
    cdef ftype* acc
    cdef const ftype* planes
    cdef const ftype** rowp = <const ftype**>wk.rowp
    cdef const ftype** p1 = <const ftype**>wk.p1
    cdef const ftype** p2 = <const ftype**>wk.p2
    cdef const ftype* pc
    cdef const LPass* P
    cdef const char* srow
    cdef char* drow
    cdef bint want_raw = False, have_post = False, direct
    cdef ftype e, pdiv = <ftype>st.post_div
    for c in range(st.ncomp):
        if st.comp_pre[c] < 0:
            want_raw = True
        if st.comp_post[c] >= 0:
            have_post = True
    # constant rows used along the column axis
    for r in range(np1):
        for i in range(sl):
            cvrows[r * sl + i] = <ftype>st.cv_plane[r]
    if st.ca >= 0 and not (st.direct_src and st.npre == 0):
        for k in range(st.cspan):
            wk.tags[2 * k] = -1
            wk.tags[2 * k + 1] = 0
    n_other_lines = st.nlines // st.ncol_out
    for u in range(u0, u1):
        t = u // st.nlines
        l = u - t * st.nlines
        x0 = t * st.tile_w
        x1 = x0 + st.tile_w
        if x1 > st.nx_dst:
            x1 = st.nx_dst
        nxo = x1 - x0
        # decode the line: other axes (outermost first), then the column index
        oc = l % st.ncol_out
        rem = l // st.ncol_out
        key = t * n_other_lines + rem
        so = 0
        do = 0
        do2 = 0
        for a in range(st.nother - 1, -1, -1):
            ax = st.other[a]
            i = rem % st.dshape[ax]
            rem = rem // st.dshape[ax]
            so += i * st.sstr[ax]
            do += i * st.dstr[ax]
            if st.angle:
                do2 += i * st.d2str[ax]
        if st.ca >= 0:
            do += oc * st.dstr[st.ca]
            if st.angle:
                do2 += oc * st.d2str[st.ca]
        drow = st.dst + do + x0 * xstr_d
        # virtual x range read by the x passes of this tile
        v0 = x0 * st.xs + st.xb + st.xlo
        nv = (nxo - 1) * st.xs + st.xspan if st.has_x else 0
        if have_post:
            ra = v0 if v0 > 0 else 0
            rb = v0 + nv
            if rb > st.nx_src:
                rb = st.nx_src
            if rb < ra:
                rb = ra
        else:
            ra = x0
            rb = x1
        direct = st.direct_dst and not st.angle
        res = <ftype*>drow if direct else <ftype*>wk.res
        if st.ca < 0:
            # X stage: one loaded row, each component's x pass
            srow = st.src + so
            _load_x(st, xbuf, srow, v0, nv, <ftype>st.cv_src_x)
            planes = _planes(st, xbuf, pbuf, nv, &plen)
            for c in range(st.ncomp):
                acc = res if st.ncomp == 1 else accs + c * sl
                _xpass(st, &st.passes[st.pre[st.comp_pre[c]]], planes, plen, acc, nxo,
                       p1, p2)
        else:
            # make sure every source row read by the column passes is ready
            vbase = oc * st.cs + st.cb + st.clo
            for k in range(st.cspan):
                if not st.cused[k]:
                    continue
                v = vbase + k
                jr = st.cmap[v - st.cvlo]
                if jr < 0:
                    for r in range(np1):
                        rowp[r * st.cspan + k] = cvrows + r * sl
                    continue
                srow = st.src + so + jr * st.sstr[st.ca]
                if st.direct_src and st.npre == 0:
                    rowp[st.npre * st.cspan + k] = (<const ftype*>srow) + ra
                    continue
                slot = (v - st.cvlo) % st.cspan
                if wk.tags[2 * slot] != key or wk.tags[2 * slot + 1] != v:
                    _fill_row(st, &wk, ring + slot * np1 * sl, srow, v0, nv, ra, rb,
                              x0, nxo, want_raw)
                    wk.tags[2 * slot] = key
                    wk.tags[2 * slot + 1] = v
                for r in range(np1):
                    rowp[r * st.cspan + k] = ring + (slot * np1 + r) * sl
            for c in range(st.ncomp):
                P = &st.passes[st.comp_col[c]]
                r = st.comp_pre[c]
                if r < 0:
                    r = st.npre
                for i in range(P.nterms):
                    p1[i] = rowp[r * st.cspan + P.off1[i] - st.clo]
                    if P.kind != K_SINGLE:
                        p2[i] = rowp[r * st.cspan + P.off2[i] - st.clo]
                    else:
                        p2[i] = p1[i]
                pc = NULL
                if P.has_center:
                    pc = rowp[r * st.cspan + P.coff - st.clo]
                if st.comp_post[c] < 0:
                    acc = res if st.ncomp == 1 else accs + c * sl
                    _apply(acc, rb - ra, P, pc, p1, p2)
                else:
                    # CX: column pass into the tmp line, extend along x, x pass
                    _apply(xbuf + (ra - v0), rb - ra, P, pc, p1, p2)
                    if st.q_col:
                        _quantize(xbuf + (ra - v0), rb - ra, st, wk.qbuf)
                    q = 0
                    while q < nv:
                        v = v0 + q
                        if ra <= v < rb:
                            q = rb - v0       # skip the computed run
                            continue
                        j = st.xmap[v - st.xvlo]
                        if j < 0:
                            xbuf[q] = <ftype>st.cv_tmp_x
                        elif ra <= j < rb:
                            xbuf[q] = xbuf[j - v0]
                        else:
                            _col_at(st, &wk, P, st.src + so, oc * st.cs + st.cb, j,
                                    xbuf + q)
                            if st.q_col:
                                _quantize(xbuf + q, 1, st, wk.qbuf)
                        q += 1
                    planes = _planes(st, xbuf, pbuf, nv, &plen)
                    acc = res if st.ncomp == 1 else accs + c * sl
                    _xpass(st, &st.passes[st.comp_post[c]], planes, plen, acc, nxo,
                           p1, p2)
        # combine the components
        if st.ncomp > 1:
            if st.combine == COMB_SUM:
                acc = accs + sl
                for i in range(nxo):
                    res[i] = accs[i] + acc[i]
                for c in range(2, st.ncomp):
                    acc = accs + c * sl
                    for i in range(nxo):
                        res[i] = res[i] + acc[i]
            else:
                if st.angle:
                    acc = accs + sl
                    for i in range(nxo):
                        if ftype is float:
                            res2[i] = atan2f(accs[i], acc[i])
                        else:
                            res2[i] = atan2(accs[i], acc[i])
                acc = accs + sl
                if st.ncomp == 2:
                    for i in range(nxo):
                        res[i] = accs[i] * accs[i] + acc[i] * acc[i]
                else:
                    for i in range(nxo):
                        res[i] = accs[i] * accs[i]
                    for c in range(1, st.ncomp):
                        acc = accs + c * sl
                        for i in range(nxo):
                            e = acc[i]
                            res[i] = res[i] + e * e
                if ftype is float:
                    pf_sqrt_f(res, nxo)
                else:
                    pf_sqrt_d(res, nxo)
        elif st.combine == COMB_HYPOT:
            # a single component's magnitude
            for i in range(nxo):
                e = res[i]
                res[i] = e * e
            if ftype is float:
                pf_sqrt_f(res, nxo)
            else:
                pf_sqrt_d(res, nxo)
        if st.post_div_on:
            for i in range(nxo):
                res[i] = res[i] / pdiv
        if not direct:
            store_run(drow, xstr_d, res, nxo, st.dst_tc, CAST_LINE)
        if st.angle:
            store_run(st.dst2 + do2 + x0 * st.d2str[nd - 1], st.d2str[nd - 1], res2,
                      nxo, st.dst_tc, CAST_LINE)
    _free(&wk)
    return 0


cdef int _run(const Stage* st, int nthreads, ftype dummy) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or st.nbands <= 1:
        for band in range(st.nbands):
            failures += _band(st, band, dummy) != 0
        return failures
    for band in prange(st.nbands, schedule='dynamic', chunksize=1,
                       num_threads=nthreads):
        failures += _band(st, band, dummy) != 0
    return failures


_KINDS = {"single": K_SINGLE, "sym": K_SYM, "anti": K_ANTI}
_COMBINE = {None: COMB_TERM, "single": COMB_TERM, "sum": COMB_SUM,
            "hypot": COMB_HYPOT}


def run_stage(src, dst, int src_tc, int dst_tc, passes, *, ca, xgeom, cgeom,
              pre, comps, combine=None, post_div=None, dst2=None,
              cv_src_x=0.0, cv_plane=None, cv_tmp_x=0.0,
              q_pre=False, q_col=False, q_tc=-1, q_size=0,
              dtype=np.float64, int nthreads=1, tile_w=0):
    """Run one stage (validated arguments only; see pyfilter._separable).

    ``src``/``dst`` (and ``dst2``): arrays of one ndim, any strides, native
    byte order, real type codes ``src_tc``/``dst_tc``; the last axis is x.
    ``passes``: list of dicts with keys ``kind`` ('single', 'sym', 'anti'),
    ``off1``, ``off2`` (term offsets), ``w`` (term weights), ``center``
    (None or (offset, weight)), ``div`` (None or a divisor).
    ``ca``: the column axis or None; ``xgeom``: None or (base, stride,
    mode); ``cgeom``: None or (base, stride, mode).  Output index ``o``
    reads virtual index ``o * stride + base + offset``.
    ``pre``: pass ids of x passes applied to source rows (before the
    column pass); ``comps``: per component (pre index or -1, column pass
    id or -1, x pass id after the column pass or -1).
    ``dtype``: the compute type, float32 or float64.
    """
    cdef Stage st
    cdef int nd = src.ndim, i, a
    cdef Py_ssize_t vhi
    dtype = np.dtype(dtype)
    if nd > MAXDIM:
        raise ValueError(f"at most {MAXDIM} dimensions are supported")
    keep = []
    # ---- passes
    npass = len(passes)
    cdef LPass* lp = <LPass*>malloc((npass + 1) * sizeof(LPass))
    if lp == NULL:
        raise MemoryError()
    try:
        maxterms = 1
        xlo = xhi = clo = chi = None
        xpass_ids = set(pre) | {c[2] for c in comps if c[2] >= 0}
        cpass_ids = {c[1] for c in comps if c[1] >= 0}
        for i, p in enumerate(passes):
            kind = _KINDS[p["kind"]]
            off1 = np.ascontiguousarray(p["off1"], dtype=np.intp).reshape(-1)
            off2 = np.ascontiguousarray(p["off2"] if kind != K_SINGLE else p["off1"],
                                        dtype=np.intp).reshape(-1)
            w = list(np.asarray(p["w"], dtype=np.float64).reshape(-1))
            center = p.get("center")
            offs = list(off1) + (list(off2) if kind != K_SINGLE else [])
            if center is not None:
                w.append(center[1])
                offs.append(center[0])
            else:
                w.append(0.0)
            if not offs:
                offs = [0]
            warr = np.ascontiguousarray(w, dtype=dtype)
            keep.extend([off1, off2, warr])
            if off1.shape[0] == 0:
                off1 = np.zeros(1, dtype=np.intp)
                off2 = off1
                keep.extend([off1])
            lp[i].kind = kind
            lp[i].nterms = len(w) - 1
            lp[i].off1 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>off1)
            lp[i].off2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>off2)
            lp[i].w = <const void*>cnp.PyArray_DATA(<cnp.ndarray>warr)
            lp[i].has_center = center is not None
            lp[i].coff = center[0] if center is not None else 0
            div = p.get("div")
            lp[i].do_div = div is not None and div != 1
            lp[i].div = div if div is not None else 1.0
            maxterms = max(maxterms, lp[i].nterms + 1)
            if i in xpass_ids:
                xlo = min(offs) if xlo is None else min(xlo, min(offs))
                xhi = max(offs) if xhi is None else max(xhi, max(offs))
            if i in cpass_ids:
                clo = min(offs) if clo is None else min(clo, min(offs))
                chi = max(offs) if chi is None else max(chi, max(offs))
        # ---- geometry
        st.ndim = nd
        st.src = <const char*>cnp.PyArray_DATA(<cnp.ndarray>src)
        st.src_tc = src_tc
        sshape = np.array(src.shape, dtype=np.intp)
        sstr = np.array(src.strides, dtype=np.intp)
        dshape = np.array(dst.shape, dtype=np.intp)
        dstr = np.array(dst.strides, dtype=np.intp)
        keep.extend([sshape, sstr, dshape, dstr])
        st.sshape = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>sshape)
        st.sstr = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>sstr)
        st.dst = <char*>cnp.PyArray_DATA(<cnp.ndarray>dst)
        st.dst_tc = dst_tc
        st.dshape = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>dshape)
        st.dstr = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>dstr)
        st.angle = dst2 is not None
        if dst2 is not None:
            d2str = np.array(dst2.strides, dtype=np.intp)
            keep.append(d2str)
            st.dst2 = <char*>cnp.PyArray_DATA(<cnp.ndarray>dst2)
            st.d2str = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>d2str)
        else:
            st.dst2 = NULL
            st.d2str = st.dstr
        st.ca = -1 if ca is None else ca
        other = np.array([a for a in range(nd - 1) if a != st.ca] + [0], dtype=np.intp)
        keep.append(other)
        st.nother = nd - 1 - (1 if st.ca >= 0 else 0)
        st.other = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>other)
        st.ncol_out = dst.shape[st.ca] if st.ca >= 0 else 1
        nlines = 1
        for a in range(nd - 1):
            nlines *= dst.shape[a]
        nx_dst = dst.shape[nd - 1]
        nx_src = src.shape[nd - 1]
        st.nx_dst = nx_dst
        st.nx_src = nx_src
        # x
        st.has_x = xgeom is not None
        if xgeom is not None:
            xb, xs, xmode = xgeom
            st.xb, st.xs = xb, xs
            st.xlo = xlo
            st.xspan = xhi - xlo + 1
            st.xvlo = xb + xlo
            vhi = (nx_dst - 1) * xs + xb + xhi
            xmap = map_table(st.xvlo, vhi, nx_src, xmode)
        else:
            st.xb, st.xs, st.xlo, st.xspan, st.xvlo = 0, 1, 0, 1, 0
            xmap = np.zeros(1, dtype=np.intp)
        keep.append(xmap)
        st.xmap = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>xmap)
        # column
        if st.ca >= 0:
            cb, cs, cmode = cgeom
            st.cb, st.cs = cb, cs
            st.clo = clo
            st.cspan = chi - clo + 1
            st.cvlo = cb + clo
            vhi = (dst.shape[st.ca] - 1) * cs + cb + chi
            cmap = map_table(st.cvlo, vhi, src.shape[st.ca], cmode)
            used = np.zeros(st.cspan, dtype=np.int8)
            for i in cpass_ids:
                p = passes[i]
                for o in np.asarray(p["off1"], dtype=np.intp).reshape(-1):
                    used[o - clo] = 1
                if p["kind"] != "single":
                    for o in np.asarray(p["off2"], dtype=np.intp).reshape(-1):
                        used[o - clo] = 1
                if p.get("center") is not None:
                    used[p["center"][0] - clo] = 1
        else:
            st.cb, st.cs, st.clo, st.cspan, st.cvlo = 0, 1, 0, 1, 0
            cmap = np.zeros(1, dtype=np.intp)
            used = np.zeros(1, dtype=np.int8)
        keep.extend([cmap, used])
        st.cmap = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>cmap)
        st.cused = <const char*>cnp.PyArray_DATA(<cnp.ndarray>used)
        # passes and components
        st.passes = lp
        pre_a = np.array(list(pre) + [0], dtype=np.intc)
        cpre = np.array([c[0] for c in comps] + [0], dtype=np.intc)
        ccol = np.array([c[1] for c in comps] + [0], dtype=np.intc)
        cpost = np.array([c[2] for c in comps] + [0], dtype=np.intc)
        keep.extend([pre_a, cpre, ccol, cpost])
        st.npre = len(pre)
        st.pre = <const int*>cnp.PyArray_DATA(<cnp.ndarray>pre_a)
        st.ncomp = len(comps)
        st.comp_pre = <const int*>cnp.PyArray_DATA(<cnp.ndarray>cpre)
        st.comp_col = <const int*>cnp.PyArray_DATA(<cnp.ndarray>ccol)
        st.comp_post = <const int*>cnp.PyArray_DATA(<cnp.ndarray>cpost)
        st.combine = _COMBINE[combine]
        st.post_div_on = post_div is not None
        st.post_div = post_div if post_div is not None else 1.0
        st.cv_src_x = cv_src_x
        if cv_plane is None:
            cv_plane = [0.0] * (len(pre) + 1)
        cvp = np.ascontiguousarray(cv_plane, dtype=np.float64)
        keep.append(cvp)
        st.cv_plane = <const double*>cnp.PyArray_DATA(<cnp.ndarray>cvp)
        st.cv_tmp_x = cv_tmp_x
        st.q_pre = q_pre
        st.q_col = q_col
        st.q_tc = q_tc
        st.q_size = q_size
        ctc = 9 if dtype == np.float32 else 10
        st.direct_src = (src_tc == ctc and src.strides[nd - 1] == dtype.itemsize)
        st.direct_dst = (dst_tc == ctc and dst.strides[nd - 1] == dtype.itemsize)
        # work split: x tiles when there are few lines, or when the rows a
        # column pass reads together would not fit in about 256 KiB of L2
        ntiles = 1
        tw = nx_dst
        if tile_w > 0:
            tw = tile_w
        else:
            if nthreads > 1 and nlines < 4 * nthreads and nx_dst >= 2048:
                ntiles = min(4 * nthreads, nx_dst // 1024)
                tw = (nx_dst + ntiles - 1) // ntiles
            if st.ca >= 0:
                ring_bytes = st.cspan * (len(pre) + 1) * tw * dtype.itemsize
                if ring_bytes > (256 << 10):
                    tw = max(512, ((256 << 10) // (st.cspan * (len(pre) + 1) * dtype.itemsize)) // 64 * 64)
        tw = max(1, min(tw, nx_dst))
        ntiles = (nx_dst + tw - 1) // tw
        st.tile_w = tw
        st.ntiles = ntiles
        st.nlines = nlines
        # a few bands per thread, taken dynamically: a thread slowed down by
        # another process does not hold the others up (each output value is
        # computed the same way whichever thread takes its band)
        nb = nthreads if nthreads <= 1 else 4 * nthreads
        if st.ca >= 0:
            # each band primes its own ring: keep bands long against the kernel
            nb = min(nb, max(nthreads, (nlines * ntiles) // max(1, 8 * st.cspan)))
        st.nbands = max(1, min(nb, nlines * ntiles))
        st.nvmax = (tw - 1) * st.xs + st.xspan if st.has_x else 1
        # ring slots padded off powers of two (cache-set conflicts between
        # the rows a column pass reads together)
        st.slot_len = (max(tw, st.nvmax) + 15) // 16 * 16 + 16
        st.maxterms = maxterms
        status = 0
        if nlines * nx_dst > 0:
            if dtype == np.float32:
                with nogil:
                    status = _run(&st, nthreads, <float>0)
            else:
                with nogil:
                    status = _run(&st, nthreads, <double>0)
        if status != 0:
            raise MemoryError("pyfilter: out of memory for the line buffers")
    finally:
        free(lp)
        del keep
    return dst
