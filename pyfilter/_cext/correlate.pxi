# N-D correlation engine.
#
# out[o] = sum_t w[t] * x~[o * s + b + k_t * d]      (per axis, x~ extended
#                                                     by the boundary mode)
# for every output index o, where k_t is the kernel index of tap t, s the
# stride, d the dilation and b the base offset of each axis.  'same' /
# 'valid' / 'full' output shapes, scipy's origins and convolution are all
# expressed through b (and a reversed kernel) by the Python layer.
#
# A :class:`CorrelatePlan` is built once per geometry (shapes, kernel, keep
# mask, per-axis stride/dilation/base/mode, inner-block flag, cast rule,
# type codes): it holds the tap, row, group and boundary tables.  Its
# ``run`` copies the template to the stack and fills in what belongs to
# one call: the array pointers and strides, and the choices that depend on
# them (direct interior reads, accumulating in the output, streaming
# stores, x tiles and bands for the thread count).  Those choices change
# where the operands come from, never the arithmetic: every output value is
# the same sum of the same products in the same order.
#
# Layout of the computation (see docs/performance.md):
#   * Lines run along the last axis ("x"); optionally the last axis is an
#     unfiltered "inner" block (e.g. RGB channels) and lines run along the
#     axis before it, the (x, channel) pairs interleaved, so short trailing
#     axes still vectorise.
#   * Each thread owns a contiguous band of output lines (first touch);
#     bands are taken dynamically by the threads of one OpenMP region.
#   * Input lines are converted once into per-thread padded line buffers
#     (boundary along x done while loading) held in a ring indexed by the
#     virtual outer indices, so a line is loaded once per band however many
#     kernel rows read it.  Strided output along x is handled by storing the
#     line buffer in s polyphase planes, so every tap reads contiguously.
#     Long lines of the compute type read their interior straight from the
#     input (the ring holds only the edges).
#   * Taps are applied to L1-sized chunks in groups of up to 8 (9 for a
#     3x3 kernel), accumulating in tap order (deterministic, independent of
#     the thread count).
# No padded copy of the input is made; peak extra memory is
# O(threads x ring lines x line length).

include "_common.pxi"

from pyfilter._cext._omp cimport PF_HAVE_OPENMP
from cython.parallel cimport prange, parallel


_CHUNK_BYTES = 4096   # accumulator chunk: stays in L1
# Outputs of the compute type at least this large are written with
# streaming stores.
_STREAM_MIN_BYTES = 32 << 20
# Lines whose interior (without the kernel's reach) is at least this long
# read it directly from the input, when it is of the compute type.
_DIRECT_MIN = 512
# ... and those accumulating in the output, from this many bytes of interior
_DIRECT_MIN_BYTES = 4000
# Outputs of up to this many bytes run 3x3 kernels four lines at a time
_QUAD_MAX_BYTES = 1 << 20

cdef enum:
    MAXDIM = 64           # numpy's largest number of dimensions


cdef inline ctype _madd(ctype acc, ctype w, ctype x) noexcept nogil:
    """acc + w * x: fused for float32, multiply-then-add otherwise."""
    if ctype is float:
        return PF_FMAF(w, x, acc)
    else:
        return acc + w * x


cdef extern from "_stream.h":
    void pf_stream_bytes(char* dst, const char* src, Py_ssize_t nbytes) noexcept nogil
    void pf_stream_fence() noexcept nogil

cdef enum:
    OUT_CONVERT = 0   # convert/copy the accumulator into the output
    OUT_DIRECT = 1    # accumulate in the output itself (same type, short lines)
    OUT_STREAM = 2    # stream the accumulator into the output (same type)


cdef inline char* _page_align(char* p) noexcept nogil:
    return <char*>(((<size_t>p) + 4095) & ~(<size_t>4095))


cdef struct Plan:
    int nout                      # number of outer axes (before the line axis)
    const char* inp               # per call
    int in_tc
    char* out                     # per call
    int out_tc
    # outer axes, each array has nout entries
    const Py_ssize_t* o_shape     # output extent
    const Py_ssize_t* o_ostr      # output byte stride (per call)
    const Py_ssize_t* o_istr      # input byte stride (per call)
    const Py_ssize_t* o_s         # stride
    const Py_ssize_t* o_d         # dilation
    const Py_ssize_t* o_b         # base offset
    const Py_ssize_t* o_ring      # ring size (ring mode) or kernel size
    const Py_ssize_t* o_mul       # slot multiplier
    const Py_ssize_t* o_map       # concatenated maps virtual -> actual/-1
    const Py_ssize_t* o_rslot     # the same positions -> slot part (ring mode)
    const Py_ssize_t* o_mapoff    # start of each axis's map
    bint ring_mode
    # rows = distinct outer kernel index tuples, taps
    Py_ssize_t nrows
    const Py_ssize_t* row_k       # nrows x nout
    Py_ssize_t ntaps
    const Py_ssize_t* tap_row
    const Py_ssize_t* tap_kx
    const Py_ssize_t* tap_q       # (kx * dx) % sx
    const Py_ssize_t* tap_m       # (kx * dx) // sx
    const void* tap_w
    Py_ssize_t ngroups
    const Py_ssize_t* grp_k       # taps in each group
    const Py_ssize_t* grp_set     # 1: the group initialises the accumulator
    # line axis
    Py_ssize_t nx_out, sx, dx, kx, bx, n_x
    Py_ssize_t x_istr, x_ostr     # per call
    const Py_ssize_t* x_map       # virtual x (from bx) -> actual/-1
    Py_ssize_t inner              # inner block (1 when absent)
    Py_ssize_t c_istr, c_ostr     # per call
    bint blk_in                   # per call: an input (x, channel) run is contiguous
    bint copy_in                  # per call: ... and of the compute type (sx == 1)
    Py_ssize_t tile_w, ntiles     # per call
    Py_ssize_t nlines
    Py_ssize_t nslots, slot_len, chunk
    int nbands                    # per call
    bint dyn                      # per call: bands taken dynamically
    Interrupt* intr               # per call: Ctrl-C (_common.pxi)
    Py_ssize_t poll               # per call: units between two polls
    bint direct_in                # per call: interior taps read the input directly
    int out_mode                  # per call: OUT_CONVERT / OUT_DIRECT / OUT_STREAM
    int cast_rule                 # CAST_ND / CAST_LINE (scipy's two casts)
    bint pair_ok                  # a full 3x3 kernel over the line axis and the
                                  # outer axis before it (stride and dilation 1
                                  # there): two lines can share their rows
    bint pair                     # per call: run lines two at a time
    bint quad                     # per call: ... or four at a time


cdef inline void _g_set(ctype* acc, const ctype** p, const ctype* w,
                        Py_ssize_t c0, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ctype* p0
    cdef const ctype* p1
    cdef const ctype* p2
    cdef const ctype* p3
    cdef const ctype* p4
    cdef const ctype* p5
    cdef const ctype* p6
    cdef const ctype* p7
    cdef const ctype* p8
    cdef ctype w0, w1, w2, w3, w4, w5, w6, w7, w8, a
    if k == 0:
        for i in range(n):
            acc[i] = 0
        return
    p0 = p[0] + c0
    w0 = w[0]
    if k == 1:
        for i in range(n):
            acc[i] = w0 * p0[i]
        return
    p1 = p[1] + c0
    w1 = w[1]
    if k == 2:
        for i in range(n):
            a = w0 * p0[i]
            acc[i] = _madd(a, w1, p1[i])
        return
    p2 = p[2] + c0
    w2 = w[2]
    if k == 3:
        for i in range(n):
            a = w0 * p0[i]
            a = _madd(a, w1, p1[i])
            acc[i] = _madd(a, w2, p2[i])
        return
    p3 = p[3] + c0
    w3 = w[3]
    if k == 4:
        for i in range(n):
            a = w0 * p0[i]
            a = _madd(a, w1, p1[i])
            a = _madd(a, w2, p2[i])
            acc[i] = _madd(a, w3, p3[i])
        return
    # k == 9 (3x3 kernels, and 9 + 8m taps)
    p4 = p[4] + c0
    p5 = p[5] + c0
    p6 = p[6] + c0
    p7 = p[7] + c0
    p8 = p[8] + c0
    w4 = w[4]
    w5 = w[5]
    w6 = w[6]
    w7 = w[7]
    w8 = w[8]
    for i in range(n):
        a = w0 * p0[i]
        a = _madd(a, w1, p1[i])
        a = _madd(a, w2, p2[i])
        a = _madd(a, w3, p3[i])
        a = _madd(a, w4, p4[i])
        a = _madd(a, w5, p5[i])
        a = _madd(a, w6, p6[i])
        a = _madd(a, w7, p7[i])
        acc[i] = _madd(a, w8, p8[i])


cdef inline void _g_acc(ctype* acc, const ctype** p, const ctype* w,
                        Py_ssize_t c0, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ctype* p0
    cdef const ctype* p1
    cdef const ctype* p2
    cdef const ctype* p3
    cdef const ctype* p4
    cdef const ctype* p5
    cdef const ctype* p6
    cdef const ctype* p7
    cdef ctype w0, w1, w2, w3, w4, w5, w6, w7, a
    p0 = p[0] + c0
    w0 = w[0]
    if k == 1:
        for i in range(n):
            acc[i] = _madd(acc[i], w0, p0[i])
        return
    p1 = p[1] + c0
    w1 = w[1]
    if k == 2:
        for i in range(n):
            a = _madd(acc[i], w0, p0[i])
            acc[i] = _madd(a, w1, p1[i])
        return
    p2 = p[2] + c0
    w2 = w[2]
    if k == 3:
        for i in range(n):
            a = _madd(acc[i], w0, p0[i])
            a = _madd(a, w1, p1[i])
            acc[i] = _madd(a, w2, p2[i])
        return
    p3 = p[3] + c0
    w3 = w[3]
    if k == 4:
        for i in range(n):
            a = _madd(acc[i], w0, p0[i])
            a = _madd(a, w1, p1[i])
            a = _madd(a, w2, p2[i])
            acc[i] = _madd(a, w3, p3[i])
        return
    p4 = p[4] + c0
    p5 = p[5] + c0
    p6 = p[6] + c0
    p7 = p[7] + c0
    w4 = w[4]
    w5 = w[5]
    w6 = w[6]
    w7 = w[7]
    for i in range(n):
        a = _madd(acc[i], w0, p0[i])
        a = _madd(a, w1, p1[i])
        a = _madd(a, w2, p2[i])
        a = _madd(a, w3, p3[i])
        a = _madd(a, w4, p4[i])
        a = _madd(a, w5, p5[i])
        a = _madd(a, w6, p6[i])
        acc[i] = _madd(a, w7, p7[i])


cdef void _load_line(const Plan* pl, ctype* buf, const char* src,
                     Py_ssize_t v0, Py_ssize_t nv, Py_ssize_t P,
                     ctype cval) noexcept nogil:
    """Fill ``buf`` with virtual x positions v0 .. v0+nv-1 of one line.

    Position v0 + q + m*sx goes to buf[(q*P + m)*inner + c] (polyphase
    planes q < sx); ``src`` is NULL for a line outside the array in
    'constant' mode.
    """
    cdef Py_ssize_t q, m, mlo, mhi, cnt, v, j, sx = pl.sx
    cdef Py_ssize_t inner = pl.inner, n = pl.n_x
    cdef ctype* b
    cdef const ctype* s
    if pl.copy_in and inner == 1 and src != NULL:
        # the common case (contiguous rows of the compute type, stride 1
        # along x): the boundary by the map, the rest one copy
        s = <const ctype*>src
        mlo = -v0 if v0 < 0 else 0
        if mlo > nv:
            mlo = nv
        mhi = n - v0
        if mhi > nv:
            mhi = nv
        if mhi < mlo:
            mhi = mlo
        for m in range(mlo):
            j = pl.x_map[v0 + m - pl.bx]
            buf[m] = cval if j < 0 else s[j]
        if mhi > mlo:
            memcpy(buf + mlo, s + v0 + mlo, (mhi - mlo) * sizeof(ctype))
        for m in range(mhi, nv):
            j = pl.x_map[v0 + m - pl.bx]
            buf[m] = cval if j < 0 else s[j]
        return
    for q in range(sx):
        if q >= nv:
            break
        cnt = (nv - q + sx - 1) // sx      # positions in this plane
        b = buf + q * P * inner
        if src == NULL:
            for m in range(cnt * inner):
                b[m] = cval
            continue
        # plane positions m with 0 <= v0 + q + m*sx < n read directly
        v = v0 + q
        if v >= 0:
            mlo = 0
        else:
            mlo = (-v + sx - 1) // sx
        if n - 1 - v < 0:
            mhi = 0
        else:
            mhi = (n - 1 - v) // sx + 1
        if mhi > cnt:
            mhi = cnt
        if mlo > mhi:
            mlo = mhi
        for m in range(mlo):
            j = pl.x_map[v + m * sx - pl.bx]
            _load_pos(pl, b + m * inner, src, j, cval)
        if mhi > mlo:
            if pl.copy_in:
                # the compute type, contiguous: a plain copy
                memcpy(b + mlo * inner, src + (v + mlo) * pl.x_istr,
                       (mhi - mlo) * inner * sizeof(ctype))
            elif inner == 1:
                load_run(b + mlo, 1, src + (v + mlo * sx) * pl.x_istr,
                         sx * pl.x_istr, mhi - mlo, pl.in_tc)
            elif sx == 1 and pl.blk_in:
                # (x, channel) pairs contiguous: one run
                load_run(b + mlo * inner, 1, src + (v + mlo) * pl.x_istr,
                         pl.c_istr, (mhi - mlo) * inner, pl.in_tc)
            else:
                for m in range(mlo, mhi):
                    load_run(b + m * inner, 1, src + (v + m * sx) * pl.x_istr,
                             pl.c_istr, inner, pl.in_tc)
        for m in range(mhi, cnt):
            j = pl.x_map[v + m * sx - pl.bx]
            _load_pos(pl, b + m * inner, src, j, cval)


cdef inline void _load_pos(const Plan* pl, ctype* b, const char* src,
                           Py_ssize_t j, ctype cval) noexcept nogil:
    cdef Py_ssize_t c
    if j < 0:
        for c in range(pl.inner):
            b[c] = cval
    else:
        load_run(b, 1, src + j * pl.x_istr, pl.c_istr, pl.inner, pl.in_tc)


cdef inline void _apply_taps(const Plan* pl, ctype* acc, const ctype** tp,
                             const ctype* w, Py_ssize_t c0, Py_ssize_t n) noexcept nogil:
    """acc[0:n] = sum over taps t of w[t] * tp[t][c0:c0+n], in tap order."""
    cdef Py_ssize_t g, jt = 0
    for g in range(pl.ngroups):
        if pl.grp_set[g]:
            _g_set(acc, tp + jt, w + jt, c0, n, pl.grp_k[g])
        else:
            _g_acc(acc, tp + jt, w + jt, c0, n, pl.grp_k[g])
        jt = jt + pl.grp_k[g]


# Two output lines of a 3x3 kernel at once: line a reads rows r0, r1, r2
# and line b rows r1, r2, r3 (taps at offsets 0, o1, o2 of each row), each
# summed in the 9-tap order of _g_set (w0 * x first, then multiply-adds:
# fused in float32, separate in float64, as _madd): one loop and one set of
# row addresses for both (the compiler still folds most loads into the
# multiply-adds).  In C for ``restrict`` (the outputs never overlap the
# rows): the same loops in typed Cython vectorise only behind run-time
# overlap checks (30 pointer pairs in the four-line loop, above GCC's
# default limit of 10) and ran 13-16 % slower at 256^2 float32.
cdef extern from *:
    """
    #include <stdlib.h>
    #define pf_g9_pair_body(T, MADD, O1, O2)                                       \
        const T w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];            \
        const T w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];                       \
        ptrdiff_t i;                                                               \
        for (i = 0; i < n; i++) {                                                  \
            T y0 = r1[i], y1 = r1[i + O1], y2 = r1[i + O2];                        \
            T z0 = r2[i], z1 = r2[i + O1], z2 = r2[i + O2];                        \
            T a = w0 * r0[i], b = w0 * y0;                                         \
            a = MADD(a, w1, r0[i + O1]);                                           \
            a = MADD(a, w2, r0[i + O2]);                                           \
            a = MADD(a, w3, y0);                                                   \
            a = MADD(a, w4, y1);                                                   \
            a = MADD(a, w5, y2);                                                   \
            a = MADD(a, w6, z0);                                                   \
            a = MADD(a, w7, z1);                                                   \
            a = MADD(a, w8, z2);                                                   \
            b = MADD(b, w1, y1);                                                   \
            b = MADD(b, w2, y2);                                                   \
            b = MADD(b, w3, z0);                                                   \
            b = MADD(b, w4, z1);                                                   \
            b = MADD(b, w5, z2);                                                   \
            b = MADD(b, w6, r3[i]);                                                \
            b = MADD(b, w7, r3[i + O1]);                                           \
            b = MADD(b, w8, r3[i + O2]);                                           \
            acc_a[i] = a;                                                          \
            acc_b[i] = b;                                                          \
        }
    #define PF_G9_ARGS(T) T *restrict acc_a, T *restrict acc_b, const T *restrict r0,  \
        const T *restrict r1, const T *restrict r2, const T *restrict r3
    /* any tap spacing, and the common ones as constants (addressing from
       one register per row) */
    #define PF_G9_PAIRS(SUF, T, MADD, ATTR)                                        \
    ATTR static void pf_g9_##SUF##g(PF_G9_ARGS(T), ptrdiff_t o1, ptrdiff_t o2,     \
                                    const T *w, ptrdiff_t n) {                     \
        pf_g9_pair_body(T, MADD, o1, o2)                                           \
    }                                                                              \
    ATTR static void pf_g9_##SUF##1(PF_G9_ARGS(T), const T *w, ptrdiff_t n) {     \
        pf_g9_pair_body(T, MADD, 1, 2)                                             \
    }                                                                              \
    ATTR static void pf_g9_##SUF##3(PF_G9_ARGS(T), const T *w, ptrdiff_t n) {     \
        pf_g9_pair_body(T, MADD, 3, 6)                                             \
    }                                                                              \
    static void pf_g9_##SUF(PF_G9_ARGS(T), ptrdiff_t o1, ptrdiff_t o2,             \
                            const T *w, ptrdiff_t n) {                             \
        if (o1 == 1 && o2 == 2)                                                    \
            pf_g9_##SUF##1(acc_a, acc_b, r0, r1, r2, r3, w, n);                    \
        else if (o1 == 3 && o2 == 6)                                               \
            pf_g9_##SUF##3(acc_a, acc_b, r0, r1, r2, r3, w, n);                    \
        else                                                                       \
            pf_g9_##SUF##g(acc_a, acc_b, r0, r1, r2, r3, o1, o2, w, n);            \
    }
    #define PF_MADD_F(acc, w, x) PF_FMAF((w), (x), (acc))
    #define PF_MADD_D(acc, w, x) ((acc) + (w) * (x))
    #define PF_NOATTR
    PF_G9_PAIRS(f_, float, PF_MADD_F, PF_NOATTR)
    PF_G9_PAIRS(d_, double, PF_MADD_D, PF_NOATTR)
    #define pf_g9_pair_f pf_g9_f_
    #define pf_g9_pair_d pf_g9_d_
    """
    void pf_g9_pair_f(float* acc_a, float* acc_b, const float* r0, const float* r1,
                      const float* r2, const float* r3, Py_ssize_t o1, Py_ssize_t o2,
                      const float* w, Py_ssize_t n) noexcept nogil
    void pf_g9_pair_d(double* acc_a, double* acc_b, const double* r0, const double* r1,
                      const double* r2, const double* r3, Py_ssize_t o1, Py_ssize_t o2,
                      const double* w, Py_ssize_t n) noexcept nogil


# Four output lines at once (line q reads rows q, q+1, q+2 of r0..r5), the
# same 9-tap order per output.
cdef extern from *:
    """
    #define PF_G9_SUM(MADD, x0, x1, x2, y0, y1, y2, z0, z1, z2)                    \
        (MADD(MADD(MADD(MADD(MADD(MADD(MADD(MADD(w0 * (x0), w1, (x1)), w2, (x2)),  \
                                            w3, (y0)), w4, (y1)), w5, (y2)),       \
                          w6, (z0)), w7, (z1)), w8, (z2)))
    #define pf_g9_quad_body(T, MADD, O1, O2)                                       \
        const T w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4];            \
        const T w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];                       \
        ptrdiff_t i;                                                               \
        for (i = 0; i < n; i++) {                                                  \
            T a0 = r0[i], a1 = r0[i + O1], a2 = r0[i + O2];                        \
            T b0 = r1[i], b1 = r1[i + O1], b2 = r1[i + O2];                        \
            T c0 = r2[i], c1 = r2[i + O1], c2 = r2[i + O2];                        \
            T d0 = r3[i], d1 = r3[i + O1], d2 = r3[i + O2];                        \
            T e0 = r4[i], e1 = r4[i + O1], e2 = r4[i + O2];                        \
            T f0 = r5[i], f1 = r5[i + O1], f2 = r5[i + O2];                        \
            q0[i] = PF_G9_SUM(MADD, a0, a1, a2, b0, b1, b2, c0, c1, c2);           \
            q1[i] = PF_G9_SUM(MADD, b0, b1, b2, c0, c1, c2, d0, d1, d2);           \
            q2[i] = PF_G9_SUM(MADD, c0, c1, c2, d0, d1, d2, e0, e1, e2);           \
            q3[i] = PF_G9_SUM(MADD, d0, d1, d2, e0, e1, e2, f0, f1, f2);           \
        }
    #define PF_G9_QARGS(T) T *restrict q0, T *restrict q1, T *restrict q2,          \
        T *restrict q3, const T *restrict r0, const T *restrict r1,                \
        const T *restrict r2, const T *restrict r3, const T *restrict r4,          \
        const T *restrict r5
    #define PF_G9_QUADS(SUF, T, MADD, ATTR)                                        \
    ATTR static void pf_g9q_##SUF##g(PF_G9_QARGS(T), ptrdiff_t o1, ptrdiff_t o2,   \
                                     const T *w, ptrdiff_t n) {                    \
        pf_g9_quad_body(T, MADD, o1, o2)                                           \
    }                                                                              \
    ATTR static void pf_g9q_##SUF##1(PF_G9_QARGS(T), const T *w, ptrdiff_t n) {   \
        pf_g9_quad_body(T, MADD, 1, 2)                                             \
    }                                                                              \
    ATTR static void pf_g9q_##SUF##3(PF_G9_QARGS(T), const T *w, ptrdiff_t n) {   \
        pf_g9_quad_body(T, MADD, 3, 6)                                             \
    }                                                                              \
    static void pf_g9q_##SUF(PF_G9_QARGS(T), ptrdiff_t o1, ptrdiff_t o2,           \
                             const T *w, ptrdiff_t n) {                            \
        if (o1 == 1 && o2 == 2)                                                    \
            pf_g9q_##SUF##1(q0, q1, q2, q3, r0, r1, r2, r3, r4, r5, w, n);         \
        else if (o1 == 3 && o2 == 6)                                               \
            pf_g9q_##SUF##3(q0, q1, q2, q3, r0, r1, r2, r3, r4, r5, w, n);         \
        else                                                                       \
            pf_g9q_##SUF##g(q0, q1, q2, q3, r0, r1, r2, r3, r4, r5, o1, o2, w, n); \
    }
    PF_G9_QUADS(f_, float, PF_MADD_F, PF_NOATTR)
    PF_G9_QUADS(d_, double, PF_MADD_D, PF_NOATTR)
    #define pf_g9_quad_f pf_g9q_f_
    #define pf_g9_quad_d pf_g9q_d_
    """
    void pf_g9_quad_f(float* q0, float* q1, float* q2, float* q3, const float* r0,
                      const float* r1, const float* r2, const float* r3, const float* r4,
                      const float* r5, Py_ssize_t o1, Py_ssize_t o2, const float* w,
                      Py_ssize_t n) noexcept nogil
    void pf_g9_quad_d(double* q0, double* q1, double* q2, double* q3, const double* r0,
                      const double* r1, const double* r2, const double* r3, const double* r4,
                      const double* r5, Py_ssize_t o1, Py_ssize_t o2, const double* w,
                      Py_ssize_t n) noexcept nogil


cdef inline void _g9_quad(ctype** acc, const ctype** rp, Py_ssize_t o1, Py_ssize_t o2,
                          const ctype* w, Py_ssize_t c0, Py_ssize_t n) noexcept nogil:
    if ctype is float:
        pf_g9_quad_f(acc[0], acc[1], acc[2], acc[3], rp[0] + c0, rp[1] + c0, rp[2] + c0,
                     rp[3] + c0, rp[4] + c0, rp[5] + c0, o1, o2, w, n)
    elif ctype is double:
        pf_g9_quad_d(acc[0], acc[1], acc[2], acc[3], rp[0] + c0, rp[1] + c0, rp[2] + c0,
                     rp[3] + c0, rp[4] + c0, rp[5] + c0, o1, o2, w, n)


cdef inline void _g9_pair(ctype* acc_a, ctype* acc_b, const ctype* r0, const ctype* r1,
                          const ctype* r2, const ctype* r3, Py_ssize_t o1, Py_ssize_t o2,
                          const ctype* w, Py_ssize_t c0, Py_ssize_t n) noexcept nogil:
    if ctype is float:
        pf_g9_pair_f(acc_a, acc_b, r0 + c0, r1 + c0, r2 + c0, r3 + c0, o1, o2, w, n)
    elif ctype is double:
        pf_g9_pair_d(acc_a, acc_b, r0 + c0, r1 + c0, r2 + c0, r3 + c0, o1, o2, w, n)


cdef inline void _store_chunk(const Plan* pl, char* dst, const ctype* acc, Py_ssize_t c0,
                              Py_ssize_t nn) noexcept nogil:
    """Elements c0 .. c0+nn of an output line from the accumulator (not for
    OUT_DIRECT, which accumulates in the output)."""
    cdef Py_ssize_t j, inner = pl.inner
    if pl.out_mode == OUT_STREAM:
        pf_stream_bytes(dst + c0 * sizeof(ctype), <const char*>acc, nn * sizeof(ctype))
    elif inner == 1:
        store_run(dst + c0 * pl.x_ostr, pl.x_ostr, acc, nn, pl.out_tc, pl.cast_rule)
    elif pl.x_ostr == inner * pl.c_ostr:
        # (x, channel) pairs evenly spaced: one run
        store_run(dst + c0 * pl.c_ostr, pl.c_ostr, acc, nn, pl.out_tc, pl.cast_rule)
    else:
        # c0 is a multiple of inner: whole positions
        for j in range(nn // inner):
            store_run(dst + (c0 // inner + j) * pl.x_ostr, pl.c_ostr, acc + j * inner,
                      inner, pl.out_tc, pl.cast_rule)


cdef int _band(const Plan* pl, int band, ctype cval, char** scratch) noexcept nogil:
    """Compute the output lines of one band; 0 on success, -1 if out of memory.
    ``scratch[0]``: this thread's buffers (set by its first band of the call,
    from the thread's own cached buffer), touched only by that thread."""
    cdef Py_ssize_t nout = pl.nout, nunits = pl.nlines * pl.ntiles
    cdef Py_ssize_t u0, u1
    band_units(nunits, band, pl.nbands, &u0, &u1)
    if u1 <= u0:
        return 0
    cdef Py_ssize_t slot_len = pl.slot_len, inner = pl.inner, nrows = pl.nrows
    # Scratch placement (4K aliasing): a load whose address matches a
    # pending store's in the low 12 bits waits for it.  numpy rows often all
    # start at the same page offset, so the accumulator, the slot buffers and
    # the input rows are put at page offsets about 1 KiB apart.
    cdef size_t base_addr = (<size_t>pl.out if pl.out_mode == OUT_DIRECT
                             else <size_t>pl.inp)
    cdef Py_ssize_t res = (base_addr + 1024) & 4032
    # one allocation: slots, four accumulators, then the small per-band tables
    cdef Py_ssize_t nslot_b = pl.nslots * slot_len * sizeof(ctype) + 8192
    cdef Py_ssize_t nacc_b = 4 * pl.chunk * inner * sizeof(ctype) + 8192
    cdef Py_ssize_t nint = (pl.nslots * (nout + 1) + 2 * (nout + 1) + 4 * (nrows + 1)
                            + 4 * (nrows + 1) + 2 * (pl.ntaps + 1))
    cdef char* raw = scratch[0]
    if raw == NULL:
        raw = pf_corr_scratch(nslot_b + nacc_b + nint * sizeof(Py_ssize_t) + 64)
        if raw == NULL:
            return -1
        scratch[0] = raw
    cdef ctype* slots = <ctype*>(_page_align(raw) + res)
    cdef char* acc_raw = raw + nslot_b
    cdef ctype* accbuf = <ctype*>(_page_align(acc_raw) + ((res + 2048) & 4095))
    cdef Py_ssize_t* tags = <Py_ssize_t*>(((<size_t>(acc_raw + nacc_b)) + 63) & ~(<size_t>63))
    cdef Py_ssize_t* o = tags + pl.nslots * (nout + 1)
    cdef Py_ssize_t* vr = o + (nout + 1)
    cdef Py_ssize_t* rowslot = vr + (nout + 1)               # up to 4 lines x nrows
    cdef const char** rowsrc = <const char**>(rowslot + 4 * (nrows + 1))
    cdef const ctype** tp = <const ctype**>(rowsrc + 4 * (nrows + 1))
    cdef Py_ssize_t* tapoff = <Py_ssize_t*>(tp + (pl.ntaps + 1))
    cdef Py_ssize_t P_done = -1
    cdef int region
    cdef Py_ssize_t u, a, r, t, rem, slot, v, j, xo0, nxo, vx0, nv, P, span
    cdef Py_ssize_t c0, nn, jt, ioff, ilo, ihi, ra, rb, e1, step, nl, line, la
    cdef Py_ssize_t o1, o2
    cdef bint hit, outside
    cdef const char* src
    cdef char* dst
    cdef char* dsts[4]
    cdef ctype* accs[4]
    cdef const ctype* rp[6]
    cdef const ctype* w = <const ctype*>pl.tap_w
    for a in range(pl.nslots * (nout + 1)):
        tags[a] = -1   # the last entry of each slot's tag is the tile: never -1
    # decode the first unit's tile and outer multi-index
    t = u0 // pl.nlines
    rem = u0 % pl.nlines
    for a in range(nout - 1, -1, -1):
        o[a] = rem % pl.o_shape[a]
        rem = rem // pl.o_shape[a]
    span = (pl.kx - 1) * pl.dx
    step = pl.chunk * inner
    la = nout - 1          # the axis along which two lines may share rows
    cdef Py_ssize_t until_poll = 1
    u = u0
    while u < u1:
        if stop_now(pl.intr, &until_poll, pl.poll):
            break
        xo0 = t * pl.tile_w
        nxo = pl.nx_out - xo0
        if nxo > pl.tile_w:
            nxo = pl.tile_w
        vx0 = xo0 * pl.sx + pl.bx
        nv = (nxo - 1) * pl.sx + span + 1
        P = (nv + pl.sx - 1) // pl.sx
        if P != P_done:
            # polyphase plane q = (k dx) mod sx, offset (k dx) div sx
            for jt in range(pl.ntaps):
                tapoff[jt] = (pl.tap_q[jt] * P + pl.tap_m[jt]) * inner
            P_done = P
        # outputs [ilo, ihi) have every tap inside the line: read the
        # input there directly (no copy); the slots hold only the edges
        ilo = 0
        ihi = 0
        if pl.direct_in:
            ilo = -vx0 if vx0 < 0 else 0
            ihi = pl.n_x - vx0 - span
            if ihi > nxo:
                ihi = nxo
            if ihi - ilo < 64:
                ilo = 0
                ihi = 0
        # two lines at once when the next one shares two of the three rows
        # (or four: rows shared three at a time)
        nl = 1
        if pl.pair:
            if pl.quad and u + 3 < u1 and o[la] + 3 < pl.o_shape[la]:
                nl = 4
            elif u + 1 < u1 and o[la] + 1 < pl.o_shape[la]:
                nl = 2
        for line in range(nl):
            o[la] += line
            for r in range(nrows):
                if line > 0 and r < 2:
                    # grouped lines: rows 0 and 1 are the previous line's 1 and 2
                    rowslot[line * nrows + r] = rowslot[(line - 1) * nrows + r + 1]
                    rowsrc[line * nrows + r] = rowsrc[(line - 1) * nrows + r + 1]
                    continue
                slot = 0
                outside = False
                ioff = 0
                if nout == 1:
                    # one outer axis (2-D images): the same, without the loop
                    j = o[0] * pl.o_s[0] + pl.row_k[r] * pl.o_d[0]   # v - base
                    vr[0] = j + pl.o_b[0]
                    slot = pl.o_rslot[j] if pl.ring_mode else pl.row_k[r] * pl.o_mul[0]
                    j = pl.o_map[j]
                    if j < 0:
                        outside = True
                    else:
                        ioff = j * pl.o_istr[0]
                else:
                    for a in range(nout):
                        v = o[a] * pl.o_s[a] + pl.o_b[a] + pl.row_k[r * nout + a] * pl.o_d[a]
                        vr[a] = v
                        if pl.ring_mode:
                            slot = slot + pl.o_rslot[pl.o_mapoff[a] + v - pl.o_b[a]]
                        else:
                            slot = slot + pl.row_k[r * nout + a] * pl.o_mul[a]
                        j = pl.o_map[pl.o_mapoff[a] + v - pl.o_b[a]]
                        if j < 0:
                            outside = True
                        else:
                            ioff = ioff + j * pl.o_istr[a]
                vr[nout] = t
                if outside:
                    src = NULL
                else:
                    src = pl.inp + ioff
                rowsrc[line * nrows + r] = src if ihi > ilo else NULL
                hit = True
                for a in range(nout + 1):
                    if tags[slot * (nout + 1) + a] != vr[a]:
                        hit = False
                        break
                if not hit:
                    if src != NULL and ihi > ilo:
                        e1 = ilo + span
                        if e1 > nv:
                            e1 = nv
                        _load_line(pl, slots + slot * slot_len, src, vx0, e1, e1, cval)
                        if ihi < nv:
                            _load_line(pl, slots + slot * slot_len + ihi * inner, src,
                                       vx0 + ihi, nv - ihi, nv - ihi, cval)
                    else:
                        _load_line(pl, slots + slot * slot_len, src, vx0, nv, P, cval)
                    for a in range(nout + 1):
                        tags[slot * (nout + 1) + a] = vr[a]
                rowslot[line * nrows + r] = slot
            o[la] -= line
        dst = pl.out + xo0 * pl.x_ostr
        for a in range(nout):
            dst = dst + o[a] * pl.o_ostr[a]
        for line in range(nl):
            dsts[line] = dst + line * pl.o_ostr[la] if nout > 0 else dst
        # three regions of the output line: edge, direct interior, edge
        for region in range(3):
            if region == 0:
                ra = 0
                rb = ilo if ihi > ilo else nxo
            elif region == 1:
                ra = ilo
                rb = ihi
            else:
                ra = ihi if ihi > ilo else nxo
                rb = nxo
            if rb <= ra:
                continue
            if nl > 1:
                # rows 0, 1, 2 of the first line, then row 2 of each next one
                for jt in range(nl + 2):
                    r = jt if jt < 3 else (jt - 2) * nrows + 2
                    if region == 1 and rowsrc[r] != NULL:
                        rp[jt] = (<const ctype*>rowsrc[r]) + vx0 * inner
                    else:
                        rp[jt] = slots + rowslot[r] * slot_len + tapoff[0]
                o1 = tapoff[1] - tapoff[0]
                o2 = tapoff[2] - tapoff[0]
            else:
                for jt in range(pl.ntaps):
                    r = pl.tap_row[jt]
                    if region == 1 and rowsrc[r] != NULL:
                        tp[jt] = ((<const ctype*>rowsrc[r])
                                  + (vx0 + pl.tap_kx[jt] * pl.dx) * inner)
                    else:
                        tp[jt] = slots + rowslot[r] * slot_len + tapoff[jt]
            c0 = ra * inner
            while c0 < rb * inner:
                nn = rb * inner - c0
                if nn > step:
                    nn = step
                    if pl.out_mode == OUT_STREAM:
                        # end the chunk on a cache line of the output: a line
                        # written partly by streaming and partly by plain
                        # stores is slow to retire
                        e1 = ((<size_t>(dst + (c0 + nn) * sizeof(ctype))) & 63) // sizeof(ctype)
                        if e1 < nn:
                            nn = nn - e1
                for line in range(nl):
                    if pl.out_mode == OUT_DIRECT:
                        accs[line] = (<ctype*>dsts[line]) + c0
                    else:
                        accs[line] = accbuf + line * step
                if nl == 4:
                    _g9_quad(accs, rp, o1, o2, w, c0, nn)
                elif nl == 2:
                    _g9_pair(accs[0], accs[1], rp[0], rp[1], rp[2], rp[3], o1, o2, w, c0, nn)
                else:
                    _apply_taps(pl, accs[0], tp, w, c0, nn)
                if pl.out_mode != OUT_DIRECT:
                    for line in range(nl):
                        _store_chunk(pl, dsts[line], accs[line], c0, nn)
                c0 = c0 + nn
        # next outer multi-index (then the next tile), nl times
        for line in range(nl):
            a = nout - 1
            while a >= 0:
                o[a] += 1
                if o[a] < pl.o_shape[a]:
                    break
                o[a] = 0
                a -= 1
            if a < 0:
                t += 1
        u += nl
    if pl.out_mode == OUT_STREAM:
        pf_stream_fence()
    return 0


# ---------------------------------------------------------------- bands
# Bands run in one OpenMP region, each thread a contiguous run of them (a
# static schedule: a call repeated on the same arrays finds each thread's
# rows in its own core's cache; 3x3 float32 on two threads, 256^2: 23 ->
# 19 us, 512^2: 61 -> 46 us, against 27 and 95 us on one).  Each thread's
# scratch buffer is kept from one call to the next (see below); which
# thread runs a band never changes its values.
cdef extern from *:
    """
    #include <pthread.h>
    #include <stdlib.h>
    /* fn(ctx, band, &scratch): ``scratch`` is the calling thread's buffer
       for this call (NULL at first; fn may take it from pf_corr_scratch) */
    typedef int (*pf_corr_band_fn)(void *ctx, int band, void **scratch);

    /* Each thread's scratch buffer, kept from one call to the next (a
       fresh large allocation per call costs page faults: mmap'ed memory is
       zeroed by the kernel), dropped after a call that needed more than
       PF_CORR_KEEP_MAX bytes, freed when the thread exits. */
    #define PF_CORR_KEEP_MAX ((size_t)8 << 20)
    typedef struct { char *buf; size_t size; } pf_corr_tls;
    static pthread_key_t pf_corr_key;
    static pthread_once_t pf_corr_key_once = PTHREAD_ONCE_INIT;
    static void pf_corr_tls_free(void *p) {
        pf_corr_tls *t = (pf_corr_tls *)p;
        if (t != NULL) {
            free(t->buf);
            free(t);
        }
    }
    static void pf_corr_key_init(void) {
        pthread_key_create(&pf_corr_key, pf_corr_tls_free);
    }
    static pf_corr_tls *pf_corr_tls_get(void) {
        pf_corr_tls *t;
        pthread_once(&pf_corr_key_once, pf_corr_key_init);
        t = (pf_corr_tls *)pthread_getspecific(pf_corr_key);
        if (t == NULL) {
            t = (pf_corr_tls *)calloc(1, sizeof(pf_corr_tls));
            if (t == NULL || pthread_setspecific(pf_corr_key, t) != 0) {
                free(t);
                return NULL;
            }
        }
        return t;
    }
    /* A buffer of at least n bytes owned by the calling thread (NULL when
       out of memory). */
    static char *pf_corr_scratch(size_t n) {
        pf_corr_tls *t = pf_corr_tls_get();
        if (t == NULL)
            return NULL;
        if (t->size < n) {
            free(t->buf);
            t->buf = (char *)malloc(n);
            t->size = t->buf != NULL ? n : 0;
        }
        return t->buf;
    }
    static void pf_corr_scratch_done(void) {
        pf_corr_tls *t;
        pthread_once(&pf_corr_key_once, pf_corr_key_init);
        t = (pf_corr_tls *)pthread_getspecific(pf_corr_key);
        if (t != NULL && t->size > PF_CORR_KEEP_MAX) {
            free(t->buf);
            t->buf = NULL;
            t->size = 0;
        }
    }

    """
    ctypedef int (*pf_corr_band_fn)(void* ctx, int band, void** scratch) noexcept nogil
    char* pf_corr_scratch(size_t n) noexcept nogil
    void pf_corr_scratch_done() noexcept nogil


cdef int _run_bands(int nthreads, int nbands, bint dyn, pf_corr_band_fn fn,
                    void* ctx) noexcept nogil:
    """Run fn(ctx, b, &scratch) for b < nbands on up to ``nthreads`` threads;
    returns the number of bands that failed."""
    cdef int b, failures = 0
    cdef void* scratch = NULL
    if nthreads > nbands:
        nthreads = nbands
    if nthreads <= 1:
        for b in range(nbands):
            failures += fn(ctx, b, &scratch) != 0
        pf_corr_scratch_done()
        return failures
    if dyn:
        with parallel(num_threads=nthreads):
            scratch = NULL
            for b in prange(nbands, schedule='dynamic', chunksize=1):
                failures += fn(ctx, b, &scratch) != 0
            pf_corr_scratch_done()
    else:
        with parallel(num_threads=nthreads):
            scratch = NULL
            for b in prange(nbands, schedule='static'):
                failures += fn(ctx, b, &scratch) != 0
            pf_corr_scratch_done()
    return failures


cdef struct RunCtx:
    const Plan* pl
    float cf
    double cd
    cdouble_t cc


cdef int _band_f(void* ctx, int band, void** scratch) noexcept nogil:
    return _band((<RunCtx*>ctx).pl, band, (<RunCtx*>ctx).cf, <char**>scratch)


cdef int _band_d(void* ctx, int band, void** scratch) noexcept nogil:
    return _band((<RunCtx*>ctx).pl, band, (<RunCtx*>ctx).cd, <char**>scratch)


cdef int _band_c(void* ctx, int band, void** scratch) noexcept nogil:
    return _band((<RunCtx*>ctx).pl, band, (<RunCtx*>ctx).cc, <char**>scratch)


cdef Py_ssize_t _plan_groups(Py_ssize_t ntaps, Py_ssize_t* gk, Py_ssize_t* gs) noexcept nogil:
    """Tap groups: one initialising group of <= 4 taps (two groups when the
    remainder is 5..7; one group of 9 when it is 1), then groups of 8.  Returns the number of groups
    (at most ntaps // 8 + 2); ``gk``/``gs`` get the sizes and set flags."""
    cdef Py_ssize_t f, g = 0, i
    if ntaps == 0:
        gk[0] = 0
        gs[0] = 1
        return 1
    f = (ntaps - 1) % 8 + 1
    if f == 1 and ntaps >= 9:
        f = 9                     # one 9-tap initialising pass
        gk[g] = 9; gs[g] = 1; g += 1
    elif f <= 4:
        gk[g] = f; gs[g] = 1; g += 1
    else:
        gk[g] = f - 4; gs[g] = 1; g += 1
        gk[g] = 4; gs[g] = 0; g += 1
    for i in range((ntaps - f) // 8):
        gk[g] = 8; gs[g] = 0; g += 1
    return g


cdef int _tc_of(cnp.ndarray arr) noexcept:
    """The engines' type code of a native array's dtype, -1 if unsupported."""
    cdef int num = cnp.PyArray_TYPE(arr)
    cdef Py_ssize_t size = cnp.PyArray_ITEMSIZE(arr)
    if cnp.PyArray_ISBYTESWAPPED(arr):
        return -1
    if cnp.PyTypeNum_ISBOOL(num):
        return TC_BOOL
    if cnp.PyTypeNum_ISSIGNED(num):
        if size == 1: return TC_INT8
        if size == 2: return TC_INT16
        if size == 4: return TC_INT32
        if size == 8: return TC_INT64
    elif cnp.PyTypeNum_ISUNSIGNED(num):
        if size == 1: return TC_UINT8
        if size == 2: return TC_UINT16
        if size == 4: return TC_UINT32
        if size == 8: return TC_UINT64
    elif num == cnp.NPY_FLOAT:
        return TC_FLOAT32
    elif num == cnp.NPY_DOUBLE:
        return TC_FLOAT64
    elif num == cnp.NPY_CFLOAT:
        return TC_COMPLEX64
    elif num == cnp.NPY_CDOUBLE:
        return TC_COMPLEX128
    return -1


cdef class CorrelatePlan:
    """The engine planned for one geometry (see the module comment).

    Parameters (arrays are C-contiguous)
    ----------
    in_shape, out_shape, kshape : intp[::1]
        Shapes of the input, the output and the kernel (one ndim; an inner
        axis has kernel length 1).
    w_re, w_im : float64[::1]
        The kernel (C order), real and imaginary parts; ``w_im`` empty for
        a real kernel.  Converted to the compute type ``ctc``.
    keep : uint8[::1]
        Empty (apply every tap), or one flag per kernel entry: the taps to
        apply (scipy skips the tiny weights).
    geom : intp[:, ::1]
        One row per axis: stride, dilation, base offset, mode code.
    inner : bool
        Treat the (unfiltered, stride-1) last axis as an inner block of
        each line position: lines run along the axis before it.
    cast_rule : int
        CAST_ND or CAST_LINE (see _convert.pxi).
    in_tc, out_tc, ctc : int
        Type codes of the input, the output and the compute type
        (TC_FLOAT32, TC_FLOAT64 or TC_COMPLEX128).

    ``run(inp, out, cval, nthreads)`` computes into ``out``; any strides,
    native byte order; it may be called from several Python threads at once.
    """
    cdef Plan tpl
    cdef Py_ssize_t* mem
    cdef char* tapw
    cdef readonly int ndim
    cdef readonly int ctc
    cdef readonly Py_ssize_t ntaps
    cdef int lax
    cdef bint inner_axis
    cdef Py_ssize_t itemsize
    cdef Py_ssize_t span_x        # (kx - 1) * dx
    cdef Py_ssize_t out_size
    cdef Py_ssize_t ishape[MAXDIM]
    cdef Py_ssize_t oshape[MAXDIM]

    def __cinit__(self):
        self.mem = NULL
        self.tapw = NULL

    def __dealloc__(self):
        free(self.mem)
        free(self.tapw)

    def __init__(self, const Py_ssize_t[::1] in_shape, const Py_ssize_t[::1] out_shape,
                 const Py_ssize_t[::1] kshape, const double[::1] w_re,
                 const double[::1] w_im, const unsigned char[::1] keep,
                 const Py_ssize_t[:, ::1] geom, bint inner, int cast_rule, int in_tc,
                 int out_tc, int ctc):
        cdef Plan* pl = &self.tpl
        cdef int ndim = <int>in_shape.shape[0], a, lax, nout
        cdef Py_ssize_t S[MAXDIM]
        cdef Py_ssize_t D[MAXDIM]
        cdef Py_ssize_t B[MAXDIM]
        cdef Py_ssize_t K[MAXDIM]
        cdef Py_ssize_t NI[MAXDIM]
        cdef Py_ssize_t NO[MAXDIM]
        cdef int M[MAXDIM]
        cdef Py_ssize_t i, j, r, f, total, pos, nk, kx, nrows_full, ntaps, nrows, ng
        cdef Py_ssize_t itemsize, line_len, slot_len, nslots_ring, nslots, m, nlines
        cdef Py_ssize_t innern, chunk, vhi, nin = 1, nouts = 1
        cdef Py_ssize_t* row_of
        cdef Py_ssize_t* mem
        cdef double wi
        cdef bint ring_mode, pair_ok, has_keep = keep.shape[0] != 0
        pl.intr = NULL
        pl.poll = 1
        if not 1 <= ndim <= MAXDIM:
            raise ValueError(f"CorrelatePlan: 1..{MAXDIM} dimensions, got {ndim}")
        if (out_shape.shape[0] != ndim or kshape.shape[0] != ndim
                or geom.shape[0] != ndim or geom.shape[1] != 4):
            raise ValueError("CorrelatePlan: shapes and geometry of different ndim")
        if ctc == TC_FLOAT32:
            itemsize = sizeof(float)
        elif ctc == TC_FLOAT64:
            itemsize = sizeof(double)
        elif ctc == TC_COMPLEX128:
            itemsize = sizeof(cdouble_t)
        else:
            raise ValueError(f"CorrelatePlan: compute type code {ctc} is not a float type")
        if not (0 <= in_tc < TC_COUNT and 0 <= out_tc < TC_COUNT):
            raise ValueError("CorrelatePlan: bad element type code")
        if inner and ndim < 2:
            raise ValueError("CorrelatePlan: an inner block needs two axes")
        nk = 1
        for a in range(ndim):
            S[a] = geom[a, 0]
            D[a] = geom[a, 1]
            B[a] = geom[a, 2]
            M[a] = <int>geom[a, 3]
            K[a] = kshape[a]
            NI[a] = in_shape[a]
            NO[a] = out_shape[a]
            if S[a] < 1 or D[a] < 1 or K[a] < 1 or NI[a] < 0 or NO[a] < 0:
                raise ValueError("CorrelatePlan: strides, dilations and kernel lengths "
                                 "must be >= 1, extents >= 0")
            if not MODE_CONSTANT <= M[a] <= MODE_WRAP:
                raise ValueError(f"CorrelatePlan: bad mode code {M[a]}")
            nk *= K[a]
            nin *= NI[a]
            nouts *= NO[a]
            self.ishape[a] = NI[a]
            self.oshape[a] = NO[a]
        if w_re.shape[0] != nk or (w_im.shape[0] != 0 and w_im.shape[0] != nk):
            raise ValueError("CorrelatePlan: the kernel does not have kshape's size")
        if has_keep and keep.shape[0] != nk:
            raise ValueError("CorrelatePlan: keep does not have the kernel's size")
        if nin == 0 and nouts != 0:
            raise ValueError("CorrelatePlan: an empty input cannot give a non-empty output")
        lax = ndim - 1 - (1 if inner else 0)          # line axis
        nout = lax
        if inner:
            if (K[ndim - 1] != 1 or S[ndim - 1] != 1 or B[ndim - 1] != 0
                    or NI[ndim - 1] != NO[ndim - 1]):
                raise ValueError("CorrelatePlan: the inner axis must be unfiltered")
        self.ndim = ndim
        self.ctc = ctc
        self.lax = lax
        self.inner_axis = inner
        self.itemsize = itemsize
        self.out_size = nouts
        if nouts == 0:
            return            # nothing to compute: run() returns at once
        innern = NI[ndim - 1] if inner else 1
        # kernel over axes 0..lax (the inner axis has length 1)
        kx = K[lax]
        nrows_full = nk // kx
        ntaps = 0
        for f in range(nk):
            if not has_keep or keep[f]:
                ntaps += 1
        self.ntaps = ntaps
        self.span_x = (kx - 1) * D[lax]
        # ring of line slots along the outer axes
        line_len = (NO[lax] - 1) * S[lax] + (K[lax] - 1) * D[lax] + 1
        if line_len < 1:
            line_len = 1
        slot_len = (line_len + S[lax]) * innern
        nslots_ring = 1
        for a in range(nout):
            nslots_ring *= (K[a] - 1) * D[a] + 1
            if nslots_ring * slot_len * itemsize > (32 << 20):
                break
        ring_mode = nslots_ring * slot_len * itemsize <= (32 << 20)
        # a full 3x3 kernel over (outer axis, line axis), stride and dilation
        # 1 along the outer one: two lines at a time share two rows (the
        # ring keeps four rows along that axis)
        pair_ok = (ring_mode and ctc != TC_COMPLEX128 and nout >= 1 and nk == 9 and ntaps == 9 and kx == 3
                   and K[nout - 1] == 3 and S[nout - 1] == 1 and D[nout - 1] == 1
                   and S[lax] == 1)
        # sizes of the integer tables, in one block
        total = 7 * (nout + 1) + 4 * (ntaps + 1) + 2 * (ntaps // 8 + 3) + 2
        for a in range(nout):
            total += 2 * max((NO[a] - 1) * S[a] + (K[a] - 1) * D[a] + 1, 1)
        total += line_len + nrows_full * (nout + 1) + nrows_full
        self.mem = <Py_ssize_t*>malloc(total * sizeof(Py_ssize_t))
        self.tapw = <char*>malloc((ntaps + 1) * itemsize)
        if self.mem == NULL or self.tapw == NULL:
            raise MemoryError("pyfilter: out of memory planning the correlation")
        mem = self.mem
        pos = 0
        pl.o_shape = mem + pos; pos += nout + 1
        pl.o_s = mem + pos; pos += nout + 1
        pl.o_d = mem + pos; pos += nout + 1
        pl.o_b = mem + pos; pos += nout + 1
        pl.o_ring = mem + pos; pos += nout + 1
        pl.o_mul = mem + pos; pos += nout + 1
        pl.o_mapoff = mem + pos; pos += nout + 1
        pl.o_ostr = NULL
        pl.o_istr = NULL
        m = 1
        for a in range(nout - 1, -1, -1):
            (<Py_ssize_t*>pl.o_mul)[a] = m
            if ring_mode:
                (<Py_ssize_t*>pl.o_ring)[a] = (K[a] - 1) * D[a] + 1
                if pair_ok and a == nout - 1:
                    (<Py_ssize_t*>pl.o_ring)[a] = 6     # four lines' rows
            else:
                (<Py_ssize_t*>pl.o_ring)[a] = K[a]
            m *= pl.o_ring[a]
        nslots = m
        pl.o_map = mem + pos
        nlines = 1
        for a in range(nout):
            (<Py_ssize_t*>pl.o_shape)[a] = NO[a]
            (<Py_ssize_t*>pl.o_s)[a] = S[a]
            (<Py_ssize_t*>pl.o_d)[a] = D[a]
            (<Py_ssize_t*>pl.o_b)[a] = B[a]
            (<Py_ssize_t*>pl.o_mapoff)[a] = pos - (pl.o_map - mem)
            vhi = (NO[a] - 1) * S[a] + B[a] + (K[a] - 1) * D[a]
            if vhi < B[a]:
                vhi = B[a]
            fill_map(mem + pos, B[a], vhi, NI[a], M[a])
            pos += vhi - B[a] + 1
            nlines *= NO[a]
        # ring slots of the same positions (a table instead of a division)
        pl.o_rslot = mem + pos
        for a in range(nout):
            vhi = (NO[a] - 1) * S[a] + (K[a] - 1) * D[a]
            if vhi < 0:
                vhi = 0
            for i in range(vhi + 1):
                (<Py_ssize_t*>pl.o_rslot)[pl.o_mapoff[a] + i] = (i % pl.o_ring[a]) * pl.o_mul[a]
        pos += pl.o_rslot - pl.o_map
        pl.x_map = mem + pos
        fill_map(mem + pos, B[lax], B[lax] + line_len - 1, NI[lax], M[lax])
        pos += line_len
        # rows actually used (some may have every tap skipped)
        row_of = mem + pos; pos += nrows_full
        for r in range(nrows_full):
            row_of[r] = -1
        for f in range(nk):
            if not has_keep or keep[f]:
                row_of[f // kx] = 0
        pl.row_k = mem + pos
        nrows = 0
        for r in range(nrows_full):
            if row_of[r] < 0:
                continue
            row_of[r] = nrows
            j = r
            for a in range(nout - 1, -1, -1):
                (<Py_ssize_t*>pl.row_k)[nrows * nout + a] = j % K[a]
                j = j // K[a]
            nrows += 1
        pos += nrows_full * (nout + 1)
        pl.tap_row = mem + pos; pos += ntaps + 1
        pl.tap_kx = mem + pos; pos += ntaps + 1
        pl.tap_q = mem + pos; pos += ntaps + 1
        pl.tap_m = mem + pos; pos += ntaps + 1
        j = 0
        for f in range(nk):
            if not has_keep or keep[f]:
                (<Py_ssize_t*>pl.tap_row)[j] = row_of[f // kx]
                (<Py_ssize_t*>pl.tap_kx)[j] = f % kx
                (<Py_ssize_t*>pl.tap_q)[j] = ((f % kx) * D[lax]) % S[lax]
                (<Py_ssize_t*>pl.tap_m)[j] = ((f % kx) * D[lax]) // S[lax]
                if ctc == TC_FLOAT32:
                    (<float*>self.tapw)[j] = <float>w_re[f]
                elif ctc == TC_FLOAT64:
                    (<double*>self.tapw)[j] = w_re[f]
                else:
                    wi = w_im[f] if w_im.shape[0] else 0.0
                    (<cdouble_t*>self.tapw)[j] = w_re[f] + wi * 1j
                j += 1
        if ntaps == 0:
            memset(self.tapw, 0, itemsize)
        pl.grp_k = mem + pos
        pl.grp_set = mem + pos + (ntaps // 8 + 3)
        pos += 2 * (ntaps // 8 + 3)
        ng = _plan_groups(ntaps, <Py_ssize_t*>pl.grp_k, <Py_ssize_t*>pl.grp_set)
        chunk = _CHUNK_BYTES // (itemsize * innern)
        if chunk < 8:
            chunk = 8
        pl.nout = nout
        pl.inp = NULL
        pl.out = NULL
        pl.in_tc = in_tc
        pl.out_tc = out_tc
        pl.ring_mode = ring_mode
        pl.nrows = nrows
        pl.ntaps = ntaps
        pl.tap_w = <const void*>self.tapw
        pl.ngroups = ng
        pl.nx_out = NO[lax]
        pl.sx = S[lax]
        pl.dx = D[lax]
        pl.kx = kx
        pl.bx = B[lax]
        pl.n_x = NI[lax]
        pl.inner = innern
        pl.nlines = nlines
        pl.nslots = nslots
        pl.slot_len = slot_len
        pl.chunk = chunk
        pl.cast_rule = cast_rule
        pl.pair_ok = pair_ok
        pl.pair = False
        pl.quad = False
        pl.x_istr = pl.x_ostr = pl.c_istr = pl.c_ostr = 0
        pl.blk_in = False
        pl.copy_in = False
        pl.tile_w = NO[lax] if NO[lax] > 0 else 1
        pl.ntiles = 1
        pl.nbands = 1
        pl.direct_in = False
        pl.out_mode = OUT_CONVERT

    def run(self, cnp.ndarray inp, cnp.ndarray out, cval, int nthreads):
        """Correlate ``inp`` into ``out`` (the planned shapes and type codes,
        any strides, native byte order) with boundary value ``cval`` on up to
        ``nthreads`` threads."""
        cdef Plan pl = self.tpl
        cdef Py_ssize_t istr[MAXDIM]
        cdef Py_ssize_t ostr[MAXDIM]
        cdef int a, nd = self.ndim, lax = self.lax, status
        cdef Py_ssize_t isz = self.itemsize, inner = pl.inner, ntiles, tile_w
        cdef Py_ssize_t nx_out = pl.nx_out
        cdef bint direct_ok
        cdef Py_ssize_t nunits
        if inp.ndim != nd or out.ndim != nd:
            raise ValueError("CorrelatePlan.run: the arrays do not have the planned ndim")
        for a in range(nd):
            if inp.shape[a] != self.ishape[a] or out.shape[a] != self.oshape[a]:
                raise ValueError("CorrelatePlan.run: the arrays do not have the planned shapes")
            istr[a] = inp.strides[a]
            ostr[a] = out.strides[a]
        if _tc_of(inp) != pl.in_tc or _tc_of(out) != pl.out_tc:
            raise ValueError("CorrelatePlan.run: the arrays do not have the planned dtypes "
                             "(native byte order)")
        if not cnp.PyArray_ISWRITEABLE(out):
            raise ValueError("CorrelatePlan.run: the output is read-only")
        if self.out_size == 0:
            return out
        pl.inp = <const char*>cnp.PyArray_DATA(inp)
        pl.out = <char*>cnp.PyArray_DATA(out)
        pl.o_istr = istr
        pl.o_ostr = ostr
        pl.x_istr = istr[lax]
        pl.x_ostr = ostr[lax]
        if self.inner_axis:
            pl.c_istr = istr[nd - 1]
            pl.c_ostr = ostr[nd - 1]
        else:
            pl.c_istr = 0
            pl.c_ostr = isz
        pl.blk_in = inner == 1 or pl.x_istr == inner * pl.c_istr
        # Where the operands come from and where the sums go (measured on
        # 3x3 float32, 256^2 .. 4096^2 and 1920x1080x3; 3x3x3 on 256^3): an
        # output of the compute type accumulates in place, reading the
        # interior of lines of at least _DIRECT_MIN_BYTES from the input and
        # everything else from the slot ring (short lines: the rows copied
        # once, their boundary included); with such long lines and above
        # _STREAM_MIN_BYTES of output the sums are streamed out from a
        # scratch buffer (no read of the output's cache lines).  Other
        # outputs read the interior of lines of _DIRECT_MIN positions directly
        # and convert the sums from a scratch buffer placed away from the
        # input rows' page offset (4K aliasing).
        pl.copy_in = (pl.in_tc == self.ctc and pl.sx == 1 and pl.blk_in
                      and (pl.c_istr == isz if inner > 1 else pl.x_istr == isz))
        direct_ok = pl.copy_in and pl.n_x - self.span_x >= 64
        if pl.out_tc == self.ctc and pl.x_ostr == isz * inner and pl.c_ostr == isz:
            pl.direct_in = (direct_ok and (pl.n_x - self.span_x) * inner * isz
                            >= _DIRECT_MIN_BYTES)
            if pl.direct_in and self.out_size * isz >= _STREAM_MIN_BYTES:
                pl.out_mode = OUT_STREAM
            else:
                pl.out_mode = OUT_DIRECT
        else:
            pl.direct_in = direct_ok and pl.n_x - self.span_x >= _DIRECT_MIN
            pl.out_mode = OUT_CONVERT
        # two lines at a time (a streamed output needs both on the same
        # cache-line alignment)
        pl.pair = pl.pair_ok and (pl.out_mode != OUT_STREAM or (ostr[pl.nout - 1] & 63) == 0)
        # four at a time while the data stay in L2 (measured: 128^2 and
        # 256^2 5-7 % faster, 1024^2 and larger 5-15 % slower than pairs)
        pl.quad = pl.pair and self.out_size * isz <= _QUAD_MAX_BYTES
        # work split: lines, and tiles along x when there are few lines
        ntiles = 1
        if nthreads > 1 and pl.nlines < 4 * nthreads and nx_out >= 2048:
            ntiles = 4 * nthreads
            if ntiles > nx_out // 1024:
                ntiles = nx_out // 1024
        tile_w = (nx_out + ntiles - 1) // ntiles
        pl.tile_w = tile_w
        pl.ntiles = (nx_out + tile_w - 1) // tile_w
        # BANDS_PER_THREAD bands a thread (each output value is computed the
        # same way whichever thread runs its band).  Each band re-reads the
        # kernel's reach of rows, so bands are not made shorter (3x3 float32
        # on two threads, 8 lines a band against 4 bands a thread: 512^2
        # 71 -> 61 us, 256^2 29 -> 23 us).
        pl.nbands = 1
        if nthreads > 1:
            nunits = pl.nlines * pl.ntiles
            pl.nbands = bands_for(nthreads, nunits)
        pl.dyn = dynamic_schedule(cnp.PyArray_NBYTES(inp) + cnp.PyArray_NBYTES(out))
        cdef Interrupt intr
        interrupt_init(&intr)
        pl.intr = &intr
        pl.poll = poll_units(<double>pl.tile_w * pl.inner * (pl.ntaps if pl.ntaps > 0 else 1))
        status = _dispatch(&pl, self.ctc, cval, nthreads)
        check_interrupt(&intr)
        if status != 0:
            raise MemoryError("pyfilter: out of memory for the correlation buffers")
        return out


cdef int _dispatch(const Plan* pl, int ctc, cval, int nthreads) except -1:
    cdef int status
    cdef RunCtx ctx
    cdef pf_corr_band_fn fn
    ctx.pl = pl
    if ctc == TC_FLOAT32:
        ctx.cf = cval
        fn = _band_f
    elif ctc == TC_FLOAT64:
        ctx.cd = cval
        fn = _band_d
    else:
        ctx.cc = cval
        fn = _band_c
    with nogil:
        status = _run_bands(nthreads, pl.nbands, pl.dyn, fn, &ctx)
    return status
