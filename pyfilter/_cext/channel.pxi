# Channel engine: the CNN layers of pyfilter.nn (multi-channel convolution,
# its transposed form and gradients, im2col / col2im).
#
# Geometry.  Arrays are normalised by the Python layer (pyfilter/_conv.py)
# to (N, C, D, H, W), C-contiguous, float32 or float64 (one dtype per call).
# A "job" computes, for output positions i = (i0, i1, i2) < no and every
# output channel o of group g,
#
#     out[n, o, obase + i * ostep] = bias[o] + sum_{c, k} W[g, o, (c, k)]
#                                     * x~[n, g*Cin_g + c, i * step + off[k]]
#
# where per axis `off` is a list of tap offsets (k * dilation - pad_lo for a
# convolution; the taps of one output phase for a transposed convolution,
# see _conv.py) and x~ is x extended by the boundary mode of that axis
# (pyfilter/_cext/_boundary.pxd, the one place boundaries are handled).
# W is the (G, Cout_g, Cin_g * taps) weight matrix, rows in torch's
# (c, kd, kh, kw) order.  One formula serves convolution (any padding mode,
# stride, dilation, groups), transposed convolution and conv{n}d_input
# (the gather form of the same operation, one job per output phase: no
# scatter-add, no zeros multiplied), conv{n}d_weight and unfold/fold.
#
# Paths:
#   * GEMM: each work unit is (image, group, tile of `T` consecutive output
#     positions); the thread builds the (K x T) im2col tile of that unit in
#     its own scratch (cache-sized; K split in chunks of Kc rows when large)
#     and calls BLAS (scipy.linalg.cython_blas sgemm/dgemm) writing straight
#     into the output when the job's positions are contiguous there, else
#     into a (Cout_g x T) scratch tile scattered afterwards.  1x1 stride-1
#     unpadded convolutions skip im2col (the input already is the matrix).
#   * Direct: for depthwise and small-channel convolutions.  A work unit is
#     (image, group, output depth, band of output rows): the input rows the
#     band reads are copied once into per-thread line buffers (boundary
#     extension along x done while copying; polyphase planes for a stride
#     along x so every tap reads contiguously), then each output row is
#     accumulated over the taps in groups of up to 9, vectorised along x.
#   * Weight gradient: dW = sum over units of G_tile @ im2col_tile^T, the
#     units split into a FIXED number R of chunks (independent of the thread
#     count), each accumulated in its own partial, summed in chunk order.
#
# Threads.  pyfilter owns the cores: OpenMP threads (workers) each run a
# contiguous range of units and call BLAS single-threaded on their own
# tiles; the Python layer caps the BLAS pool to 1 thread (threadpoolctl) for
# the duration of the call, so there is never BLAS-in-OpenMP
# oversubscription.  Tile shapes depend on the problem only, never on the
# thread count, and each output element is produced by exactly one unit, so
# results are bitwise identical for any number of threads.

cimport cython
from cython.parallel cimport prange
from libc.stdlib cimport malloc, free
from libc.string cimport memset, memcpy
cimport numpy as cnp
import numpy as np
from scipy.linalg.cython_blas cimport sgemm, dgemm

from pyfilter._cext._boundary cimport map_index

cnp.import_array()

ctypedef fused real:
    float
    double

# Path codes (shared with pyfilter/_conv.py).
PATH_GEMM = 0
PATH_DIRECT = 1
PATH_1X1 = 2

cdef enum:
    DEF_CHUNK = 512   # direct path: output elements per accumulation pass


cdef struct Geo:
    Py_ssize_t N, C, Cout, G, Cin_g, Cout_g, K
    Py_ssize_t ni[3]          # input spatial extents (D, H, W)
    Py_ssize_t no[3]          # output positions of this job per axis
    Py_ssize_t st[3]          # input step per output position
    Py_ssize_t nt[3]          # taps per axis
    Py_ssize_t omin[3]        # smallest tap offset per axis
    Py_ssize_t span[3]        # max offset - min offset + 1
    int mode[3]
    const Py_ssize_t* off0
    const Py_ssize_t* off1
    const Py_ssize_t* off2
    Py_ssize_t fo[3]          # spatial extents of the output array
    Py_ssize_t ostep[3]
    Py_ssize_t obase[3]
    Py_ssize_t P              # positions of this job (no0 * no1 * no2)
    Py_ssize_t plane_in       # ni0 * ni1 * ni2
    Py_ssize_t plane_out      # fo0 * fo1 * fo2
    bint dense                # positions are contiguous in the output plane
    # direct path line buffers
    Py_ssize_t vw, pw, lw     # virtual line length, plane length, buffer length


cdef inline void _gemm(char ta, char tb, int m, int n, int k, real alpha,
                       const real* a, int lda, const real* b, int ldb, real beta,
                       real* c, int ldc) noexcept nogil:
    """Column-major C = alpha op(A) op(B) + beta C through scipy's BLAS."""
    if m <= 0 or n <= 0:
        return
    if real is float:
        sgemm(&ta, &tb, &m, &n, &k, &alpha, <float*>a, &lda, <float*>b, &ldb,
              &beta, c, &ldc)
    else:
        dgemm(&ta, &tb, &m, &n, &k, &alpha, <double*>a, &lda, <double*>b, &ldb,
              &beta, c, &ldc)


cdef inline void _fill_run(real* d, const real* row, Py_ssize_t n, Py_ssize_t v0,
                           Py_ssize_t step, Py_ssize_t cnt, int mode) noexcept nogil:
    """d[m] = row~[v0 + m * step] for m < cnt (row~: the extended row of length n)."""
    cdef Py_ssize_t m, mlo, mhi, j
    if v0 >= 0:
        mlo = 0
    else:
        mlo = (-v0 + step - 1) // step
    if n - 1 - v0 < 0:
        mhi = 0
    else:
        mhi = (n - 1 - v0) // step + 1
    if mhi > cnt:
        mhi = cnt
    if mlo > mhi:
        mlo = mhi
    for m in range(mlo):
        j = map_index(v0 + m * step, n, mode)
        d[m] = row[j] if j >= 0 else 0
    if step == 1:
        if mhi > mlo:
            memcpy(d + mlo, row + v0 + mlo, (mhi - mlo) * sizeof(real))
    else:
        for m in range(mlo, mhi):
            d[m] = row[v0 + m * step]
    for m in range(mhi, cnt):
        j = map_index(v0 + m * step, n, mode)
        d[m] = row[j] if j >= 0 else 0


cdef inline void _split_row(const Geo* g, Py_ssize_t r, Py_ssize_t* c, Py_ssize_t* k0,
                            Py_ssize_t* k1, Py_ssize_t* k2) noexcept nogil:
    cdef Py_ssize_t rem
    k2[0] = r % g.nt[2]
    rem = r // g.nt[2]
    k1[0] = rem % g.nt[1]
    rem = rem // g.nt[1]
    k0[0] = rem % g.nt[0]
    c[0] = rem // g.nt[0]


cdef void _im2col(const Geo* g, const real* xg, Py_ssize_t r0, Py_ssize_t r1,
                  Py_ssize_t p0, Py_ssize_t T, real* dst, Py_ssize_t ld) noexcept nogil:
    """Rows r0..r1-1 of the im2col matrix of one (image, group), positions
    p0..p0+T-1, into dst[(r - r0) * ld + t].  ``xg``: the group's first
    input channel."""
    cdef Py_ssize_t r, c, k0, k1, k2, rem, a, b, w, t, seg, i0, i1
    cdef Py_ssize_t no12 = g.no[1] * g.no[2]
    cdef const real* pc
    cdef real* d
    for r in range(r0, r1):
        _split_row(g, r, &c, &k0, &k1, &k2)
        pc = xg + c * g.plane_in
        d = dst + (r - r0) * ld
        a = p0 // no12
        rem = p0 - a * no12
        b = rem // g.no[2]
        w = rem - b * g.no[2]
        t = 0
        while t < T:
            seg = g.no[2] - w
            if seg > T - t:
                seg = T - t
            i0 = map_index(a * g.st[0] + g.off0[k0], g.ni[0], g.mode[0])
            i1 = map_index(b * g.st[1] + g.off1[k1], g.ni[1], g.mode[1])
            if i0 < 0 or i1 < 0:
                memset(d + t, 0, seg * sizeof(real))
            else:
                _fill_run(d + t, pc + (i0 * g.ni[1] + i1) * g.ni[2], g.ni[2],
                          w * g.st[2] + g.off2[k2], g.st[2], seg, g.mode[2])
            t = t + seg
            w = 0
            b = b + 1
            if b == g.no[1]:
                b = 0
                a = a + 1


cdef void _col2im_plane(const Geo* g, const real* src, Py_ssize_t ld, Py_ssize_t c,
                        real* plane) noexcept nogil:
    """Adjoint of _im2col for one input channel ``c`` (zero padding): add the
    rows of channel c (src[(r - c * taps) * ld + p]) into ``plane``."""
    cdef Py_ssize_t taps = g.nt[0] * g.nt[1] * g.nt[2]
    cdef Py_ssize_t r, cc, k0, k1, k2, a, b, w, t, seg, i0, i1, v0, m, mlo, mhi, n2, st2
    cdef Py_ssize_t P = g.P
    cdef const real* s
    cdef real* rowp
    n2 = g.ni[2]
    st2 = g.st[2]
    for r in range(c * taps, (c + 1) * taps):
        _split_row(g, r, &cc, &k0, &k1, &k2)
        s = src + (r - c * taps) * ld
        a = 0
        b = 0
        t = 0
        while t < P:
            seg = g.no[2]
            i0 = a * g.st[0] + g.off0[k0]
            i1 = b * g.st[1] + g.off1[k1]
            if 0 <= i0 < g.ni[0] and 0 <= i1 < g.ni[1]:
                rowp = plane + (i0 * g.ni[1] + i1) * n2
                v0 = g.off2[k2]
                if v0 >= 0:
                    mlo = 0
                else:
                    mlo = (-v0 + st2 - 1) // st2
                if n2 - 1 - v0 < 0:
                    mhi = 0
                else:
                    mhi = (n2 - 1 - v0) // st2 + 1
                if mhi > seg:
                    mhi = seg
                for m in range(mlo, mhi):
                    rowp[v0 + m * st2] += s[t + m]
            t = t + seg
            b = b + 1
            if b == g.no[1]:
                b = 0
                a = a + 1


cdef inline void _taps(real* acc, const real** tp, const real* w, Py_ssize_t c0,
                       Py_ssize_t n, Py_ssize_t k, bint init, real b) noexcept nogil:
    """acc[i] (= b if init) += sum_{j<k} w[j] * tp[j][c0 + i], i < n, 1 <= k <= 9,
    accumulated in tap order (the same order on every thread count)."""
    cdef Py_ssize_t i
    cdef const real* p0
    cdef const real* p1
    cdef const real* p2
    cdef const real* p3
    cdef const real* p4
    cdef const real* p5
    cdef const real* p6
    cdef const real* p7
    cdef const real* p8
    cdef real w0, w1, w2, w3, w4, w5, w6, w7, w8
    p0 = tp[0] + c0 if k > 0 else NULL
    w0 = w[0] if k > 0 else 0
    p1 = tp[1] + c0 if k > 1 else NULL
    w1 = w[1] if k > 1 else 0
    p2 = tp[2] + c0 if k > 2 else NULL
    w2 = w[2] if k > 2 else 0
    p3 = tp[3] + c0 if k > 3 else NULL
    w3 = w[3] if k > 3 else 0
    p4 = tp[4] + c0 if k > 4 else NULL
    w4 = w[4] if k > 4 else 0
    p5 = tp[5] + c0 if k > 5 else NULL
    w5 = w[5] if k > 5 else 0
    p6 = tp[6] + c0 if k > 6 else NULL
    w6 = w[6] if k > 6 else 0
    p7 = tp[7] + c0 if k > 7 else NULL
    w7 = w[7] if k > 7 else 0
    p8 = tp[8] + c0 if k > 8 else NULL
    w8 = w[8] if k > 8 else 0
    if k == 1:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i]
    elif k == 2:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i]
    elif k == 3:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i]
    elif k == 4:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i]
    elif k == 5:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i]
    elif k == 6:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i]
    elif k == 7:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i]
    elif k == 8:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i] + w7 * p7[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i] + w7 * p7[i]
    elif k == 9:
        if init:
            for i in range(n):
                acc[i] = b + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i] + w7 * p7[i] + w8 * p8[i]
        else:
            for i in range(n):
                acc[i] = acc[i] + w0 * p0[i] + w1 * p1[i] + w2 * p2[i] + w3 * p3[i] + w4 * p4[i] + w5 * p5[i] + w6 * p6[i] + w7 * p7[i] + w8 * p8[i]


cdef void _store_tile(const Geo* g, const real* ct, Py_ssize_t ldc, real* outg,
                      Py_ssize_t p0, Py_ssize_t T, const real* bias) noexcept nogil:
    """Scatter a (Cout_g x T) tile of job positions p0.. into the output
    planes starting at ``outg`` (channel 0 of the group), adding the bias."""
    cdef Py_ssize_t o, a, b, w, t, seg, rem, m, base
    cdef Py_ssize_t no12 = g.no[1] * g.no[2], os2 = g.ostep[2]
    cdef real bo
    cdef const real* s
    cdef real* d
    for o in range(g.Cout_g):
        bo = bias[o] if bias != NULL else 0
        s = ct + o * ldc
        d = outg + o * g.plane_out
        a = p0 // no12
        rem = p0 - a * no12
        b = rem // g.no[2]
        w = rem - b * g.no[2]
        t = 0
        while t < T:
            seg = g.no[2] - w
            if seg > T - t:
                seg = T - t
            base = (((g.obase[0] + a * g.ostep[0]) * g.fo[1] + g.obase[1] + b * g.ostep[1])
                    * g.fo[2] + g.obase[2] + w * os2)
            if os2 == 1:
                for m in range(seg):
                    d[base + m] = s[t + m] + bo
            else:
                for m in range(seg):
                    d[base + m * os2] = s[t + m] + bo
            t = t + seg
            w = 0
            b = b + 1
            if b == g.no[1]:
                b = 0
                a = a + 1


cdef int _gemm_units(const Geo* g, const real* x, const real* wm, const real* bias,
                     real* out, Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t T,
                     Py_ssize_t Kc, int path) noexcept nogil:
    """GEMM path for work units u0..u1-1; 0, or -1 when out of memory."""
    if u1 <= u0:
        return 0
    cdef Py_ssize_t ntiles = (g.P + T - 1) // T
    cdef Py_ssize_t u, tile, rem, gi, n, p0, Tc, kc0, kn, o, t, K = g.K
    cdef real* col = NULL
    cdef real* ct = NULL
    cdef real* cp
    cdef real* outg
    cdef const real* xg
    cdef const real* wg
    cdef const real* bg
    cdef real bo
    cdef int ldc
    if path == 0 and K > 0:
        col = <real*>malloc(Kc * T * sizeof(real))
        if col == NULL:
            return -1
    if not g.dense:
        ct = <real*>malloc(g.Cout_g * T * sizeof(real))
        if ct == NULL:
            free(col)
            return -1
    for u in range(u0, u1):
        tile = u % ntiles
        rem = u // ntiles
        gi = rem % g.G
        n = rem // g.G
        p0 = tile * T
        Tc = g.P - p0
        if Tc > T:
            Tc = T
        xg = x + (n * g.C + gi * g.Cin_g) * g.plane_in
        wg = wm + gi * g.Cout_g * K
        bg = bias + gi * g.Cout_g if bias != NULL else NULL
        outg = out + (n * g.Cout + gi * g.Cout_g) * g.plane_out
        if g.dense:
            cp = outg + p0
            ldc = <int>g.P
        else:
            cp = ct
            ldc = <int>Tc
        if K == 0:
            for o in range(g.Cout_g):
                memset(cp + o * ldc, 0, Tc * sizeof(real))
        elif path == 2:
            _gemm(c'N', c'N', <int>Tc, <int>g.Cout_g, <int>K, <real>1, xg + p0,
                  <int>g.plane_in, wg, <int>K, <real>0, cp, ldc)
        else:
            kc0 = 0
            while kc0 < K:
                kn = K - kc0
                if kn > Kc:
                    kn = Kc
                _im2col(g, xg, kc0, kc0 + kn, p0, Tc, col, Tc)
                _gemm(c'N', c'N', <int>Tc, <int>g.Cout_g, <int>kn, <real>1, col,
                      <int>Tc, wg + kc0, <int>K, <real>(0 if kc0 == 0 else 1), cp, ldc)
                kc0 = kc0 + kn
        if g.dense:
            if bg != NULL:
                for o in range(g.Cout_g):
                    bo = bg[o]
                    for t in range(Tc):
                        cp[o * ldc + t] = cp[o * ldc + t] + bo
        else:
            _store_tile(g, ct, ldc, outg, p0, Tc, bg)
    free(col)
    free(ct)
    return 0


cdef void _direct_band(const Geo* g, const real* xg, const real* wg, const real* bg,
                       Py_ssize_t a, Py_ssize_t h0, Py_ssize_t h1, real* lines,
                       real* accb, const real** tp, real* dst, Py_ssize_t dco,
                       Py_ssize_t drow, Py_ssize_t dw) noexcept nogil:
    """Direct path: output rows h0..h1-1 at output depth ``a`` of every output
    channel of one (image, group).  ``dst``: element (channel 0, row h0, x 0)
    of the destination; ``dco``, ``drow``, ``dw``: its channel, row and x
    strides (elements)."""
    cdef Py_ssize_t K = g.K, Lw = g.lw, Pw = g.pw, st1 = g.st[1], st2 = g.st[2]
    cdef Py_ssize_t rv = (h1 - h0 - 1) * st1 + g.span[1]
    cdef Py_ssize_t c, k0, k1, k2, rr, i0, i1, q, cnt, h, t, o, c0, nn, j, v
    cdef Py_ssize_t ng, gbase, gextra, gk, jt, i
    cdef Py_ssize_t nout = g.no[2]
    cdef const real* rowp
    cdef const real* wo
    cdef real* buf
    cdef real* drp
    cdef real* acc
    cdef real bo
    if K == 0:
        for o in range(g.Cout_g):
            bo = bg[o] if bg != NULL else 0
            for h in range(h1 - h0):
                drp = dst + o * dco + h * drow
                for i in range(nout):
                    drp[i * dw] = bo
        return
    # the input lines the band reads, each copied once
    for c in range(g.Cin_g):
        for k0 in range(g.nt[0]):
            i0 = map_index(a * g.st[0] + g.off0[k0], g.ni[0], g.mode[0])
            for rr in range(rv):
                buf = lines + ((c * g.nt[0] + k0) * rv + rr) * Lw
                i1 = map_index(h0 * st1 + g.omin[1] + rr, g.ni[1], g.mode[1])
                if i0 < 0 or i1 < 0:
                    memset(buf, 0, Lw * sizeof(real))
                    continue
                rowp = xg + c * g.plane_in + (i0 * g.ni[1] + i1) * g.ni[2]
                for q in range(st2):
                    if q >= g.vw:
                        break
                    cnt = (g.vw - q + st2 - 1) // st2
                    _fill_run(buf + q * Pw, rowp, g.ni[2], g.omin[2] + q, st2, cnt,
                              g.mode[2])
    # tap groups of at most 9, balanced
    ng = (K + 8) // 9
    gbase = K // ng
    gextra = K - gbase * ng
    for h in range(h0, h1):
        t = 0
        for c in range(g.Cin_g):
            for k0 in range(g.nt[0]):
                for k1 in range(g.nt[1]):
                    rr = (h - h0) * st1 + g.off1[k1] - g.omin[1]
                    buf = lines + ((c * g.nt[0] + k0) * rv + rr) * Lw
                    for k2 in range(g.nt[2]):
                        v = g.off2[k2] - g.omin[2]
                        tp[t] = buf + (v % st2) * Pw + v // st2
                        t = t + 1
        for o in range(g.Cout_g):
            wo = wg + o * K
            bo = bg[o] if bg != NULL else 0
            drp = dst + o * dco + (h - h0) * drow
            c0 = 0
            while c0 < nout:
                nn = nout - c0
                if nn > DEF_CHUNK:
                    nn = DEF_CHUNK
                acc = drp + c0 if dw == 1 else accb
                jt = 0
                for j in range(ng):
                    gk = gbase + (1 if j < gextra else 0)
                    _taps(acc, tp + jt, wo + jt, c0, nn, gk, j == 0, bo)
                    jt = jt + gk
                if dw != 1:
                    for i in range(nn):
                        drp[(c0 + i) * dw] = accb[i]
                c0 = c0 + nn


cdef int _direct_units(const Geo* g, const real* x, const real* wm, const real* bias,
                       real* out, Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t bh) noexcept nogil:
    """Direct path for units (image, group, output depth, band of bh rows)."""
    if u1 <= u0:
        return 0
    cdef Py_ssize_t nb = (g.no[1] + bh - 1) // bh
    cdef Py_ssize_t u, band, rem, a, gi, n, h0, h1, rvmax
    cdef real* outg
    rvmax = (bh - 1) * g.st[1] + g.span[1]
    cdef real* lines = <real*>malloc((g.Cin_g * g.nt[0] * rvmax * g.lw + 1) * sizeof(real))
    cdef real* accb = <real*>malloc(DEF_CHUNK * sizeof(real))
    cdef const real** tp = <const real**>malloc((g.K + 1) * sizeof(real*))
    cdef int status = 0
    if lines == NULL or accb == NULL or tp == NULL:
        status = -1
    else:
        for u in range(u0, u1):
            band = u % nb
            rem = u // nb
            a = rem % g.no[0]
            rem = rem // g.no[0]
            gi = rem % g.G
            n = rem // g.G
            h0 = band * bh
            h1 = h0 + bh
            if h1 > g.no[1]:
                h1 = g.no[1]
            outg = out + (n * g.Cout + gi * g.Cout_g) * g.plane_out
            _direct_band(g, x + (n * g.C + gi * g.Cin_g) * g.plane_in,
                         wm + gi * g.Cout_g * g.K,
                         bias + gi * g.Cout_g if bias != NULL else NULL,
                         a, h0, h1, lines, accb, tp,
                         outg + ((g.obase[0] + a * g.ostep[0]) * g.fo[1] + g.obase[1]
                                 + h0 * g.ostep[1]) * g.fo[2] + g.obase[2],
                         g.plane_out, g.ostep[1] * g.fo[2], g.ostep[2])
    free(lines)
    free(accb)
    free(tp)
    return status


cdef int _separable_units(const Geo* g, const real* x, const real* wdw, const real* bdw,
                          const real* wpw, const real* bpw, Py_ssize_t Cpw, real* out,
                          Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t bh) noexcept nogil:
    """Depthwise (direct, into a per-thread tile) then pointwise (GEMM) for
    units (image, output depth, band of bh rows); ``g`` is the depthwise job
    (dense), ``Cpw`` the pointwise output channels."""
    if u1 <= u0:
        return 0
    cdef Py_ssize_t nb = (g.no[1] + bh - 1) // bh
    cdef Py_ssize_t u, band, rem, a, gi, n, h0, h1, rvmax, Tc, o, t, CM, P
    cdef real* cp
    cdef real bo
    CM = g.G * g.Cout_g
    P = g.P
    rvmax = (bh - 1) * g.st[1] + g.span[1]
    cdef real* lines = <real*>malloc((g.Cin_g * g.nt[0] * rvmax * g.lw + 1) * sizeof(real))
    cdef real* accb = <real*>malloc(DEF_CHUNK * sizeof(real))
    cdef const real** tp = <const real**>malloc((g.K + 1) * sizeof(real*))
    cdef real* S = <real*>malloc((CM * bh * g.no[2] + 1) * sizeof(real))
    cdef int status = 0
    if lines == NULL or accb == NULL or tp == NULL or S == NULL:
        status = -1
    else:
        for u in range(u0, u1):
            band = u % nb
            rem = u // nb
            a = rem % g.no[0]
            n = rem // g.no[0]
            h0 = band * bh
            h1 = h0 + bh
            if h1 > g.no[1]:
                h1 = g.no[1]
            Tc = (h1 - h0) * g.no[2]
            for gi in range(g.G):
                _direct_band(g, x + (n * g.C + gi) * g.plane_in, wdw + gi * g.Cout_g * g.K,
                             bdw + gi * g.Cout_g if bdw != NULL else NULL,
                             a, h0, h1, lines, accb, tp, S + gi * g.Cout_g * Tc,
                             Tc, g.no[2], 1)
            cp = out + n * Cpw * P + (a * g.no[1] + h0) * g.no[2]
            _gemm(c'N', c'N', <int>Tc, <int>Cpw, <int>CM, <real>1, S, <int>Tc, wpw,
                  <int>CM, <real>0, cp, <int>P)
            if bpw != NULL:
                for o in range(Cpw):
                    bo = bpw[o]
                    for t in range(Tc):
                        cp[o * P + t] = cp[o * P + t] + bo
    free(lines)
    free(accb)
    free(tp)
    free(S)
    return status


cdef int _wgrad_chunk(const Geo* g, const real* x, const real* gout, real* part,
                      Py_ssize_t i0, Py_ssize_t i1, Py_ssize_t T, Py_ssize_t Kc) noexcept nogil:
    """Weight gradient over units i0..i1-1 accumulated into ``part``
    (G x Cout_g x K, zero on entry): part_g += G_tile @ im2col_tile^T."""
    if i1 <= i0:
        return 0
    cdef Py_ssize_t ntiles = (g.P + T - 1) // T
    cdef Py_ssize_t u, tile, rem, gi, n, p0, Tc, kc0, kn, K = g.K
    cdef real* col = <real*>malloc((Kc * T + 1) * sizeof(real))
    if col == NULL:
        return -1
    for u in range(i0, i1):
        tile = u % ntiles
        rem = u // ntiles
        gi = rem % g.G
        n = rem // g.G
        p0 = tile * T
        Tc = g.P - p0
        if Tc > T:
            Tc = T
        kc0 = 0
        while kc0 < K:
            kn = K - kc0
            if kn > Kc:
                kn = Kc
            _im2col(g, x + (n * g.C + gi * g.Cin_g) * g.plane_in, kc0, kc0 + kn, p0, Tc,
                    col, Tc)
            _gemm(c'T', c'N', <int>kn, <int>g.Cout_g, <int>Tc, <real>1, col, <int>Tc,
                  gout + (n * g.Cout + gi * g.Cout_g) * g.P + p0, <int>g.P, <real>1,
                  part + gi * g.Cout_g * K + kc0, <int>K)
            kc0 = kc0 + kn
    free(col)
    return 0


# ---------------------------------------------------------------- drivers
cdef int _run_forward(const Geo* g, const real* x, const real* wm, const real* bias,
                      real* out, int path, Py_ssize_t T, Py_ssize_t Kc, Py_ssize_t bh,
                      int nthreads) noexcept nogil:
    cdef Py_ssize_t nunits, t
    cdef int failures = 0
    if path == 1:
        nunits = g.N * g.G * g.no[0] * ((g.no[1] + bh - 1) // bh)
    else:
        nunits = g.N * g.G * ((g.P + T - 1) // T)
    if nthreads > nunits:
        nthreads = <int>nunits
    if nthreads <= 1:
        if path == 1:
            return _direct_units(g, x, wm, bias, out, 0, nunits, bh)
        return _gemm_units(g, x, wm, bias, out, 0, nunits, T, Kc, path)
    for t in prange(nthreads, schedule='static', chunksize=1, num_threads=nthreads):
        if path == 1:
            failures += _direct_units(g, x, wm, bias, out, nunits * t // nthreads,
                                      nunits * (t + 1) // nthreads, bh) != 0
        else:
            failures += _gemm_units(g, x, wm, bias, out, nunits * t // nthreads,
                                    nunits * (t + 1) // nthreads, T, Kc, path) != 0
    return failures


cdef int _run_separable(const Geo* g, const real* x, const real* wdw, const real* bdw,
                        const real* wpw, const real* bpw, Py_ssize_t Cpw, real* out,
                        Py_ssize_t bh, int nthreads) noexcept nogil:
    cdef Py_ssize_t nunits = g.N * g.no[0] * ((g.no[1] + bh - 1) // bh), t
    cdef int failures = 0
    if nthreads > nunits:
        nthreads = <int>nunits
    if nthreads <= 1:
        return _separable_units(g, x, wdw, bdw, wpw, bpw, Cpw, out, 0, nunits, bh)
    for t in prange(nthreads, schedule='static', chunksize=1, num_threads=nthreads):
        failures += _separable_units(g, x, wdw, bdw, wpw, bpw, Cpw, out,
                                     nunits * t // nthreads, nunits * (t + 1) // nthreads,
                                     bh) != 0
    return failures


cdef int _run_wgrad(const Geo* g, const real* x, const real* gout, real* parts,
                    real* dw, Py_ssize_t R, Py_ssize_t T, Py_ssize_t Kc,
                    int nthreads) noexcept nogil:
    cdef Py_ssize_t nunits = g.N * g.G * ((g.P + T - 1) // T)
    cdef Py_ssize_t j, e, size = g.G * g.Cout_g * g.K
    cdef int failures = 0
    cdef real s
    if nthreads > R:
        nthreads = <int>R
    if nthreads <= 1:
        for j in range(R):
            failures += _wgrad_chunk(g, x, gout, parts + j * size, nunits * j // R,
                                     nunits * (j + 1) // R, T, Kc) != 0
    else:
        for j in prange(R, schedule='static', num_threads=nthreads):
            failures += _wgrad_chunk(g, x, gout, parts + j * size, nunits * j // R,
                                     nunits * (j + 1) // R, T, Kc) != 0
    # fixed-order sum of the R partials
    for e in range(size):
        s = parts[e]
        for j in range(1, R):
            s = s + parts[j * size + e]
        dw[e] = s
    return failures


cdef void _run_unfold(const Geo* g, const real* x, real* cols, int nthreads) noexcept nogil:
    cdef Py_ssize_t n, K = g.K, P = g.P, u, c, taps = g.nt[0] * g.nt[1] * g.nt[2]
    cdef Py_ssize_t nunits = g.N * g.C
    if nthreads <= 1:
        for u in range(nunits):
            n = u // g.C
            c = u % g.C
            _im2col(g, x + n * g.C * g.plane_in, c * taps, (c + 1) * taps, 0, P,
                    cols + (n * K + c * taps) * P, P)
    else:
        for u in prange(nunits, schedule='static', num_threads=nthreads):
            _im2col(g, x + (u // g.C) * g.C * g.plane_in, (u % g.C) * taps,
                    (u % g.C + 1) * taps, 0, P, cols + ((u // g.C) * K + (u % g.C) * taps) * P, P)


cdef void _run_fold(const Geo* g, const real* cols, real* out, int nthreads) noexcept nogil:
    cdef Py_ssize_t K = g.K, P = g.P, u, taps = g.nt[0] * g.nt[1] * g.nt[2]
    cdef Py_ssize_t nunits = g.N * g.C
    if nthreads <= 1:
        for u in range(nunits):
            memset(out + u * g.plane_in, 0, g.plane_in * sizeof(real))
            _col2im_plane(g, cols + (u // g.C) * K * P + (u % g.C) * taps * P, P,
                          u % g.C, out + u * g.plane_in)
    else:
        for u in prange(nunits, schedule='static', num_threads=nthreads):
            memset(out + u * g.plane_in, 0, g.plane_in * sizeof(real))
            _col2im_plane(g, cols + (u // g.C) * K * P + (u % g.C) * taps * P, P,
                          u % g.C, out + u * g.plane_in)


# ---------------------------------------------------------------- Python entry points
cdef object _setup(Geo* g, tuple xshape, tuple oshape, Py_ssize_t groups, Py_ssize_t Cout,
                   no, step, offs, modes, ostep, obase):
    """Fill ``g``; returns the offset arrays (keep them alive during the call)."""
    cdef Py_ssize_t a
    arrs = [np.ascontiguousarray(o, dtype=np.intp) if len(o) else np.zeros(1, np.intp)
            for o in offs]
    g.N = xshape[0]
    g.C = xshape[1]
    g.G = groups
    g.Cin_g = g.C // groups
    g.Cout = Cout
    g.Cout_g = Cout // groups
    for a in range(3):
        g.ni[a] = xshape[2 + a]
        g.no[a] = no[a]
        g.st[a] = step[a]
        g.nt[a] = len(offs[a])
        g.mode[a] = modes[a]
        g.fo[a] = oshape[2 + a]
        g.ostep[a] = ostep[a]
        g.obase[a] = obase[a]
        if g.nt[a]:
            g.omin[a] = min(offs[a])
            g.span[a] = max(offs[a]) - g.omin[a] + 1
        else:
            g.omin[a] = 0
            g.span[a] = 1
    g.off0 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>arrs[0])
    g.off1 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>arrs[1])
    g.off2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>arrs[2])
    g.K = g.Cin_g * g.nt[0] * g.nt[1] * g.nt[2]
    g.P = g.no[0] * g.no[1] * g.no[2]
    g.plane_in = g.ni[0] * g.ni[1] * g.ni[2]
    g.plane_out = g.fo[0] * g.fo[1] * g.fo[2]
    g.dense = (all(s == 1 for s in ostep) and all(b == 0 for b in obase)
               and all(g.no[a] == g.fo[a] for a in range(3)) and g.P < 2 ** 31)
    g.vw = (g.no[2] - 1) * g.st[2] + g.span[2]
    g.pw = (g.vw + g.st[2] - 1) // g.st[2]
    g.lw = g.pw * g.st[2]
    return arrs


cdef inline void* _ptr(object a):
    return cnp.PyArray_DATA(<cnp.ndarray>a)


def forward(x, wm, bias, out, Py_ssize_t groups, no, step, offs, modes, ostep, obase,
            int path, Py_ssize_t T, Py_ssize_t Kc, Py_ssize_t bh, int nthreads):
    """One job (see the header): ``x`` (N, C, D, H, W), ``wm`` (G, Cout_g, K),
    ``bias`` (Cout,) or None, ``out`` (N, Cout, D', H', W'); all C-contiguous
    of one float dtype.  ``path``: 0 GEMM, 1 direct, 2 GEMM without im2col."""
    cdef Geo g
    keep = _setup(&g, x.shape, out.shape, groups, out.shape[1], no, step, offs, modes,
                  ostep, obase)
    cdef int status
    cdef void* bp = _ptr(bias) if bias is not None else NULL
    if g.P == 0 or g.N == 0 or g.Cout == 0:
        return out
    cdef void* p_out = _ptr(out)
    cdef void* p_wm = _ptr(wm)
    cdef void* p_x = _ptr(x)
    if x.dtype == np.float32:
        with nogil:
            status = _run_forward(&g, <const float*>p_x, <const float*>p_wm,
                                  <const float*>bp, <float*>p_out, path, T, Kc, bh,
                                  nthreads)
    else:
        with nogil:
            status = _run_forward(&g, <const double*>p_x, <const double*>p_wm,
                                  <const double*>bp, <double*>p_out, path, T, Kc, bh,
                                  nthreads)
    del keep
    if status:
        raise MemoryError("pyfilter: out of memory for the convolution scratch buffers")
    return out


def separable(x, wdw, bdw, wpw, bpw, out, Py_ssize_t mult, no, step, offs, modes,
              Py_ssize_t bh, int nthreads):
    """Depthwise job (groups = C, multiplier ``mult``, weights ``wdw`` (C, mult,
    taps)) fused with a pointwise GEMM ``wpw`` (Cout, C * mult)."""
    cdef Geo g
    keep = _setup(&g, x.shape, (x.shape[0], x.shape[1] * mult) + tuple(no), x.shape[1],
                  x.shape[1] * mult, no, step, offs, modes, (1, 1, 1), (0, 0, 0))
    cdef int status
    cdef void* bdp = _ptr(bdw) if bdw is not None else NULL
    cdef void* bpp = _ptr(bpw) if bpw is not None else NULL
    cdef Py_ssize_t Cpw = out.shape[1]
    if g.P == 0 or g.N == 0 or Cpw == 0:
        return out
    cdef void* p_out = _ptr(out)
    cdef void* p_wdw = _ptr(wdw)
    cdef void* p_wpw = _ptr(wpw)
    cdef void* p_x = _ptr(x)
    if x.dtype == np.float32:
        with nogil:
            status = _run_separable(&g, <const float*>p_x, <const float*>p_wdw,
                                    <const float*>bdp, <const float*>p_wpw,
                                    <const float*>bpp, Cpw, <float*>p_out, bh, nthreads)
    else:
        with nogil:
            status = _run_separable(&g, <const double*>p_x, <const double*>p_wdw,
                                    <const double*>bdp, <const double*>p_wpw,
                                    <const double*>bpp, Cpw, <double*>p_out, bh,
                                    nthreads)
    del keep
    if status:
        raise MemoryError("pyfilter: out of memory for the convolution scratch buffers")
    return out


def weight_grad(x, gout, dw, Py_ssize_t groups, no, step, offs, modes, Py_ssize_t T,
                Py_ssize_t Kc, Py_ssize_t R, int nthreads):
    """dw (G, Cout_g, K) = sum over images and positions of grad_output times
    the im2col matrix of ``x``; ``gout`` (N, Cout, *no) C-contiguous."""
    cdef Geo g
    keep = _setup(&g, x.shape, gout.shape, groups, gout.shape[1], no, step, offs, modes,
                  (1, 1, 1), (0, 0, 0))
    cdef int status
    parts = np.zeros((max(R, 1),) + dw.shape, dtype=dw.dtype)
    if g.P == 0 or g.N == 0 or g.K == 0 or g.Cout == 0:
        dw[...] = 0
        return dw
    cdef void* p_dw = _ptr(dw)
    cdef void* p_gout = _ptr(gout)
    cdef void* p_parts = _ptr(parts)
    cdef void* p_x = _ptr(x)
    if x.dtype == np.float32:
        with nogil:
            status = _run_wgrad(&g, <const float*>p_x, <const float*>p_gout,
                                <float*>p_parts, <float*>p_dw, R, T, Kc, nthreads)
    else:
        with nogil:
            status = _run_wgrad(&g, <const double*>p_x, <const double*>p_gout,
                                <double*>p_parts, <double*>p_dw, R, T, Kc, nthreads)
    del keep
    if status:
        raise MemoryError("pyfilter: out of memory for the convolution scratch buffers")
    return dw


def unfold(x, cols, no, step, offs, modes, int nthreads):
    """im2col of the whole batch: cols (N, C * taps, P)."""
    cdef Geo g
    keep = _setup(&g, x.shape, (x.shape[0], x.shape[1]) + tuple(no), 1, x.shape[1], no,
                  step, offs, modes, (1, 1, 1), (0, 0, 0))
    g.K = g.C * g.nt[0] * g.nt[1] * g.nt[2]
    if g.P == 0 or g.N == 0 or g.K == 0:
        return cols
    cdef void* p_cols = _ptr(cols)
    cdef void* p_x = _ptr(x)
    if x.dtype == np.float32:
        with nogil:
            _run_unfold(&g, <const float*>p_x, <float*>p_cols, nthreads)
    else:
        with nogil:
            _run_unfold(&g, <const double*>p_x, <double*>p_cols, nthreads)
    del keep
    return cols


def fold(cols, out, no, step, offs, int nthreads):
    """col2im, the adjoint of unfold (zero padding): out (N, C, D, H, W)."""
    cdef Geo g
    keep = _setup(&g, out.shape, (out.shape[0], out.shape[1]) + tuple(no), 1, out.shape[1],
                  no, step, offs, (0, 0, 0), (1, 1, 1), (0, 0, 0))
    g.K = g.C * g.nt[0] * g.nt[1] * g.nt[2]
    if g.N == 0 or g.C == 0:
        return out
    cdef void* p_cols = _ptr(cols)
    cdef void* p_out = _ptr(out)
    if cols.dtype == np.float32:
        with nogil:
            _run_fold(&g, <const float*>p_cols, <float*>p_out, nthreads)
    else:
        with nogil:
            _run_fold(&g, <const double*>p_cols, <double*>p_out, nthreads)
    del keep
    return out
