# Channel engine: the CNN layers of pyfilter.nn (multi-channel convolution,
# its transposed form and gradients, im2col / col2im).
#
# Geometry.  Arrays are normalised by the Python layer (pyfilter/_ops/channel.py)
# to (N, C, D, H, W), C-contiguous, float32 or float64 (one dtype per call).
# A "job" computes, for output positions i = (i0, i1, i2) < no and every
# output channel o of group g,
#
#     out[n, o, obase + i * ostep] = bias[o] + sum_{c, k} W[g, o, (c, k)]
#                                     * x~[n, g*Cin_g + c, i * step + off[k]]
#
# where per axis `off` is a list of tap offsets (k * dilation - pad_lo for a
# convolution; the taps of one output phase for a transposed convolution,
# see pyfilter/_ops/channel.py) and x~ is x extended by the boundary mode
# of that axis (pyfilter/_cext/_boundary.pxd, the one place boundaries are
# handled).
# W is the (G, Cout_g, Cin_g * taps) weight matrix, rows in torch's
# (c, kd, kh, kw) order.  One formula serves convolution (any padding mode,
# stride, dilation, groups), transposed convolution and conv{n}d_input
# (the gather form of the same operation, one job per output phase: no
# scatter-add, no zeros multiplied), conv{n}d_weight and unfold/fold.
#
# Paths (chosen per job by pyfilter/_ops/channel.py::choose_path, from
# measurements on the 2-core AVX2 reference machine):
#   * Direct (most convolutions, including depthwise, grouped, small-channel
#     and the 64-channel CNN layers): a work unit is (image, group, output
#     depth, band of output rows).  Input lines are copied once into a
#     per-thread ring of span_H line buffers per (input channel, depth tap)
#     (boundary extension along x done while copying, polyphase planes for a
#     stride along x so every tap reads contiguously).  For each output row,
#     a register-blocked micro-kernel (C, below) accumulates blocks of 6
#     output channels x 16 positions (float; 8 for double) over all
#     C_in/G x taps, in registers, and stores each output once.  On the
#     reference machine this runs at 65-85 GFLOP/s per core (oneDNN: 63-90)
#     where im2col + OpenBLAS sgemm reached 34-65.
#   * GEMM (many channels: the input lines of one output row no longer fit
#     in L2, or rows much shorter than the 16-wide blocks): each work unit is
#     (image, group, tile of T consecutive output positions); the thread
#     builds the (K x T) im2col tile of that unit in its own cache-sized
#     scratch (K split in chunks of Kc rows when large; never an im2col of
#     the whole batch) and calls BLAS (scipy.linalg.cython_blas sgemm/dgemm)
#     as C (Cout_g x T) = W (Cout_g x K) col (K x T), then stores C
#     transposed, with the bias, into the output.  1x1 stride-1 unpadded
#     convolutions skip im2col (the input already is the matrix).
#   * Weight gradient: dW = sum over units of G_tile @ im2col_tile^T (GEMM),
#     the units split into a FIXED number R of chunks (independent of the
#     thread count), each accumulated in its own partial, summed in chunk
#     order.
#   * Transposed convolution / input gradient: one job per output phase
#     (gather form), all jobs of a call in one parallel region.
#
# Threads.  pyfilter owns the cores: OpenMP threads (workers) allocate their
# scratch once per call and take work units one at a time (dynamic
# schedule: on a shared machine a thread that loses its core does not hold
# the others back); on the GEMM paths each calls BLAS single-threaded on
# its own tiles, the BLAS pools being capped to one
# thread for the duration of the call (pyfilter/_common/blas.py), so there is
# never BLAS-in-OpenMP oversubscription.  Units, tiles and blocks depend on
# the problem only, never on the thread count, and each output element is
# produced by exactly one unit, so results are bitwise identical for any
# number of threads.

include "_common.pxi"

from cython.parallel cimport prange, parallel
from scipy.linalg.cython_blas cimport sgemm, dgemm

# Register-blocked direct-convolution micro-kernel (the direct path's inner
# loop).  For one output row: OB output channels x XV vectors along x are
# accumulated in registers over all K taps (each tap: XV vector loads of
# the input line, OB weight broadcasts, OB * XV fused multiply-adds), then
# stored once.  GCC/Clang vector extensions (32-byte vectors: AVX in the
# avx2 variant, pairs of SSE registers in the portable one); one macro
# instantiates float and double.  Taps are summed in order, so results do
# not depend on the blocking or the thread count.
cdef extern from *:
    """
    /* the micro-kernel wants its multiply-adds contracted to FMA */
    #pragma GCC optimize ("fp-contract=fast")
    #include <stddef.h>
    typedef float pf_v8f __attribute__((vector_size(32)));
    typedef double pf_v4d __attribute__((vector_size(32)));
    /* the same vectors at any (element) alignment, for loads and stores */
    typedef float pf_v8fu __attribute__((vector_size(32), aligned(4), may_alias));
    typedef double pf_v4du __attribute__((vector_size(32), aligned(8), may_alias));
    #define PF_XPAD 64  /* elements a tap may read past the end of a row */

    #define PF_DCONV(SUF, T, V, VU, L)                                           \
    static inline __attribute__((always_inline)) void                            \
    pf_dblk_##SUF(const T* const* tp, const T* w, ptrdiff_t K, ptrdiff_t x0,     \
                  ptrdiff_t n, const T* bias, T* const* dst, ptrdiff_t ds,       \
                  const int OB, const int XV)                                    \
    {                                                                            \
        V acc[6][8];                                                             \
        for (int o = 0; o < OB; o++) {                                           \
            V b = (V){0} + bias[o];                                              \
            for (int v = 0; v < XV; v++) acc[o][v] = b;                          \
        }                                                                        \
        for (ptrdiff_t t = 0; t < K; t++) {                                      \
            const T* p = tp[t] + x0;                                             \
            const T* wt = w + t * OB;                                            \
            V in[8];                                                             \
            for (int v = 0; v < XV; v++) in[v] = *(const VU*)(p + v * L);        \
            for (int o = 0; o < OB; o++) {                                       \
                const T s = wt[o];                                               \
                for (int v = 0; v < XV; v++) acc[o][v] += in[v] * s;             \
            }                                                                    \
        }                                                                        \
        for (int o = 0; o < OB; o++)                                             \
            for (int v = 0; v < XV; v++) {                                       \
                if (ds == 1 && (v + 1) * L <= n) {                               \
                    *(VU*)(dst[o] + x0 + v * L) = acc[o][v];                     \
                } else {                                                         \
                    for (int i = 0; i < L; i++)                                  \
                        if (v * L + i < n)                                       \
                            dst[o][(x0 + v * L + i) * ds] = acc[o][v][i];        \
                }                                                                \
            }                                                                    \
    }                                                                            \
    static void                                                                  \
    pf_dconv_row_##SUF(const T* const* tp, const T* w, ptrdiff_t K, int ob,      \
                       ptrdiff_t xa, ptrdiff_t nx, const T* bias, T* const* dst, \
                       ptrdiff_t ds)                                             \
    {                                                                            \
        ptrdiff_t x0, n;                                                         \
        switch (ob) {                                                            \
        case 1: PF_ROW(SUF, L, 1, 8) break;                                      \
        case 2: PF_ROW(SUF, L, 2, 4) break;                                      \
        case 3: PF_ROW(SUF, L, 3, 4) break;                                      \
        case 4: PF_ROW(SUF, L, 4, 2) break;                                      \
        case 5: PF_ROW(SUF, L, 5, 2) break;                                      \
        default: PF_ROW(SUF, L, 6, 2) break;                                     \
        }                                                                        \
    }
    /* full blocks of XVc vectors, then the narrowest block covering the tail */
    #define PF_BLK(SUF, OBc, XVt)                                                \
        pf_dblk_##SUF(tp, w, K, x0, n, bias, dst, ds, OBc, XVt)
    #define PF_ROW(SUF, L, OBc, XVc)                                             \
        for (x0 = xa; x0 + (XVc) * (L) <= nx; x0 += (XVc) * (L)) {               \
            n = (XVc) * (L);                                                     \
            PF_BLK(SUF, OBc, XVc);                                               \
        }                                                                        \
        if (x0 < nx) {                                                           \
            n = nx - x0;                                                         \
            switch ((n + (L) - 1) / (L)) {                                       \
            case 1: PF_BLK(SUF, OBc, 1); break;                                  \
            case 2: PF_BLK(SUF, OBc, 2); break;                                  \
            case 3: if ((XVc) >= 3) PF_BLK(SUF, OBc, 3); break;                  \
            case 4: if ((XVc) >= 4) PF_BLK(SUF, OBc, 4); break;                  \
            case 5: if ((XVc) >= 5) PF_BLK(SUF, OBc, 5); break;                  \
            case 6: if ((XVc) >= 6) PF_BLK(SUF, OBc, 6); break;                  \
            case 7: if ((XVc) >= 7) PF_BLK(SUF, OBc, 7); break;                  \
            default: if ((XVc) >= 8) PF_BLK(SUF, OBc, 8); break;                 \
            }                                                                    \
        }
    PF_DCONV(f, float, pf_v8f, pf_v8fu, 8)
    PF_DCONV(d, double, pf_v4d, pf_v4du, 4)
    """
    enum: PF_XPAD
    void pf_dconv_row_f(const float** tp, const float* w, Py_ssize_t K, int ob,
                        Py_ssize_t xa, Py_ssize_t nx, const float* bias, float** dst,
                        Py_ssize_t ds) noexcept nogil
    void pf_dconv_row_d(const double** tp, const double* w, Py_ssize_t K, int ob,
                        Py_ssize_t xa, Py_ssize_t nx, const double* bias, double** dst,
                        Py_ssize_t ds) noexcept nogil

cdef enum:
    DEF_OB = 6         # output channels per micro-kernel block
    DEF_XCHUNK = 256   # output positions per x chunk (a multiple of 32)
    DEF_MAXKD = 64     # largest kernel extent along depth / height (taps)
OB = DEF_OB     # (Python: the weight packing in pyfilter/_ops/channel.py)

ctypedef fused real:
    float
    double




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
    # im2col tables: virtual index v along axis a reads map_a[v - vmin[a]]
    # (-1: zero), and tap k2 reads inside the row for positions lo2 <= w < hi2
    Py_ssize_t vmin[3]
    const Py_ssize_t* map0
    const Py_ssize_t* map1
    const Py_ssize_t* map2
    const Py_ssize_t* lo2
    const Py_ssize_t* hi2
    # direct path: offset of x tap k2 inside a polyphase line buffer
    const Py_ssize_t* xoff2


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
    if step == 1:
        mlo = 0 if v0 >= 0 else -v0
        mhi = n - v0 if n - v0 > 0 else 0
    else:
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
    p0..p0+T-1, into dst[(r - r0) * ld + t] (row-major, for unfold).
    ``xg``: the group's first input channel.  Index maps and interior
    ranges come from the tables in ``g`` (built once per call)."""
    cdef Py_ssize_t r, c, k0, k1, k2, rem, a, b, w, t, seg, i0, i1, m, we, lo, hi, o2
    cdef Py_ssize_t no12 = g.no[1] * g.no[2], st2 = g.st[2], j
    cdef const real* pc
    cdef const real* row
    cdef real* d
    for r in range(r0, r1):
        _split_row(g, r, &c, &k0, &k1, &k2)
        pc = xg + c * g.plane_in
        d = dst + (r - r0) * ld
        o2 = g.off2[k2]
        lo = g.lo2[k2]
        hi = g.hi2[k2]
        a = p0 // no12
        rem = p0 - a * no12
        b = rem // g.no[2]
        w = rem - b * g.no[2]
        t = 0
        while t < T:
            seg = g.no[2] - w
            if seg > T - t:
                seg = T - t
            we = w + seg
            i0 = g.map0[a * g.st[0] + g.off0[k0] - g.vmin[0]]
            i1 = g.map1[b * g.st[1] + g.off1[k1] - g.vmin[1]]
            if i0 < 0 or i1 < 0:
                memset(d + t, 0, seg * sizeof(real))
            else:
                row = pc + (i0 * g.ni[1] + i1) * g.ni[2]
                m = w
                while m < we and m < lo:
                    j = g.map2[m * st2 + o2 - g.vmin[2]]
                    d[t + m - w] = row[j] if j >= 0 else 0
                    m = m + 1
                if hi > m:
                    if we < hi:
                        hi = we
                    if st2 == 1:
                        memcpy(d + t + m - w, row + m + o2, (hi - m) * sizeof(real))
                    else:
                        for j in range(m, hi):
                            d[t + j - w] = row[j * st2 + o2]
                    m = hi
                    hi = g.hi2[k2]
                while m < we:
                    j = g.map2[m * st2 + o2 - g.vmin[2]]
                    d[t + m - w] = row[j] if j >= 0 else 0
                    m = m + 1
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


cdef void _store_tile(const Geo* g, const real* ct, Py_ssize_t so, Py_ssize_t stt,
                      real* outg, Py_ssize_t p0, Py_ssize_t T, const real* bias) noexcept nogil:
    """Scatter a tile (element (o, t) at ct[o * so + t * stt]) of job positions
    p0.. into the output planes starting at ``outg`` (channel 0 of the
    group), adding the bias."""
    cdef Py_ssize_t o, a, b, w, t, seg, rem, m, base
    cdef Py_ssize_t no12 = g.no[1] * g.no[2], os2 = g.ostep[2]
    cdef real bo
    cdef const real* s
    cdef real* d
    for o in range(g.Cout_g):
        bo = bias[o] if bias != NULL else 0
        s = ct + o * so
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
            if os2 == 1 and stt == 1:
                for m in range(seg):
                    d[base + m] = s[t + m] + bo
            else:
                for m in range(seg):
                    d[base + m * os2] = s[(t + m) * stt] + bo
            t = t + seg
            w = 0
            b = b + 1
            if b == g.no[1]:
                b = 0
                a = a + 1


cdef int _gemm_units(const Geo* g, const real* x, const real* wm, const real* bias,
                     real* out, Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t T,
                     Py_ssize_t Kc, int path, real* col, real* ct) noexcept nogil:
    """GEMM path for work units u0..u1-1; 0, or -1 without scratch.

    C (Cout_g x T, column-major) = W_g (Cout_g x K) times the im2col tile
    (K x T, row-major), i.e. sgemm('T', 'T') with m = Cout_g: the operand
    layout OpenBLAS packs fastest for these shapes (measured: 65 against
    57 GFLOP/s for the transposed product written straight into the
    output); C is then stored transposed, with the bias, into the output.
    ``col`` (Kc x T) and ``ct`` (Cout_g x T): the thread's scratch."""
    if u1 <= u0:
        return 0
    cdef Py_ssize_t ntiles = (g.P + T - 1) // T
    cdef Py_ssize_t u, tile, rem, gi, n, p0, Tc, kc0, kn, o, t, K = g.K, Cg = g.Cout_g
    cdef real* op
    cdef real* outg
    cdef const real* xg
    cdef const real* wg
    cdef const real* bg
    cdef const real* cs
    cdef real bo
    if ct == NULL or (path == 0 and K > 0 and col == NULL):
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
        wg = wm + gi * Cg * K
        bg = bias + gi * Cg if bias != NULL else NULL
        outg = out + (n * g.Cout + gi * Cg) * g.plane_out
        if K == 0:
            memset(ct, 0, Cg * Tc * sizeof(real))
        elif path == PATH_1X1:
            _gemm(c'T', c'T', <int>Cg, <int>Tc, <int>K, <real>1, wg, <int>K,
                  xg + p0, <int>g.plane_in, <real>0, ct, <int>Cg)
        else:
            kc0 = 0
            while kc0 < K:
                kn = K - kc0
                if kn > Kc:
                    kn = Kc
                _im2col(g, xg, kc0, kc0 + kn, p0, Tc, col, Tc)
                _gemm(c'T', c'T', <int>Cg, <int>Tc, <int>kn, <real>1, wg + kc0, <int>K,
                      col, <int>Tc, <real>(0 if kc0 == 0 else 1), ct, <int>Cg)
                kc0 = kc0 + kn
        if g.dense:
            for o in range(Cg):
                bo = bg[o] if bg != NULL else 0
                op = outg + o * g.plane_out + p0
                cs = ct + o
                for t in range(Tc):
                    op[t] = cs[t * Cg] + bo
        else:
            _store_tile(g, ct, 1, Cg, outg, p0, Tc, bg)
    return 0


cdef inline void _dconv_row(const real** tp, const real* w, Py_ssize_t K, int ob,
                            Py_ssize_t xa, Py_ssize_t nx, const real* bias, real** dst,
                            Py_ssize_t ds) noexcept nogil:
    if real is float:
        pf_dconv_row_f(tp, w, K, ob, xa, nx, bias, dst, ds)
    else:
        pf_dconv_row_d(tp, w, K, ob, xa, nx, bias, dst, ds)


cdef inline void _load_line(const Geo* g, const real* xg, Py_ssize_t c, Py_ssize_t i0,
                            Py_ssize_t vr, real* buf) noexcept nogil:
    """Input line of channel c, depth index i0 (mapped, -1: zeros), virtual
    row vr, over the job's virtual x range, into polyphase planes."""
    cdef Py_ssize_t i1 = g.map1[vr - g.vmin[1]], q, cnt, st2 = g.st[2]
    cdef const real* rowp
    if i0 < 0 or i1 < 0:
        memset(buf, 0, g.lw * sizeof(real))
        return
    rowp = xg + c * g.plane_in + (i0 * g.ni[1] + i1) * g.ni[2]
    for q in range(st2):
        if q >= g.vw:
            break
        cnt = (g.vw - q + st2 - 1) // st2
        _fill_run(buf + q * g.pw, rowp, g.ni[2], g.omin[2] + q, st2, cnt, g.mode[2])


cdef void _direct_band(const Geo* g, const real* xg, const real* wg, const real* bg,
                       Py_ssize_t a, Py_ssize_t h0, Py_ssize_t h1, real* lines,
                       const real** tp, real* dst, Py_ssize_t dco,
                       Py_ssize_t drow, Py_ssize_t dw) noexcept nogil:
    """Direct path: output rows h0..h1-1 at output depth ``a`` of every output
    channel of one (image, group).  ``wg``: the group's weights packed in
    blocks of DEF_OB output channels (block at o: K x ob, tap-major);
    ``lines``: a ring of span[1] line buffers per (input channel, depth tap)
    (zeroed padding: the micro-kernel reads up to PF_XPAD past a row);
    ``dst``: element (channel 0, row h0, x 0) of the destination; ``dco``,
    ``drow``, ``dw``: its channel, row and x strides (elements)."""
    cdef Py_ssize_t K = g.K, LS = g.lw + PF_XPAD, st1 = g.st[1], R = g.span[1]
    cdef Py_ssize_t c, k0, k1, k2, h, t, o, i, j, v, vlo, vnext, xa, xb
    cdef Py_ssize_t nout = g.no[2], nt01 = g.Cin_g * g.nt[0]
    cdef int ob
    cdef real* buf
    cdef real* dp[DEF_OB]
    cdef real zb[DEF_OB]
    cdef Py_ssize_t i0s[DEF_MAXKD]
    cdef Py_ssize_t slot[DEF_MAXKD]
    cdef real bo
    for j in range(DEF_OB):
        zb[j] = 0
    if K == 0:
        for o in range(g.Cout_g):
            bo = bg[o] if bg != NULL else 0
            for h in range(h1 - h0):
                for i in range(nout):
                    dst[o * dco + h * drow + i * dw] = bo
        return
    for k0 in range(g.nt[0]):
        i0s[k0] = g.map0[a * g.st[0] + g.off0[k0] - g.vmin[0]]
    vnext = h0 * st1 + g.omin[1]
    for h in range(h0, h1):
        # load the rows of this output row's window not loaded yet (ring of R)
        vlo = h * st1 + g.omin[1]
        v = vnext if vnext > vlo else vlo
        while v < vlo + R:
            for c in range(g.Cin_g):
                for k0 in range(g.nt[0]):
                    _load_line(g, xg, c, i0s[k0], v,
                               lines + ((c * g.nt[0] + k0) * R + (v - g.vmin[1]) % R) * LS)
            v = v + 1
        vnext = v
        for k1 in range(g.nt[1]):
            slot[k1] = (h * st1 + g.off1[k1] - g.vmin[1]) % R
        t = 0
        for c in range(nt01):
            for k1 in range(g.nt[1]):
                buf = lines + (c * R + slot[k1]) * LS
                for k2 in range(g.nt[2]):
                    tp[t] = buf + g.xoff2[k2]
                    t = t + 1
        # x chunks (cache) outside, blocks of output channels inside
        xa = 0
        while xa < nout:
            xb = xa + DEF_XCHUNK
            if xb > nout:
                xb = nout
            o = 0
            while o < g.Cout_g:
                ob = <int>(g.Cout_g - o)
                if ob > DEF_OB:
                    ob = DEF_OB
                for j in range(ob):
                    dp[j] = dst + (o + j) * dco + (h - h0) * drow
                _dconv_row(tp, wg + o * K, K, ob, xa, xb, bg + o if bg != NULL else zb,
                           dp, dw)
                o = o + ob
            xa = xb


cdef int _direct_units(const Geo* g, const real* x, const real* wm, const real* bias,
                       real* out, Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t bh,
                       real* lines, const real** tp) noexcept nogil:
    """Direct path for units (image, group, output depth, band of bh rows);
    ``lines`` and ``tp``: the thread's scratch (see _direct_scratch)."""
    if u1 <= u0:
        return 0
    if lines == NULL or tp == NULL:
        return -1
    cdef Py_ssize_t nb = (g.no[1] + bh - 1) // bh
    cdef Py_ssize_t u, band, rem, a, gi, n, h0, h1
    cdef real* outg
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
                     a, h0, h1, lines, tp,
                     outg + ((g.obase[0] + a * g.ostep[0]) * g.fo[1] + g.obase[1]
                             + h0 * g.ostep[1]) * g.fo[2] + g.obase[2],
                     g.plane_out, g.ostep[1] * g.fo[2], g.ostep[2])
    return 0


cdef int _separable_units(const Geo* g, const real* x, const real* wdw, const real* bdw,
                          const real* wpw, const real* bpw, Py_ssize_t Cpw, real* out,
                          Py_ssize_t u0, Py_ssize_t u1, Py_ssize_t bh, real* lines,
                          const real** tp, const real** tps, real* S) noexcept nogil:
    """Depthwise then pointwise for units (image, output depth, band of bh
    rows): the depthwise result of the band (all C M channels) goes to the
    thread's tile S; the pointwise 1x1 convolution then reads S as one row
    of Tc positions with C M taps (the same micro-kernel).  ``g`` is the
    depthwise job (dense); ``wpw`` is packed like a direct-path weight (one
    group of Cpw output channels); scratch sizes: see separable()."""
    if u1 <= u0:
        return 0
    if lines == NULL or tp == NULL or tps == NULL or S == NULL:
        return -1
    cdef Py_ssize_t nb = (g.no[1] + bh - 1) // bh
    cdef Py_ssize_t u, band, rem, a, gi, n, h0, h1, Tc, o, t, j, CM, P, xa, xb
    cdef int ob
    cdef real* dp[DEF_OB]
    cdef real zb[DEF_OB]
    CM = g.G * g.Cout_g
    P = g.P
    for j in range(DEF_OB):
        zb[j] = 0
    # pointwise x chunk: its C M tap runs stay in L1 (24 KiB), multiple of 32
    cdef Py_ssize_t xch = (24576 // (CM * <Py_ssize_t>sizeof(real))) // 32 * 32
    if xch < 32:
        xch = 32
    if xch > DEF_XCHUNK:
        xch = DEF_XCHUNK
    # channel stride of the tile: padded so the C M tap streams do not alias
    # in the L1 sets (a multiple of 4 KiB would)
    cdef Py_ssize_t ss = bh * g.no[2] + 48
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
                         a, h0, h1, lines, tp, S + gi * g.Cout_g * ss,
                         ss, g.no[2], 1)
        for t in range(CM):
            tps[t] = S + t * ss
        xa = 0
        while xa < Tc:
            xb = xa + xch
            if xb > Tc:
                xb = Tc
            o = 0
            while o < Cpw:
                ob = <int>(Cpw - o)
                if ob > DEF_OB:
                    ob = DEF_OB
                for j in range(ob):
                    dp[j] = out + (n * Cpw + o + j) * P + (a * g.no[1] + h0) * g.no[2]
                _dconv_row(tps, wpw + o * CM, CM, ob, xa, xb,
                           bpw + o if bpw != NULL else zb, dp, 1)
                o = o + ob
            xa = xb
    return 0


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
cdef struct Job:
    Geo g
    const void* wm            # weights: (G, Cout_g, K), packed for the direct path
    int path
    Py_ssize_t T, Kc, bh, nunits


cdef struct Scratch:
    Py_ssize_t lines, tp, col, ct    # element counts (the largest over the jobs)


cdef int _jobs_range(const Job* jobs, int njobs, const real* x, const real* bias,
                     real* out, Py_ssize_t u0, Py_ssize_t u1, real* lines,
                     const real** tp, real* col, real* ct) noexcept nogil:
    """Units u0..u1-1 of the concatenated unit lists of the jobs."""
    cdef Py_ssize_t base = 0, lo, hi
    cdef int j, failures = 0
    cdef const Job* jb
    for j in range(njobs):
        jb = &jobs[j]
        lo = u0 - base if u0 > base else 0
        hi = u1 - base if u1 < base + jb.nunits else jb.nunits
        if hi > lo:
            if jb.path == PATH_DIRECT:
                failures += _direct_units(&jb.g, x, <const real*>jb.wm, bias, out, lo, hi,
                                          jb.bh, lines, tp) != 0
            else:
                failures += _gemm_units(&jb.g, x, <const real*>jb.wm, bias, out, lo, hi,
                                        jb.T, jb.Kc, jb.path, col, ct) != 0
        base = base + jb.nunits
    return failures


cdef int _run_forward(const Job* jobs, int njobs, const real* x, const real* bias,
                      real* out, int nthreads, const Scratch* sz,
                      Interrupt* intr) noexcept nogil:
    """All jobs of a call in one parallel region.  Each thread allocates its
    scratch once, then takes units one at a time (dynamic schedule: a thread
    that loses its core to another process does not hold the others back).
    Every unit is computed entirely by one thread, in a fixed order, so the
    result does not depend on which thread ran it, nor on their number."""
    cdef Py_ssize_t total = 0, u
    cdef int j, failures = 0
    cdef real* lines = NULL
    cdef const real** tp = NULL
    cdef real* col = NULL
    cdef real* ct = NULL
    for j in range(njobs):
        total = total + jobs[j].nunits
    if nthreads > total:
        nthreads = <int>total
    if nthreads <= 1:
        lines = <real*>calloc(sz.lines, sizeof(real))
        tp = <const real**>malloc(sz.tp * sizeof(real*))
        col = <real*>malloc(sz.col * sizeof(real))
        ct = <real*>malloc(sz.ct * sizeof(real))
        for u in range(total):
            if interrupted(intr):
                break
            failures += _jobs_range(jobs, njobs, x, bias, out, u, u + 1, lines, tp, col, ct)
        free(lines)
        free(tp)
        free(col)
        free(ct)
        return failures
    with parallel(num_threads=nthreads):
        lines = <real*>calloc(sz.lines, sizeof(real))
        tp = <const real**>malloc(sz.tp * sizeof(real*))
        col = <real*>malloc(sz.col * sizeof(real))
        ct = <real*>malloc(sz.ct * sizeof(real))
        for u in prange(total, schedule='dynamic', chunksize=1):
            if not interrupted(intr):
                failures += _jobs_range(jobs, njobs, x, bias, out, u, u + 1, lines, tp, col,
                                        ct)
        free(lines)
        free(tp)
        free(col)
        free(ct)
    return failures


cdef int _run_separable(const Geo* g, const real* x, const real* wdw, const real* bdw,
                        const real* wpw, const real* bpw, Py_ssize_t Cpw, real* out,
                        Py_ssize_t bh, int nthreads, Interrupt* intr) noexcept nogil:
    cdef Py_ssize_t nunits = g.N * g.no[0] * ((g.no[1] + bh - 1) // bh), u
    cdef Py_ssize_t CM = g.G * g.Cout_g
    cdef Py_ssize_t n_lines = g.Cin_g * g.nt[0] * g.span[1] * (g.lw + PF_XPAD) + 1
    cdef Py_ssize_t n_s = CM * (bh * g.no[2] + 48) + PF_XPAD
    cdef int failures = 0
    cdef real* lines = NULL
    cdef const real** tp = NULL
    cdef const real** tps = NULL
    cdef real* S = NULL
    if nthreads > nunits:
        nthreads = <int>nunits
    if nthreads <= 1:
        lines = <real*>calloc(n_lines, sizeof(real))
        tp = <const real**>malloc((g.K + 1) * sizeof(real*))
        tps = <const real**>malloc((CM + 1) * sizeof(real*))
        S = <real*>calloc(n_s, sizeof(real))
        for u in range(nunits):
            if interrupted(intr):
                break
            failures += _separable_units(g, x, wdw, bdw, wpw, bpw, Cpw, out, u, u + 1, bh,
                                         lines, tp, tps, S) != 0
        free(lines)
        free(tp)
        free(tps)
        free(S)
        return failures
    with parallel(num_threads=nthreads):
        lines = <real*>calloc(n_lines, sizeof(real))
        tp = <const real**>malloc((g.K + 1) * sizeof(real*))
        tps = <const real**>malloc((CM + 1) * sizeof(real*))
        S = <real*>calloc(n_s, sizeof(real))
        for u in prange(nunits, schedule='dynamic', chunksize=1):
            if not interrupted(intr):
                failures += _separable_units(g, x, wdw, bdw, wpw, bpw, Cpw, out, u, u + 1,
                                             bh, lines, tp, tps, S) != 0
        free(lines)
        free(tp)
        free(tps)
        free(S)
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
        for j in prange(R, schedule='dynamic', chunksize=1, num_threads=nthreads):
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
cdef object _setup(Geo* g, const Py_ssize_t* xshape, const Py_ssize_t* oshape,
                   Py_ssize_t groups, Py_ssize_t Cout,
                   const Py_ssize_t* no, const Py_ssize_t* step, tuple offs, const Py_ssize_t* modes,
                   const Py_ssize_t* ostep, const Py_ssize_t* obase):
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
            g.omin[a] = int(np.min(arrs[a]))
            g.span[a] = int(np.max(arrs[a])) - g.omin[a] + 1
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
    g.dense = (ostep[0] == 1 and ostep[1] == 1 and ostep[2] == 1 and obase[0] == 0
               and obase[1] == 0 and obase[2] == 0 and g.no[0] == g.fo[0]
               and g.no[1] == g.fo[1] and g.no[2] == g.fo[2] and g.P < 2 ** 31)
    g.vw = (g.no[2] - 1) * g.st[2] + g.span[2]
    g.pw = (g.vw + g.st[2] - 1) // g.st[2]
    g.lw = g.pw * g.st[2]
    # index maps over each axis's virtual range, interior ranges per x tap
    maps = []
    for a in range(3):
        g.vmin[a] = g.omin[a]
        vmax = (g.no[a] - 1) * g.st[a] + g.omin[a] + g.span[a] - 1 if g.no[a] else g.omin[a]
        maps.append(map_table(g.vmin[a], max(vmax, g.vmin[a]), g.ni[a], g.mode[a]))
    lo2 = np.zeros(max(1, g.nt[2]), dtype=np.intp)
    hi2 = np.zeros(max(1, g.nt[2]), dtype=np.intp)
    xoff2 = np.zeros(max(1, g.nt[2]), dtype=np.intp)
    for a in range(g.nt[2]):
        o = int(arrs[2][a])
        xoff2[a] = ((o - g.omin[2]) % g.st[2]) * g.pw + (o - g.omin[2]) // g.st[2]
        # positions w with 0 <= w * st + o < n
        lo = 0 if o >= 0 else (-o + g.st[2] - 1) // g.st[2]
        hi = 0 if g.ni[2] - 1 - o < 0 else (g.ni[2] - 1 - o) // g.st[2] + 1
        hi = min(hi, g.no[2])
        lo2[a] = min(lo, hi)
        hi2[a] = hi
    g.map0 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>maps[0])
    g.map1 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>maps[1])
    g.map2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>maps[2])
    g.lo2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>lo2)
    g.hi2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>hi2)
    g.xoff2 = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>xoff2)
    return arrs + maps + [lo2, hi2, xoff2]




cdef struct JobCfg:
    int path                  # PATH_*
    Py_ssize_t T              # GEMM: output positions per tile
    Py_ssize_t Kc             # GEMM: im2col rows per chunk
    Py_ssize_t bh             # direct: output rows per unit


cdef class JobSpec:
    """One job of :func:`forward` (see the module comment), typed: packed
    weights ``wm`` (G, Cout_g, K) C-contiguous in the call's float dtype,
    per spatial axis (D, H, W) the output positions ``no``, input steps
    ``step``, tap offsets ``offs`` (three intp arrays), boundary ``modes``,
    output steps ``ostep`` and bases ``obase``; ``cfg`` the path and tiles."""
    cdef readonly object wm
    cdef readonly tuple offs
    cdef Py_ssize_t no[3]
    cdef Py_ssize_t step[3]
    cdef Py_ssize_t modes[3]
    cdef Py_ssize_t ostep[3]
    cdef Py_ssize_t obase[3]
    cdef JobCfg cfg

    def __init__(self, cnp.ndarray wm, const Py_ssize_t[::1] no, const Py_ssize_t[::1] step,
                 tuple offs, const Py_ssize_t[::1] modes, const Py_ssize_t[::1] ostep,
                 const Py_ssize_t[::1] obase, JobCfg cfg):
        cdef int a
        if (no.shape[0] != 3 or step.shape[0] != 3 or modes.shape[0] != 3
                or ostep.shape[0] != 3 or obase.shape[0] != 3 or len(offs) != 3):
            raise ValueError("JobSpec: three entries per axis")
        if not cnp.PyArray_IS_C_CONTIGUOUS(wm):
            raise ValueError("JobSpec: wm must be C-contiguous")
        self.wm = wm
        self.offs = tuple(np.ascontiguousarray(o, dtype=np.intp) for o in offs)
        for a in range(3):
            self.no[a] = no[a]
            self.step[a] = step[a]
            self.modes[a] = modes[a]
            self.ostep[a] = ostep[a]
            self.obase[a] = obase[a]
        self.cfg = cfg


cdef inline void* _ptr(object a):
    return cnp.PyArray_DATA(<cnp.ndarray>a)


cdef const Py_ssize_t* _p3(const Py_ssize_t[::1] v) except NULL:
    if v.shape[0] != 3:
        raise ValueError("three entries per axis expected")
    return &v[0]


cdef inline void* _opt(object a):
    return _ptr(a) if a is not None else NULL


def forward(cnp.ndarray x, list jobs, object bias, cnp.ndarray out, Py_ssize_t groups,
            int nthreads):
    """Run ``jobs`` (:class:`JobSpec`) in one parallel region.  ``x`` (N, C,
    D, H, W), ``bias`` (Cout,) or None, ``out`` (N, Cout, D', H', W'); all
    C-contiguous of one float dtype."""
    cdef int njobs = len(jobs), j, status = 0
    cdef Job* jb = <Job*>calloc(max(njobs, 1), sizeof(Job))
    if jb == NULL:
        raise MemoryError()
    keep = []
    cdef Job* p
    cdef JobSpec js
    cdef Scratch sz
    cdef Interrupt intr
    sz.lines = sz.tp = sz.col = sz.ct = 1
    intr.stop = 0
    cdef void* bp = NULL
    cdef void* p_out
    cdef void* p_x
    try:
        for j in range(njobs):
            js = <JobSpec?>jobs[j]
            p = &jb[j]
            keep.append(_setup(&p.g, <const Py_ssize_t*>x.shape, <const Py_ssize_t*>out.shape,
                               groups, out.shape[1], js.no, js.step, js.offs, js.modes,
                               js.ostep, js.obase))
            if js.cfg.path == PATH_DIRECT and max(p.g.nt[0], p.g.nt[1]) > DEF_MAXKD:
                raise ValueError(f"the direct path supports at most {DEF_MAXKD} taps along "
                                 "depth and height")
            p.wm = _ptr(js.wm)
            p.path = js.cfg.path
            p.T = js.cfg.T
            p.Kc = js.cfg.Kc
            p.bh = js.cfg.bh
            if p.g.P == 0 or p.g.N == 0 or p.g.Cout == 0:
                p.nunits = 0
            elif p.path == PATH_DIRECT:
                p.nunits = p.g.N * p.g.G * p.g.no[0] * ((p.g.no[1] + p.bh - 1) // p.bh)
                sz.lines = max(sz.lines, p.g.Cin_g * p.g.nt[0] * p.g.span[1]
                               * (p.g.lw + PF_XPAD) + 1)
                sz.tp = max(sz.tp, p.g.K + 1)
            else:
                p.nunits = p.g.N * p.g.G * ((p.g.P + p.T - 1) // p.T)
                sz.col = max(sz.col, p.Kc * p.T + 1)
                sz.ct = max(sz.ct, p.g.Cout_g * p.T + 1)
        bp = _opt(bias)
        p_out = _ptr(out)
        p_x = _ptr(x)
        interrupt_init(&intr)
        if x.dtype == np.float32:
            with nogil:
                status = _run_forward(jb, njobs, <const float*>p_x, <const float*>bp,
                                      <float*>p_out, nthreads, &sz, &intr)
        else:
            with nogil:
                status = _run_forward(jb, njobs, <const double*>p_x, <const double*>bp,
                                      <double*>p_out, nthreads, &sz, &intr)
    finally:
        free(jb)
    del keep
    check_interrupt(&intr)
    if status:
        raise MemoryError("pyfilter: out of memory for the convolution scratch buffers")
    return out


cdef Py_ssize_t[3] _ONES = [1, 1, 1]
cdef Py_ssize_t[3] _ZEROS = [0, 0, 0]


def separable(cnp.ndarray x, cnp.ndarray wdw, object bdw, cnp.ndarray wpw, object bpw,
              cnp.ndarray out, Py_ssize_t mult, const Py_ssize_t[::1] no,
              const Py_ssize_t[::1] step, tuple offs, const Py_ssize_t[::1] modes,
              Py_ssize_t bh, int nthreads):
    """Depthwise job (groups = C, multiplier ``mult``, weights ``wdw`` (C, mult,
    taps)) fused with the pointwise 1x1 convolution ``wpw`` (packed, Cout x C * mult)."""
    cdef Geo g
    cdef Py_ssize_t[5] oshape
    cdef const Py_ssize_t* pno = _p3(no)
    oshape[0] = x.shape[0]
    oshape[1] = x.shape[1] * mult
    oshape[2], oshape[3], oshape[4] = pno[0], pno[1], pno[2]
    keep = _setup(&g, <const Py_ssize_t*>x.shape, oshape, x.shape[1], x.shape[1] * mult, pno,
                  _p3(step), offs, _p3(modes), _ONES, _ZEROS)
    cdef int status
    cdef void* bdp = _opt(bdw)
    cdef void* bpp = _opt(bpw)
    cdef Py_ssize_t Cpw = out.shape[1]
    if g.P == 0 or g.N == 0 or Cpw == 0:
        return out
    cdef void* p_out = _ptr(out)
    cdef void* p_wdw = _ptr(wdw)
    cdef void* p_wpw = _ptr(wpw)
    cdef void* p_x = _ptr(x)
    cdef Interrupt intr
    interrupt_init(&intr)
    if x.dtype == np.float32:
        with nogil:
            status = _run_separable(&g, <const float*>p_x, <const float*>p_wdw,
                                    <const float*>bdp, <const float*>p_wpw,
                                    <const float*>bpp, Cpw, <float*>p_out, bh, nthreads,
                                    &intr)
    else:
        with nogil:
            status = _run_separable(&g, <const double*>p_x, <const double*>p_wdw,
                                    <const double*>bdp, <const double*>p_wpw,
                                    <const double*>bpp, Cpw, <double*>p_out, bh,
                                    nthreads, &intr)
    del keep
    check_interrupt(&intr)
    if status:
        raise MemoryError("pyfilter: out of memory for the convolution scratch buffers")
    return out


def weight_grad(cnp.ndarray x, cnp.ndarray gout, cnp.ndarray dw, Py_ssize_t groups,
                const Py_ssize_t[::1] no, const Py_ssize_t[::1] step, tuple offs,
                const Py_ssize_t[::1] modes, Py_ssize_t T, Py_ssize_t Kc, Py_ssize_t R,
                int nthreads):
    """dw (G, Cout_g, K) = sum over images and positions of grad_output times
    the im2col matrix of ``x``; ``gout`` (N, Cout, *no) C-contiguous."""
    cdef Geo g
    keep = _setup(&g, <const Py_ssize_t*>x.shape, <const Py_ssize_t*>gout.shape, groups,
                  gout.shape[1], _p3(no), _p3(step), offs, _p3(modes), _ONES, _ZEROS)
    cdef int status
    parts = np.zeros((max(R, 1),) + (<object>dw).shape, dtype=dw.dtype)
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


def unfold(cnp.ndarray x, cnp.ndarray cols, const Py_ssize_t[::1] no,
           const Py_ssize_t[::1] step, tuple offs, const Py_ssize_t[::1] modes, int nthreads):
    """im2col of the whole batch: cols (N, C * taps, P)."""
    cdef Geo g
    cdef Py_ssize_t[5] oshape
    cdef const Py_ssize_t* pno = _p3(no)
    oshape[0], oshape[1] = x.shape[0], x.shape[1]
    oshape[2], oshape[3], oshape[4] = pno[0], pno[1], pno[2]
    keep = _setup(&g, <const Py_ssize_t*>x.shape, oshape, 1, x.shape[1], pno, _p3(step),
                  offs, _p3(modes), _ONES, _ZEROS)
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


def fold(cnp.ndarray cols, cnp.ndarray out, const Py_ssize_t[::1] no,
         const Py_ssize_t[::1] step, tuple offs, int nthreads):
    """col2im, the adjoint of unfold (zero padding): out (N, C, D, H, W)."""
    cdef Geo g
    cdef Py_ssize_t[5] oshape
    cdef const Py_ssize_t* pno = _p3(no)
    oshape[0], oshape[1] = out.shape[0], out.shape[1]
    oshape[2], oshape[3], oshape[4] = pno[0], pno[1], pno[2]
    keep = _setup(&g, <const Py_ssize_t*>out.shape, oshape, 1, out.shape[1], pno, _p3(step),
                  offs, _ZEROS, _ONES, _ZEROS)
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
