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
# innermost, split in contiguous bands (a few per thread, each thread a
# contiguous run of them: see _common.pxi); every band allocates its own ring and line buffers inside
# the parallel region and first-touches the output rows it writes.
# Results do not depend on the number of threads (each output value is
# computed by the same arithmetic whatever band it falls in).

include "_common.pxi"

from cython.parallel cimport prange
from libc.math cimport atan2, atan2f, fabsf, rintf, trunc, copysign

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
    /* a[i] = (a[i] * mul >> 16) >> extra: 16-bit high multiplies (the
       compiler widens to 32 bits otherwise) */
    static void pf_div16(uint16_t* a, Py_ssize_t n, uint16_t mul, int extra) {
        Py_ssize_t i = 0;
    #if defined(__AVX2__)
        __m256i m = _mm256_set1_epi16((short)mul);
        __m128i sh = _mm_cvtsi32_si128(extra);
        for (; i + 16 <= n; i += 16) {
            __m256i v = _mm256_loadu_si256((const __m256i*)(a + i));
            _mm256_storeu_si256((__m256i*)(a + i),
                                _mm256_srl_epi16(_mm256_mulhi_epu16(v, m), sh));
        }
    #elif defined(__SSE2__)
        __m128i m = _mm_set1_epi16((short)mul);
        __m128i sh = _mm_cvtsi32_si128(extra);
        for (; i + 8 <= n; i += 8) {
            __m128i v = _mm_loadu_si128((const __m128i*)(a + i));
            _mm_storeu_si128((__m128i*)(a + i), _mm_srl_epi16(_mm_mulhi_epu16(v, m), sh));
        }
    #endif
        for (; i < n; i++)
            a[i] = (uint16_t)((((uint32_t)a[i] * mul) >> 16) >> extra);
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
    void pf_div16(uint16_t* a, Py_ssize_t n, uint16_t mul, int extra) noexcept nogil

# Compute types: float32 and float64, and int16 for 8-bit images under
# integer kernels whose every partial sum fits (exact, 16 lanes per AVX2
# vector; divisions by a verified multiply-and-shift).
ctypedef fused ftype:
    float
    double
    int16_t

# The combine kernel's types (float only).
ctypedef fused xtype:
    float
    double

cdef enum:
    CHUNK = 1024          # accumulator chunk (elements): stays in L1
    MAXDIM = 64           # numpy's largest number of dimensions
    MAXOUT = 8            # outputs of one stage
    MAXARG = 8            # components one output combines


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
    int32_t mul              # int16 plans: q = (s * mul) >> shift divides s >= 0
    int shift
    bint unit                # every weight is 1 (a box: sums only)
    const double* w64        # the weights in float64 (the exact recomputation)
    float tol                # > 0: float32 results this close to an integer are
                             # recomputed in float64 (see _verify)


cdef struct Output:
    char* ptr                 # the output array (per call)
    int tc
    bint direct               # written in place (compute type, unit stride)
    int comb                  # COMB_* of the components in ``args``
    int nargs
    int args[MAXARG]
    int which                 # COMB_EIG2: 0 the larger eigenvalue, 1 the smaller
    bint div_on
    double div                # divide the combined value by this
    Py_ssize_t strides[MAXDIM]


cdef struct Stage:
    int ndim
    const char* src
    int src_tc
    Py_ssize_t sshape[MAXDIM]
    Py_ssize_t sstr[MAXDIM]
    Py_ssize_t dshape[MAXDIM]
    int nouts
    Output outs[MAXOUT]
    int ca                    # column axis, -1 for none
    int nother
    int other[MAXDIM]         # outer axes other than ca, outermost first
    Py_ssize_t ncol_out
    Py_ssize_t nlines, ntiles, tile_w, nbands
    bint dyn                  # per call: bands taken dynamically
    Interrupt* intr           # per call: Ctrl-C (_common.pxi)
    Py_ssize_t poll           # per call: lines between two polls
    # column geometry: output row o reads virtual rows o*cs + cb + off
    Py_ssize_t cb, cs, clo, cspan, cvlo
    const Py_ssize_t* cmap    # virtual row (from cvlo) -> source row / -1
    const char* cused         # cspan flags: offset (from clo) used by a tap
    # x geometry: output o reads virtual x = o*xs + xb + off (along an x
    # axis that may interleave ``xblock`` unfiltered channels)
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
    bint comp_in_place        # one output of one component: computed in place
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
        if ftype is int16_t:
            if P.unit and kind != K_ANTI:
                # the sums and the division in one sweep
                _box16(acc + c0, pc, p1, p2, nt, kind == K_SYM, c0, nn, P)
                c0 += nn
                continue
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
            if ftype is int16_t:
                # non-negative sums: floor division by the verified
                # multiply-and-shift (a 16-bit high multiply when it fits)
                if P.shift >= 16 and P.mul < 65536:
                    _div16_hi(<uint16_t*>(acc + c0), nn, <uint16_t>P.mul, P.shift - 16)
                else:
                    for i in range(nn):
                        acc[c0 + i] = <int16_t>((<int32_t>acc[c0 + i] * P.mul) >> P.shift)
            else:
                # a true division (in float32 too: integer data filtered in
                # float32 must truncate exactly as scipy's float64 does)
                for i in range(nn):
                    acc[c0 + i] = acc[c0 + i] / dv
        if ftype is float:
            if P.tol > 0:
                _verify(acc, c0, nn, P, pc, p1, p2)
        c0 += nn


cdef inline void _div16_hi(uint16_t* a, Py_ssize_t n, uint16_t mul, int extra) noexcept nogil:
    pf_div16(a, n, mul, extra)


cdef void _box16(int16_t* acc, const int16_t* pc, const int16_t** p1, const int16_t** p2,
                 Py_ssize_t nt, bint pairs, Py_ssize_t c0, Py_ssize_t n,
                 const LPass* P) noexcept nogil:
    """acc = the sum of every tap row (all weights 1), up to eight rows per
    sweep, the division by the multiply-and-shift fused into the last one
    (``P.do_div`` is then cleared for this chunk by the caller)."""
    cdef Py_ssize_t i, m = 0, k
    cdef const int16_t* r[72]
    cdef const int16_t* q0
    cdef const int16_t* q1
    cdef const int16_t* q2
    cdef const int16_t* q3
    cdef const int16_t* q4
    cdef const int16_t* q5
    cdef const int16_t* q6
    cdef const int16_t* q7
    cdef bint hi = P.do_div and P.shift >= 16 and P.mul < 65536
    cdef uint16_t mul = <uint16_t>P.mul if hi else 1
    cdef int extra = P.shift - 16 if hi else 0
    cdef int16_t* a = acc
    if pc != NULL:
        r[m] = pc + c0
        m += 1
    cdef Py_ssize_t taken = 0
    while taken < nt and m <= 68:
        r[m] = p1[taken] + c0
        m += 1
        if pairs:
            r[m] = p2[taken] + c0
            m += 1
        taken += 1
    if taken < nt or m > 8 or m == 0:
        # long boxes: one row a sweep, then divide
        for i in range(n):
            a[i] = 0
        k = 0
        while k < m:
            q0 = r[k]
            for i in range(n):
                a[i] = a[i] + q0[i]
            k += 1
        k = taken
        while k < nt:
            q0 = p1[k] + c0
            q1 = p2[k] + c0
            for i in range(n):
                a[i] = a[i] + q0[i] + (q1[i] if pairs else 0)
            k += 1
        if P.do_div:
            if hi:
                _div16_hi(<uint16_t*>a, n, mul, extra)
            else:
                for i in range(n):
                    a[i] = <int16_t>((<int32_t>a[i] * P.mul) >> P.shift)
        return
    q0 = r[0]
    q1 = r[1 if m > 1 else 0]
    q2 = r[2 if m > 2 else 0]
    q3 = r[3 if m > 3 else 0]
    q4 = r[4 if m > 4 else 0]
    q5 = r[5 if m > 5 else 0]
    q6 = r[6 if m > 6 else 0]
    q7 = r[7 if m > 7 else 0]
    if m == 1:
        for i in range(n):
            a[i] = q0[i]
    elif m == 2:
        for i in range(n):
            a[i] = q0[i] + q1[i]
    elif m == 3:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i]
    elif m == 4:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i] + q3[i]
    elif m == 5:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i] + q3[i] + q4[i]
    elif m == 6:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i] + q3[i] + q4[i] + q5[i]
    elif m == 7:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i] + q3[i] + q4[i] + q5[i] + q6[i]
    else:
        for i in range(n):
            a[i] = q0[i] + q1[i] + q2[i] + q3[i] + q4[i] + q5[i] + q6[i] + q7[i]
    if P.do_div:
        if hi:
            pf_div16(<uint16_t*>a, n, mul, extra)
        else:
            for i in range(n):
                a[i] = <int16_t>((<int32_t>a[i] * P.mul) >> P.shift)


cdef void _verify(float* acc, Py_ssize_t c0, Py_ssize_t nn, const LPass* P,
                  const float* pc, const float** p1, const float** p2) noexcept nogil:
    """Integer data filtered in float32 into a value that is then truncated
    (an integer output or intermediate): where the float32 result lies
    within ``P.tol`` (a bound on its difference from float64's) of an
    integer, the tap sum is recomputed in float64 in scipy's order and
    replaced by a float32 value that truncates like it.  Elsewhere float32
    and float64 truncate alike, so the output is scipy's bit for bit.  The
    close values are found with a vectorised pass over flags, eight at a
    time (few are close)."""
    cdef Py_ssize_t i, j, t, g, nt = P.nterms
    cdef float v, tol = P.tol
    cdef double e, w
    cdef uint8_t flags[CHUNK + 8]
    cdef const float* a = acc + c0
    for i in range(nn):
        flags[i] = fabsf(a[i] - rintf(a[i])) < tol
    for i in range(nn, nn + 8):
        flags[i] = 0
    for g in range(0, nn, 8):
        if (<const uint64_t*>(flags + g))[0] == 0:
            continue
        for i in range(g, g + 8):
            if i >= nn or not flags[i]:
                continue
            j = c0 + i
            # scipy's order: the centre, then the terms (multiply, then add)
            if P.has_center:
                e = <double>pc[j] * P.w64[nt]
                t = 0
            elif P.kind == K_SINGLE:
                e = <double>p1[0][j] * P.w64[0]
                t = 1
            elif P.kind == K_SYM:
                e = (<double>p1[0][j] + <double>p2[0][j]) * P.w64[0]
                t = 1
            else:
                e = (<double>p1[0][j] - <double>p2[0][j]) * P.w64[0]
                t = 1
            while t < nt:
                w = P.w64[t]
                if P.kind == K_SINGLE:
                    e = e + <double>p1[t][j] * w
                elif P.kind == K_SYM:
                    e = e + (<double>p1[t][j] + <double>p2[t][j]) * w
                else:
                    e = e + (<double>p1[t][j] - <double>p2[t][j]) * w
                t += 1
            if nt == 0 and not P.has_center:
                e = 0
            if P.do_div:
                e = e / P.div
            acc[j] = <float>(trunc(e) + copysign(0.25, e))


# ---------------------------------------------------------------- int16 moves
cdef inline void _load16(int16_t* buf, Py_ssize_t bstep, const char* src, Py_ssize_t sstep,
                         Py_ssize_t n, int tc) noexcept nogil:
    """buf[m * bstep] = source element m (8-bit or int16 sources only)."""
    cdef Py_ssize_t m
    if tc == TC_UINT8 or tc == TC_BOOL:
        if bstep == 1 and sstep == 1:
            for m in range(n):
                buf[m] = (<const uint8_t*>src)[m]
        else:
            for m in range(n):
                buf[m * bstep] = (<const uint8_t*>(src + m * sstep))[0]
    elif tc == TC_INT8:
        for m in range(n):
            buf[m * bstep] = (<const int8_t*>(src + m * sstep))[0]
    else:
        for m in range(n):
            buf[m * bstep] = (<const int16_t*>(src + m * sstep))[0]


cdef inline void _store16(char* dst, Py_ssize_t dstep, const int16_t* buf, Py_ssize_t n,
                          int tc) noexcept nogil:
    """Store exact integers: integer outputs wrap (as scipy's casts of
    in-range values do), bool keeps the low byte's truth, floats convert."""
    cdef Py_ssize_t m
    if tc == TC_UINT8 or tc == TC_BOOL:
        if dstep == 1:
            if tc == TC_BOOL:
                for m in range(n):
                    (<uint8_t*>dst)[m] = <uint8_t>(<uint8_t>buf[m] != 0)
            else:
                for m in range(n):
                    (<uint8_t*>dst)[m] = <uint8_t>buf[m]
        else:
            for m in range(n):
                (<uint8_t*>(dst + m * dstep))[0] = (<uint8_t>(<uint8_t>buf[m] != 0)
                                                   if tc == TC_BOOL else <uint8_t>buf[m])
    elif tc == TC_INT8:
        for m in range(n):
            (<int8_t*>(dst + m * dstep))[0] = <int8_t>buf[m]
    elif tc == TC_INT16:
        for m in range(n):
            (<int16_t*>(dst + m * dstep))[0] = buf[m]
    elif tc == TC_UINT16:
        for m in range(n):
            (<uint16_t*>(dst + m * dstep))[0] = <uint16_t>buf[m]
    elif tc == TC_INT32:
        for m in range(n):
            (<int32_t*>(dst + m * dstep))[0] = buf[m]
    elif tc == TC_FLOAT32:
        for m in range(n):
            (<float*>(dst + m * dstep))[0] = buf[m]
    else:
        for m in range(n):
            (<double*>(dst + m * dstep))[0] = buf[m]


cdef inline void _lload(ftype* buf, Py_ssize_t bstep, const char* src, Py_ssize_t sstep,
                        Py_ssize_t n, int tc) noexcept nogil:
    if ftype is int16_t:
        _load16(buf, bstep, src, sstep, n, tc)
    else:
        load_run(buf, bstep, src, sstep, n, tc)


cdef inline void _lstore(char* dst, Py_ssize_t dstep, const ftype* buf, Py_ssize_t n,
                         int tc) noexcept nogil:
    if ftype is int16_t:
        _store16(dst, dstep, buf, n, tc)
    else:
        store_run(dst, dstep, buf, n, tc, CAST_LINE)


# ---------------------------------------------------------------- helpers
cdef inline void _quantize(ftype* buf, Py_ssize_t n, const Stage* st,
                           char* qbuf) noexcept nogil:
    """Round-trip values through the output type (scipy stores the
    intermediates of multi-pass filters in the output array)."""
    if n <= 0:
        return
    _lstore(qbuf, st.q_size, buf, n, st.q_tc)
    _lload(buf, 1, qbuf, st.q_size, n, st.q_tc)


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
            _lload(buf + q, 1, srow + j * xstr, xstr, 1, st.src_tc)
    if hi > lo:
        if st.direct_src:
            memcpy(buf + lo, srow + (v0 + lo) * xstr, (hi - lo) * sizeof(ftype))
        else:
            _lload(buf + lo, 1, srow + (v0 + lo) * xstr, xstr, hi - lo, st.src_tc)
    for q in range(hi, nv):
        j = st.xmap[v0 + q - st.xvlo]
        if j < 0:
            buf[q] = cval
        else:
            _lload(buf + q, 1, srow + j * xstr, xstr, 1, st.src_tc)


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
    void* block               # the one allocation the buffers below are carved from
    void* ring
    Py_ssize_t* tags          # cspan x 2: (key, virtual row)
    void* cvrows
    void* xbuf
    void* pbuf
    void* accs
    void* res
    char* qbuf
    void** p1
    void** p2
    void** rowp               # (npre + 1) x cspan row pointers
    void* sv                  # scalar values for single-position column passes


cdef int _alloc(const Stage* st, Work* wk, Py_ssize_t isz) noexcept nogil:
    """The band's scratch, in one allocation (64-byte aligned pieces)."""
    cdef Py_ssize_t np1 = st.npre + 1, sl = st.slot_len, nv = st.nvmax
    # no ring when the column pass reads the source rows in place
    cdef Py_ssize_t nring = st.cspan if (st.ca >= 0 and not
                                         (st.direct_src and st.npre == 0)) else 0
    cdef Py_ssize_t sizes[12]
    cdef void** slots[12]
    cdef Py_ssize_t total = 64, i
    cdef char* p
    sizes[0] = (nring * np1 * sl + 1) * isz; slots[0] = &wk.ring
    sizes[1] = (2 * nring + 2) * sizeof(Py_ssize_t); slots[1] = <void**>&wk.tags
    sizes[2] = (np1 * sl + 1) * isz; slots[2] = &wk.cvrows
    sizes[3] = (nv + 2 * st.xs + 8) * isz; slots[3] = &wk.xbuf
    sizes[4] = (nv + 2 * st.xs + 8) * isz; slots[4] = &wk.pbuf
    sizes[5] = (st.ncomp * sl + 1) * isz; slots[5] = &wk.accs
    sizes[6] = (sl + 1) * isz; slots[6] = &wk.res
    sizes[7] = (sl + 1) * 16; slots[7] = <void**>&wk.qbuf
    sizes[8] = (st.maxterms + 1) * sizeof(void*); slots[8] = <void**>&wk.p1
    sizes[9] = (st.maxterms + 1) * sizeof(void*); slots[9] = <void**>&wk.p2
    sizes[10] = (np1 * (st.cspan + 1) + 1) * sizeof(void*); slots[10] = <void**>&wk.rowp
    sizes[11] = (2 * st.maxterms + 4) * isz; slots[11] = &wk.sv
    for i in range(12):
        total += (sizes[i] + 63) // 64 * 64
    wk.block = malloc(total)
    if wk.block == NULL:
        return -1
    p = <char*>(((<size_t>wk.block) + 63) & ~(<size_t>63))
    for i in range(12):
        slots[i][0] = <void*>p
        p += (sizes[i] + 63) // 64 * 64
    return 0


cdef void _free(Work* wk) noexcept nogil:
    free(wk.block)


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
        _lload(slot0 + st.npre * sl, 1, srow + ra * xstr, xstr, rb - ra, st.src_tc)


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
                _lload(sv + 2 * t + k, 1, sbase + jr * cstr + j * xstr, xstr, 1,
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
    wk.block = NULL
    if _alloc(st, &wk, isz) != 0:
        return -1
    cdef Py_ssize_t np1 = st.npre + 1, sl = st.slot_len, nd = st.ndim
    cdef Py_ssize_t u, t, l, rem, a, ax, oc, key, x0, x1, nxo, v0, nv, ra, rb
    cdef Py_ssize_t k, v, slot, jr, c, r, plen, q, j, i, vbase
    cdef Py_ssize_t so, o
    cdef Py_ssize_t n_other_lines
    cdef ftype* ring = <ftype*>wk.ring
    cdef ftype* cvrows = <ftype*>wk.cvrows
    cdef ftype* xbuf = <ftype*>wk.xbuf
    cdef ftype* pbuf = <ftype*>wk.pbuf
    cdef ftype* accs = <ftype*>wk.accs
    cdef ftype* res
    cdef ftype* acc
    cdef ftype* orow_c
    cdef char* orow
    cdef const Output* O
    cdef Py_ssize_t doff[MAXOUT]
    cdef const ftype* planes
    cdef const ftype** rowp = <const ftype**>wk.rowp
    cdef const ftype** p1 = <const ftype**>wk.p1
    cdef const ftype** p2 = <const ftype**>wk.p2
    cdef const ftype* pc
    cdef const LPass* P
    cdef const char* srow
    cdef bint want_raw = False, have_post = False
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
    cdef Py_ssize_t until_poll = 1
    for u in range(u0, u1):
        if stop_now(st.intr, &until_poll, st.poll):
            break
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
        for o in range(st.nouts):
            doff[o] = x0 * st.outs[o].strides[nd - 1]
        for a in range(st.nother - 1, -1, -1):
            ax = st.other[a]
            i = rem % st.dshape[ax]
            rem = rem // st.dshape[ax]
            so += i * st.sstr[ax]
            for o in range(st.nouts):
                doff[o] += i * st.outs[o].strides[ax]
        if st.ca >= 0:
            for o in range(st.nouts):
                doff[o] += oc * st.outs[o].strides[st.ca]
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
        # a single component of a single output is computed in place (into
        # the output row itself when it has the compute type)
        if st.comp_in_place and st.outs[0].direct:
            res = <ftype*>(st.outs[0].ptr + doff[0])
        else:
            res = <ftype*>wk.res
        if st.ca < 0:
            # X stage: one loaded row, each component's x pass
            srow = st.src + so
            _load_x(st, xbuf, srow, v0, nv, <ftype>st.cv_src_x)
            planes = _planes(st, xbuf, pbuf, nv, &plen)
            for c in range(st.ncomp):
                acc = res if st.comp_in_place else accs + c * sl
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
                    acc = res if st.comp_in_place else accs + c * sl
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
                    acc = res if st.comp_in_place else accs + c * sl
                    _xpass(st, &st.passes[st.comp_post[c]], planes, plen, acc, nxo,
                           p1, p2)
        # combine the components into each output
        for o in range(st.nouts):
            O = &st.outs[o]
            orow = O.ptr + doff[o]
            if st.comp_in_place:
                orow_c = res
                if O.div_on:
                    _divide(res, nxo, O.div)
            else:
                orow_c = <ftype*>orow if O.direct else <ftype*>wk.res
                _combine(orow_c, accs, sl, O, nxo)
            if not O.direct:
                _lstore(orow, O.strides[nd - 1], orow_c, nxo, O.tc)
    _free(&wk)
    return 0


cdef inline void _divide(ftype* a, Py_ssize_t n, double div) noexcept nogil:
    cdef ftype d = <ftype>div
    cdef Py_ssize_t i
    if ftype is int16_t:
        pass            # (int16 plans have no output divisors)
    else:
        for i in range(n):
            a[i] = a[i] / d


cdef void _combine(ftype* out, const ftype* rows, Py_ssize_t sl, const Output* O,
                   Py_ssize_t n) noexcept nogil:
    """out[i] = O's combination of the component rows ``rows + args[k] * sl``
    (sums and squares in argument order; the same arithmetic wherever it
    runs), then divided by O.div."""
    cdef const ftype* a0 = rows + O.args[0] * sl
    cdef const ftype* a1 = rows + O.args[1 if O.nargs > 1 else 0] * sl
    cdef const ftype* a2 = rows + O.args[2 if O.nargs > 2 else 0] * sl
    cdef const ftype* ac
    cdef Py_ssize_t i
    cdef int c, comb = O.comb
    cdef ftype e, m, h
    if ftype is int16_t:
        # int16 plans have one output, one term (planned so)
        if out != a0:
            memcpy(out, a0, n * sizeof(ftype))
    else:
        if comb == COMB_TERM or (comb == COMB_SUM and O.nargs == 1):
            if out != a0:
                memcpy(out, a0, n * sizeof(ftype))
        elif comb == COMB_SUM:
            for i in range(n):
                out[i] = a0[i] + a1[i]
            for c in range(2, O.nargs):
                ac = rows + O.args[c] * sl
                for i in range(n):
                    out[i] = out[i] + ac[i]
        elif comb == COMB_HYPOT:
            if O.nargs == 1:
                for i in range(n):
                    e = a0[i]
                    out[i] = e * e
            elif O.nargs == 2:
                for i in range(n):
                    out[i] = a0[i] * a0[i] + a1[i] * a1[i]
            else:
                for i in range(n):
                    out[i] = a0[i] * a0[i]
                for c in range(1, O.nargs):
                    ac = rows + O.args[c] * sl
                    for i in range(n):
                        e = ac[i]
                        out[i] = out[i] + e * e
            if ftype is float:
                pf_sqrt_f(out, n)
            else:
                pf_sqrt_d(out, n)
        elif comb == COMB_ATAN2:
            for i in range(n):
                if ftype is float:
                    out[i] = atan2f(a0[i], a1[i])
                else:
                    out[i] = atan2(a0[i], a1[i])
        elif comb == COMB_PROD:
            for i in range(n):
                out[i] = a0[i] * a1[i]
        elif comb == COMB_DIFF:
            for i in range(n):
                out[i] = a0[i] - a1[i]
        elif comb == COMB_EIG2:
            # eigenvalues of [[a, b], [b, c]]: (a + c) / 2 +- sqrt(4 b^2 + (a - c)^2) / 2
            for i in range(n):
                e = a0[i] - a2[i]
                h = a1[i]
                out[i] = <ftype>4 * (h * h) + e * e
            if ftype is float:
                pf_sqrt_f(out, n)
            else:
                pf_sqrt_d(out, n)
            if O.which == 0:
                for i in range(n):
                    out[i] = (a0[i] + a2[i]) / 2 + out[i] / 2
            else:
                for i in range(n):
                    out[i] = (a0[i] + a2[i]) / 2 - out[i] / 2
        if O.div_on:
            _divide(out, n, O.div)


cdef int _run(const Stage* st, int nthreads, ftype dummy) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or st.nbands <= 1:
        for band in range(st.nbands):
            failures += _band(st, band, dummy) != 0
        return failures
    if st.dyn:
        for band in prange(st.nbands, schedule='dynamic', chunksize=1,
                           num_threads=nthreads):
            failures += _band(st, band, dummy) != 0
    else:
        for band in prange(st.nbands, schedule='static', num_threads=nthreads):
            failures += _band(st, band, dummy) != 0
    return failures


# ---------------------------------------------------------------- plans
cdef struct XGeom:
    Py_ssize_t base           # virtual x of output 0's offset 0 (in x elements)
    Py_ssize_t stride
    int mode
    Py_ssize_t block          # channels interleaved along x (1: none)


cdef struct CGeom:
    int axis                  # the column axis, -1 for none
    Py_ssize_t base
    Py_ssize_t stride
    int mode


cdef struct Quant:
    bint pre                  # round the x-passed rows through the output type
    bint col                  # round the column-pass results through it
    int tc
    Py_ssize_t size


cdef struct Cvals:
    double src_x              # source values outside x
    double tmp_x              # column-pass results outside x (CX stages)


cdef class StagePlan:
    """One stage of the line engine, planned once for its shapes (see the
    module comment): the passes, the x and column geometry with their
    boundary tables, the components and the outputs with their combine
    programs.  ``run`` may be called from several Python threads at once.

    Parameters (arrays are C-contiguous)
    ----------
    src_shape, dst_shape : intp[::1]
        Shapes of the source and of every output (one ndim; x is the last axis).
    src_tc : int
        Element type code of the source.
    ctype : int
        The compute type: 0 float32, 1 float64, 2 int16 (integer weights
        only; divisions by the ``pdiv`` multiply-and-shift pairs).
    ptab : intp[:, ::1]
        One row per pass: kind (K_*), nterms, start (into ``off1``/``off2``/
        ``wts``), has_center, centre offset.
    pdiv : float64[::1]
        Divisor of each pass (1: none).
    pmag : intp[:, ::1]
        Per pass, in int16 plans: (mul, shift) with ``(s * mul) >> shift ==
        s // div`` for every sum the pass can reach (verified by the caller).
    ptol : float64[::1]
        Per pass, in float32 plans: the verification tolerance of a pass
        whose results are truncated to integers (0: none; see _verify).
    off1, off2 : intp[::1]
        Term offsets of every pass, concatenated.
    wts : float64[::1]
        Each pass's ``nterms`` weights then its centre weight, concatenated.
    xgeom, cgeom : XGeom, CGeom
        Output ``o`` reads virtual ``o * stride + base + offset``.
    pre : int32[::1]
        Ids of the x passes applied to source rows before the column pass.
    comps : int32[:, ::1]
        One row per component: pre index (-1: raw rows), column pass id
        (-1: none), x pass id after the column pass (-1: none).
    oprog : intp[:, ::1]
        One row per output: type code, COMB_* code, number of arguments,
        ``which``, then MAXARG component ids.
    odiv : float64[::1]
        Divisor of each output (1: none).
    cv_plane : float64[::1]
        Boundary value of each ring plane (npre + 1 entries).
    cvals, quant : Cvals, Quant
    """
    cdef Stage st
    cdef LPass* lp
    cdef object keep
    cdef Py_ssize_t itemsize

    def __cinit__(self):
        self.lp = NULL

    def __dealloc__(self):
        free(self.lp)

    def __init__(self, const Py_ssize_t[::1] src_shape, const Py_ssize_t[::1] dst_shape,
                 int src_tc, int ctype, const Py_ssize_t[:, ::1] ptab,
                 const double[::1] pdiv, const Py_ssize_t[:, ::1] pmag,
                 const double[::1] ptol,
                 const Py_ssize_t[::1] off1, const Py_ssize_t[::1] off2,
                 const double[::1] wts, XGeom xgeom,
                 CGeom cgeom, const int[::1] pre, const int[:, ::1] comps,
                 const Py_ssize_t[:, ::1] oprog, const double[::1] odiv,
                 const double[::1] cv_plane, Cvals cvals, Quant quant):
        cdef Stage* st = &self.st
        cdef int nd = src_shape.shape[0], i, a, k, o
        cdef Py_ssize_t npass = ptab.shape[0], vhi, xlo = 0, xhi = 0, clo = 0, chi = 0
        cdef Py_ssize_t start, nt, t, off, nxd, nlines
        cdef bint xset = False, cset = False, is_x, is_c
        st.intr = NULL
        st.poll = 1
        if nd < 1 or nd > MAXDIM or dst_shape.shape[0] != nd:
            raise ValueError(f"StagePlan: bad ndim {nd}")
        if oprog.shape[0] < 1 or oprog.shape[0] > MAXOUT:
            raise ValueError(f"StagePlan: 1..{MAXOUT} outputs, got {oprog.shape[0]}")
        if ctype not in (0, 1, 2):
            raise ValueError(f"StagePlan: compute type code {ctype}")
        dtype = np.dtype((np.float32, np.float64, np.int16)[ctype])
        self.itemsize = dtype.itemsize
        if ctype == 2 and not np.all(np.mod(np.asarray(wts), 1) == 0):
            raise ValueError("StagePlan: int16 plans need integer weights")
        wc = np.ascontiguousarray(wts, dtype=dtype)
        w64 = np.ascontiguousarray(wts, dtype=np.float64)
        o1 = np.ascontiguousarray(off1, dtype=np.intp)
        o2 = np.ascontiguousarray(off2, dtype=np.intp)
        if o1.shape[0] == 0:
            o1 = o2 = np.zeros(1, np.intp)
        pre_a = np.ascontiguousarray(np.append(np.asarray(pre), 0), dtype=np.intc)
        comps_a = np.ascontiguousarray(comps, dtype=np.intc)
        cpre = np.ascontiguousarray(np.append(comps_a[:, 0], 0), dtype=np.intc)
        ccol = np.ascontiguousarray(np.append(comps_a[:, 1], 0), dtype=np.intc)
        cpost = np.ascontiguousarray(np.append(comps_a[:, 2], 0), dtype=np.intc)
        cvp = np.ascontiguousarray(cv_plane, dtype=np.float64)
        self.lp = <LPass*>malloc((npass + 1) * sizeof(LPass))
        if self.lp == NULL:
            raise MemoryError()
        pre_np = np.asarray(pre)
        off1_np = np.asarray(off1)
        off2_np = np.asarray(off2)
        xpass = {int(v) for v in pre_np} | {int(c[2]) for c in comps_a if c[2] >= 0}
        cpass = {int(c[1]) for c in comps_a if c[1] >= 0}
        maxterms = 1
        for i in range(npass):
            start = ptab[i, 2]
            nt = ptab[i, 1]
            self.lp[i].kind = <int>ptab[i, 0]
            self.lp[i].nterms = nt
            self.lp[i].off1 = (<const Py_ssize_t*>cnp.PyArray_DATA(o1)) + start
            self.lp[i].off2 = (<const Py_ssize_t*>cnp.PyArray_DATA(o2)) + start
            self.lp[i].w = (<const char*>cnp.PyArray_DATA(wc)) + (start + i) * self.itemsize
            self.lp[i].has_center = ptab[i, 3] != 0
            self.lp[i].coff = ptab[i, 4]
            self.lp[i].div = pdiv[i]
            self.lp[i].do_div = pdiv[i] != 1
            self.lp[i].w64 = (<const double*>cnp.PyArray_DATA(w64)) + start + i
            self.lp[i].tol = <float>ptol[i] if ctype == 0 else 0
            self.lp[i].mul = <int32_t>pmag[i, 0]
            self.lp[i].shift = <int>pmag[i, 1]
            self.lp[i].unit = bool(np.all(np.asarray(wts[start + i:start + i + nt + 1]) == 1)
                                   if ptab[i, 3] else
                                   np.all(np.asarray(wts[start + i:start + i + nt]) == 1))
            maxterms = max(maxterms, nt + 1)
            # the offsets this pass reads
            offs = [int(v) for v in off1_np[start:start + nt]]
            if ptab[i, 0] != K_SINGLE:
                offs += [int(v) for v in off2_np[start:start + nt]]
            if ptab[i, 3]:
                offs.append(ptab[i, 4])
            if not offs:
                offs = [0]
            if i in xpass:
                xlo = min(offs) if not xset else min(xlo, min(offs))
                xhi = max(offs) if not xset else max(xhi, max(offs))
                xset = True
            if i in cpass:
                clo = min(offs) if not cset else min(clo, min(offs))
                chi = max(offs) if not cset else max(chi, max(offs))
                cset = True
        st.ndim = nd
        st.src_tc = src_tc
        for a in range(nd):
            st.sshape[a] = src_shape[a]
            st.dshape[a] = dst_shape[a]
        st.nouts = <int>oprog.shape[0]
        for o in range(st.nouts):
            st.outs[o].tc = <int>oprog[o, 0]
            st.outs[o].comb = <int>oprog[o, 1]
            st.outs[o].nargs = <int>oprog[o, 2]
            st.outs[o].which = <int>oprog[o, 3]
            for k in range(MAXARG):
                st.outs[o].args[k] = <int>oprog[o, 4 + k] if 4 + k < oprog.shape[1] else 0
            st.outs[o].div = odiv[o]
            st.outs[o].div_on = odiv[o] != 1
        st.ca = cgeom.axis
        k = 0
        for a in range(nd - 1):
            if a != st.ca:
                st.other[k] = a
                k += 1
        st.nother = k
        st.ncol_out = dst_shape[st.ca] if st.ca >= 0 else 1
        nlines = 1
        for a in range(nd - 1):
            nlines *= dst_shape[a]
        st.nlines = nlines
        nxd = dst_shape[nd - 1]
        st.nx_dst = nxd
        st.nx_src = src_shape[nd - 1]
        st.has_x = xset
        if xset:
            st.xb = xgeom.base
            st.xs = xgeom.stride
            st.xlo = xlo
            st.xspan = xhi - xlo + 1
            st.xvlo = xgeom.base + xlo
            vhi = (nxd - 1) * xgeom.stride + xgeom.base + xhi
            xmap = map_table_block(st.xvlo, vhi, src_shape[nd - 1], xgeom.mode, xgeom.block)
        else:
            st.xb, st.xs, st.xlo, st.xspan, st.xvlo = 0, 1, 0, 1, 0
            xmap = np.zeros(1, dtype=np.intp)
        st.xmap = <const Py_ssize_t*>cnp.PyArray_DATA(xmap)
        if st.ca >= 0:
            st.cb = cgeom.base
            st.cs = cgeom.stride
            st.clo = clo
            st.cspan = chi - clo + 1
            st.cvlo = cgeom.base + clo
            vhi = (dst_shape[st.ca] - 1) * cgeom.stride + cgeom.base + chi
            cmap = map_table(st.cvlo, vhi, src_shape[st.ca], cgeom.mode)
            used = np.zeros(st.cspan, dtype=np.int8)
            for i in cpass:
                start = ptab[i, 2]
                for t in range(ptab[i, 1]):
                    used[off1[start + t] - clo] = 1
                    if ptab[i, 0] != K_SINGLE:
                        used[off2[start + t] - clo] = 1
                if ptab[i, 3]:
                    used[ptab[i, 4] - clo] = 1
        else:
            st.cb, st.cs, st.clo, st.cspan, st.cvlo = 0, 1, 0, 1, 0
            cmap = np.zeros(1, dtype=np.intp)
            used = np.zeros(1, dtype=np.int8)
        st.cmap = <const Py_ssize_t*>cnp.PyArray_DATA(cmap)
        st.cused = <const char*>cnp.PyArray_DATA(used)
        st.passes = self.lp
        st.npre = <int>pre.shape[0]
        st.pre = <const int*>cnp.PyArray_DATA(pre_a)
        st.ncomp = <int>comps_a.shape[0]
        st.comp_pre = <const int*>cnp.PyArray_DATA(cpre)
        st.comp_col = <const int*>cnp.PyArray_DATA(ccol)
        st.comp_post = <const int*>cnp.PyArray_DATA(cpost)
        st.cv_src_x = cvals.src_x
        st.cv_plane = <const double*>cnp.PyArray_DATA(cvp)
        st.cv_tmp_x = cvals.tmp_x
        st.q_pre = quant.pre
        st.q_col = quant.col
        st.q_tc = quant.tc
        st.q_size = quant.size
        st.comp_in_place = (st.nouts == 1 and st.ncomp == 1
                            and st.outs[0].comb in (COMB_TERM, COMB_SUM))
        st.maxterms = maxterms
        self.keep = (wc, w64, o1, o2, pre_a, comps_a, cpre, ccol, cpost, cvp, xmap, cmap, used)

    def run(self, cnp.ndarray src, tuple outs, int nthreads, Py_ssize_t tile_w=0):
        """Run the stage on ``src`` into the arrays ``outs`` (the planned
        shapes and dtypes, any strides, native byte order)."""
        cdef Stage st = self.st
        cdef int nd = st.ndim, a, o, status = 0
        cdef cnp.ndarray arr
        cdef Py_ssize_t tw, ntiles, nb, ring_bytes, isz = self.itemsize
        cdef int ctc = TC_FLOAT32 if isz == 4 else (TC_FLOAT64 if isz == 8 else TC_INT16)
        if len(outs) != st.nouts or src.ndim != nd:
            raise ValueError("StagePlan.run: wrong number of outputs or dimensions")
        st.src = <const char*>cnp.PyArray_DATA(src)
        for a in range(nd):
            if src.shape[a] != st.sshape[a]:
                raise ValueError("StagePlan.run: the source does not have the planned shape")
            st.sstr[a] = src.strides[a]
        st.direct_src = st.src_tc == ctc and st.sstr[nd - 1] == isz
        for o in range(st.nouts):
            arr = <cnp.ndarray>outs[o]
            if arr.ndim != nd:
                raise ValueError("StagePlan.run: an output has the wrong ndim")
            for a in range(nd):
                if arr.shape[a] != st.dshape[a]:
                    raise ValueError("StagePlan.run: an output does not have the planned shape")
                st.outs[o].strides[a] = arr.strides[a]
            st.outs[o].ptr = <char*>cnp.PyArray_DATA(arr)
            st.outs[o].direct = st.outs[o].tc == ctc and arr.strides[nd - 1] == isz
        # work split: x tiles when there are few lines, or when the rows a
        # column pass reads together would not fit in about 256 KiB of L2
        ntiles = 1
        tw = st.nx_dst
        if tile_w > 0:
            tw = tile_w
        else:
            if nthreads > 1 and st.nlines < 4 * nthreads and st.nx_dst >= 2048:
                ntiles = min(4 * nthreads, st.nx_dst // 1024)
                tw = (st.nx_dst + ntiles - 1) // ntiles
            if st.ca >= 0:
                ring_bytes = st.cspan * (st.npre + 1) * tw * isz
                if ring_bytes > (256 << 10):
                    tw = max(512, ((256 << 10) // (st.cspan * (st.npre + 1) * isz)) // 64 * 64)
        tw = max(1, min(tw, st.nx_dst))
        ntiles = (st.nx_dst + tw - 1) // tw
        st.tile_w = tw
        st.ntiles = ntiles
        nb = bands_for(nthreads, st.nlines * ntiles)
        if st.ca >= 0 and nb > nthreads:
            # each band primes its own ring: keep bands long against the kernel
            nb = min(nb, max(nthreads, (st.nlines * ntiles) // max(1, 8 * st.cspan)))
        st.nbands = <int>max(1, nb)
        nbytes = cnp.PyArray_NBYTES(src)
        for o in range(len(outs)):
            nbytes += cnp.PyArray_NBYTES(<cnp.ndarray>outs[o])
        st.dyn = dynamic_schedule(nbytes)
        st.nvmax = (tw - 1) * st.xs + st.xspan if st.has_x else 1
        # ring slots padded off powers of two (cache-set conflicts between
        # the rows a column pass reads together)
        st.slot_len = (max(tw, st.nvmax) + 15) // 16 * 16 + 16
        cdef Interrupt intr
        interrupt_init(&intr)
        st.intr = &intr
        st.poll = poll_units(<double>tw * 8.0)
        if st.nlines * st.nx_dst > 0:
            if isz == 4:
                with nogil:
                    status = _run(&st, nthreads, <float>0)
            elif isz == 8:
                with nogil:
                    status = _run(&st, nthreads, <double>0)
            else:
                with nogil:
                    status = _run(&st, nthreads, <int16_t>0)
        check_interrupt(&intr)
        if status != 0:
            raise MemoryError("pyfilter: out of memory for the line buffers")


# ---------------------------------------------------------------- elementwise combine
cdef struct Combo:
    int nsrc
    const char* src[MAXARG]
    int src_tc[MAXARG]
    Py_ssize_t sstr[MAXARG][MAXDIM]
    int ndim
    Py_ssize_t shape[MAXDIM]
    Py_ssize_t nlines
    int nouts
    Output outs[MAXOUT]
    int nbands
    bint dyn


cdef int _combo_band(const Combo* cb, int band, xtype dummy) noexcept nogil:
    cdef Py_ssize_t u0, u1, u, rem, i, n = cb.shape[cb.ndim - 1], sl = n + 16
    cdef Py_ssize_t soff[MAXARG]
    cdef Py_ssize_t doff[MAXOUT]
    cdef int a, k, o, nd = cb.ndim
    cdef xtype* rows
    cdef xtype* res
    cdef const Output* O
    band_units(cb.nlines, band, cb.nbands, &u0, &u1)
    if u1 <= u0:
        return 0
    rows = <xtype*>malloc((cb.nsrc * sl + 1) * sizeof(xtype))
    res = <xtype*>malloc((sl + 1) * sizeof(xtype))
    if rows == NULL or res == NULL:
        free(rows)
        free(res)
        return -1
    for u in range(u0, u1):
        rem = u
        for k in range(cb.nsrc):
            soff[k] = 0
        for o in range(cb.nouts):
            doff[o] = 0
        for a in range(nd - 2, -1, -1):
            i = rem % cb.shape[a]
            rem = rem // cb.shape[a]
            for k in range(cb.nsrc):
                soff[k] += i * cb.sstr[k][a]
            for o in range(cb.nouts):
                doff[o] += i * cb.outs[o].strides[a]
        for k in range(cb.nsrc):
            load_run(rows + k * sl, 1, cb.src[k] + soff[k], cb.sstr[k][nd - 1], n,
                     cb.src_tc[k])
        for o in range(cb.nouts):
            O = &cb.outs[o]
            _combine(res, rows, sl, O, n)
            store_run(O.ptr + doff[o], O.strides[nd - 1], res, n, O.tc, CAST_LINE)
    free(rows)
    free(res)
    return 0


cdef int _combo_run(const Combo* cb, int nthreads, xtype dummy) noexcept nogil:
    cdef int band, failures = 0
    if nthreads <= 1 or cb.nbands <= 1:
        for band in range(cb.nbands):
            failures += _combo_band(cb, band, dummy) != 0
        return failures
    if cb.dyn:
        for band in prange(cb.nbands, schedule='dynamic', chunksize=1, num_threads=nthreads):
            failures += _combo_band(cb, band, dummy) != 0
    else:
        for band in prange(cb.nbands, schedule='static', num_threads=nthreads):
            failures += _combo_band(cb, band, dummy) != 0
    return failures


def combine(tuple srcs, const int[::1] src_tcs, tuple outs, const Py_ssize_t[:, ::1] oprog,
            const double[::1] odiv, bint single, int nthreads):
    """Elementwise combination of real arrays of one shape: ``outs[o]`` =
    the combination ``oprog[o]`` (as in :class:`StagePlan`: type code,
    COMB_* code, number of arguments, ``which``, component ids indexing
    ``srcs``) computed in float32 (``single``) or float64 and stored with
    the line filters' cast; ``src_tcs``: the sources' type codes."""
    cdef Combo cb
    cdef int nd, a, k, o, status = 0
    cdef cnp.ndarray arr
    if not 1 <= len(srcs) <= MAXARG or not 1 <= len(outs) <= MAXOUT:
        raise ValueError("combine: 1..8 sources and 1..8 outputs")
    arr = <cnp.ndarray>outs[0]
    nd = arr.ndim
    if nd < 1 or nd > MAXDIM:
        raise ValueError("combine: 1..64 dimensions")
    cb.ndim = nd
    cb.nlines = 1
    for a in range(nd):
        cb.shape[a] = arr.shape[a]
        if a < nd - 1:
            cb.nlines *= arr.shape[a]
    cb.nsrc = <int>len(srcs)
    for k in range(cb.nsrc):
        arr = <cnp.ndarray>srcs[k]
        cb.src[k] = <const char*>cnp.PyArray_DATA(arr)
        cb.src_tc[k] = src_tcs[k]
        for a in range(nd):
            if arr.shape[a] != cb.shape[a]:
                raise ValueError("combine: shapes differ")
            cb.sstr[k][a] = arr.strides[a]
    cb.nouts = <int>len(outs)
    for o in range(cb.nouts):
        arr = <cnp.ndarray>outs[o]
        cb.outs[o].ptr = <char*>cnp.PyArray_DATA(arr)
        cb.outs[o].tc = <int>oprog[o, 0]
        cb.outs[o].direct = False
        cb.outs[o].comb = <int>oprog[o, 1]
        cb.outs[o].nargs = <int>oprog[o, 2]
        cb.outs[o].which = <int>oprog[o, 3]
        for k in range(MAXARG):
            cb.outs[o].args[k] = <int>oprog[o, 4 + k] if 4 + k < oprog.shape[1] else 0
        cb.outs[o].div = odiv[o]
        cb.outs[o].div_on = odiv[o] != 1
        for a in range(nd):
            if arr.shape[a] != cb.shape[a]:
                raise ValueError("combine: shapes differ")
            cb.outs[o].strides[a] = arr.strides[a]
    cb.nbands = bands_for(nthreads, cb.nlines)
    nbytes = 0
    for k in range(len(srcs)):
        nbytes += cnp.PyArray_NBYTES(<cnp.ndarray>srcs[k])
    for o in range(cb.nouts):
        nbytes += cnp.PyArray_NBYTES(<cnp.ndarray>outs[o])
    cb.dyn = dynamic_schedule(nbytes)
    if cb.nlines * cb.shape[nd - 1] > 0:
        if single:
            with nogil:
                status = _combo_run(&cb, nthreads, <float>0)
        else:
            with nogil:
                status = _combo_run(&cb, nthreads, <double>0)
    if status != 0:
        raise MemoryError("pyfilter: out of memory for the combine buffers")
