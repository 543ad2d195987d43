# N-D correlation engine.
#
# out[o] = sum_t w[t] * x~[o * s + b + k_t * d]      (per axis, x~ extended
#                                                     by the boundary mode)
# for every output index o, where k_t is the kernel index of tap t, s the
# stride, d the dilation and b the base offset of each axis.  'same' /
# 'valid' / 'full' output shapes, scipy's origins and convolution are all
# expressed through b (and a reversed kernel) by the Python layer.
#
# Layout of the computation (see PERF.md):
#   * Lines run along the last axis ("x"); optionally the last axis is an
#     unfiltered "inner" block (e.g. RGB channels) and lines run along the
#     axis before it, so short trailing axes still vectorise.
#   * Each thread owns a contiguous band of output lines (first touch).
#   * Input lines are converted once into per-thread padded line buffers
#     (boundary along x done while loading) held in a ring indexed by the
#     virtual outer indices, so a line is loaded once per band however many
#     kernel rows read it.  Strided output along x is handled by storing the
#     line buffer in s polyphase planes, so every tap reads contiguously.
#   * Taps are applied to L1-sized chunks in groups of up to 8, accumulating
#     in tap order (deterministic, independent of the thread count).
# No padded copy of the input is made; peak extra memory is
# O(threads x ring lines x line length).

include "_convert.pxi"

cimport cython
from cython.parallel cimport prange, parallel
from libc.stdlib cimport malloc, free
from libc.string cimport memset
cimport numpy as cnp
import numpy as np

from pyfilter._cext._omp cimport omp_get_thread_num
from pyfilter._cext._boundary cimport map_index

cnp.import_array()

_CHUNK_BYTES = 8192   # accumulator chunk: stays in L1


cdef struct Plan:
    int nout                      # number of outer axes (before the line axis)
    const char* inp
    int in_tc
    char* out
    int out_tc
    # outer axes, each array has nout entries
    const Py_ssize_t* o_shape     # output extent
    const Py_ssize_t* o_ostr      # output byte stride
    const Py_ssize_t* o_istr      # input byte stride
    const Py_ssize_t* o_s         # stride
    const Py_ssize_t* o_d         # dilation
    const Py_ssize_t* o_b         # base offset
    const Py_ssize_t* o_ring      # ring size (ring mode) or kernel size
    const Py_ssize_t* o_mul       # slot multiplier
    const Py_ssize_t* o_map       # concatenated maps virtual -> actual/-1
    const Py_ssize_t* o_mapoff    # start of each axis's map
    bint ring_mode
    # rows = distinct outer kernel index tuples, taps
    Py_ssize_t nrows
    const Py_ssize_t* row_k       # nrows x nout
    Py_ssize_t ntaps
    const Py_ssize_t* tap_row
    const Py_ssize_t* tap_kx
    const void* tap_w
    Py_ssize_t ngroups
    const Py_ssize_t* grp_k       # taps in each group
    const Py_ssize_t* grp_set     # 1: the group initialises the accumulator
    # line axis
    Py_ssize_t nx_out, sx, dx, kx, bx, n_x, x_istr, x_ostr
    const Py_ssize_t* x_map       # virtual x (from bx) -> actual/-1
    Py_ssize_t inner, c_istr, c_ostr   # inner block (1 when absent)
    Py_ssize_t tile_w, ntiles, nlines
    Py_ssize_t nslots, slot_len, chunk
    int nbands


cdef inline void _g_set(ctype* acc, const ctype** p, const ctype* w,
                        Py_ssize_t c0, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    cdef Py_ssize_t i
    cdef const ctype* p0
    cdef const ctype* p1
    cdef const ctype* p2
    cdef const ctype* p3
    cdef ctype w0, w1, w2, w3, a
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
            acc[i] = a + w1 * p1[i]
        return
    p2 = p[2] + c0
    w2 = w[2]
    if k == 3:
        for i in range(n):
            a = w0 * p0[i]
            a = a + w1 * p1[i]
            acc[i] = a + w2 * p2[i]
        return
    p3 = p[3] + c0
    w3 = w[3]
    for i in range(n):
        a = w0 * p0[i]
        a = a + w1 * p1[i]
        a = a + w2 * p2[i]
        acc[i] = a + w3 * p3[i]


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
            acc[i] = acc[i] + w0 * p0[i]
        return
    p1 = p[1] + c0
    w1 = w[1]
    if k == 2:
        for i in range(n):
            a = acc[i] + w0 * p0[i]
            acc[i] = a + w1 * p1[i]
        return
    p2 = p[2] + c0
    w2 = w[2]
    if k == 3:
        for i in range(n):
            a = acc[i] + w0 * p0[i]
            a = a + w1 * p1[i]
            acc[i] = a + w2 * p2[i]
        return
    p3 = p[3] + c0
    w3 = w[3]
    if k == 4:
        for i in range(n):
            a = acc[i] + w0 * p0[i]
            a = a + w1 * p1[i]
            a = a + w2 * p2[i]
            acc[i] = a + w3 * p3[i]
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
        a = acc[i] + w0 * p0[i]
        a = a + w1 * p1[i]
        a = a + w2 * p2[i]
        a = a + w3 * p3[i]
        a = a + w4 * p4[i]
        a = a + w5 * p5[i]
        a = a + w6 * p6[i]
        acc[i] = a + w7 * p7[i]


cdef void _load_line(const Plan* pl, ctype* buf, const char* src,
                     Py_ssize_t v0, Py_ssize_t nv, Py_ssize_t P,
                     ctype cval) noexcept nogil:
    """Fill ``buf`` with virtual x positions v0 .. v0+nv-1 of one line.

    Position v0 + q + m*sx goes to buf[(q*P + m)*inner + c] (polyphase
    planes q < sx); ``src`` is NULL for a line outside the array in
    'constant' mode.
    """
    cdef Py_ssize_t q, m, mlo, mhi, cnt, v, j, c, sx = pl.sx
    cdef Py_ssize_t inner = pl.inner, n = pl.n_x
    cdef ctype* b
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
            if inner == 1:
                load_run(b + mlo, 1, src + (v + mlo * sx) * pl.x_istr,
                         sx * pl.x_istr, mhi - mlo, pl.in_tc)
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


cdef int _band(const Plan* pl, int band, ctype cval) noexcept nogil:
    """Compute the output lines of one band; 0 on success, -1 if out of memory."""
    cdef Py_ssize_t nout = pl.nout, nunits = pl.nlines * pl.ntiles
    cdef Py_ssize_t u0 = nunits * band // pl.nbands
    cdef Py_ssize_t u1 = nunits * (band + 1) // pl.nbands
    if u1 <= u0:
        return 0
    cdef Py_ssize_t slot_len = pl.slot_len, inner = pl.inner
    cdef ctype* slots = <ctype*>malloc(pl.nslots * slot_len * sizeof(ctype))
    cdef ctype* accbuf = <ctype*>malloc(pl.chunk * inner * sizeof(ctype))
    cdef Py_ssize_t* tags = <Py_ssize_t*>malloc(pl.nslots * (nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* o = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* vr = <Py_ssize_t*>malloc((nout + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* rowslot = <Py_ssize_t*>malloc((pl.nrows + 1) * sizeof(Py_ssize_t))
    cdef const ctype** tp = <const ctype**>malloc((pl.ntaps + 1) * sizeof(ctype*))
    cdef int status = 0
    cdef Py_ssize_t u, a, r, t, rem, slot, v, j, cur_tile, xo0, nxo, vx0, nv, P
    cdef Py_ssize_t c0, nn, g, jt, off, ioff
    cdef bint hit, direct, outside
    cdef const char* src
    cdef char* dst
    cdef ctype* acc
    cdef const ctype* w = <const ctype*>pl.tap_w
    cdef int ctc = ctype_code(<ctype*>NULL)
    if (slots == NULL or accbuf == NULL or tags == NULL or o == NULL or vr == NULL
            or rowslot == NULL or tp == NULL):
        status = -1
    else:
        for a in range(pl.nslots * (nout + 1)):
            tags[a] = -1
        for a in range(pl.nslots):
            tags[a * (nout + 1) + nout] = -1   # tile of the line in the slot
        # decode the first unit's outer multi-index
        rem = u0 % pl.nlines
        for a in range(nout - 1, -1, -1):
            o[a] = rem % pl.o_shape[a]
            rem = rem // pl.o_shape[a]
        for u in range(u0, u1):
            t = u // pl.nlines
            xo0 = t * pl.tile_w
            nxo = pl.nx_out - xo0
            if nxo > pl.tile_w:
                nxo = pl.tile_w
            vx0 = xo0 * pl.sx + pl.bx
            nv = (nxo - 1) * pl.sx + (pl.kx - 1) * pl.dx + 1
            P = (nv + pl.sx - 1) // pl.sx
            # make sure every kernel row's input line is in its slot
            for r in range(pl.nrows):
                slot = 0
                outside = False
                ioff = 0
                for a in range(nout):
                    v = o[a] * pl.o_s[a] + pl.o_b[a] + pl.row_k[r * nout + a] * pl.o_d[a]
                    vr[a] = v
                    if pl.ring_mode:
                        slot = slot + ((v - pl.o_b[a]) % pl.o_ring[a]) * pl.o_mul[a]
                    else:
                        slot = slot + pl.row_k[r * nout + a] * pl.o_mul[a]
                vr[nout] = t
                hit = True
                for a in range(nout + 1):
                    if tags[slot * (nout + 1) + a] != vr[a]:
                        hit = False
                        break
                if not hit:
                    for a in range(nout):
                        j = pl.o_map[pl.o_mapoff[a] + vr[a] - pl.o_b[a]]
                        if j < 0:
                            outside = True
                            break
                        ioff = ioff + j * pl.o_istr[a]
                    src = NULL if outside else pl.inp + ioff
                    _load_line(pl, slots + slot * slot_len, src, vx0, nv, P, cval)
                    for a in range(nout + 1):
                        tags[slot * (nout + 1) + a] = vr[a]
                rowslot[r] = slot
            for jt in range(pl.ntaps):
                off = pl.tap_kx[jt] * pl.dx
                tp[jt] = (slots + rowslot[pl.tap_row[jt]] * slot_len
                          + ((off % pl.sx) * P + off // pl.sx) * inner)
            dst = pl.out + xo0 * pl.x_ostr
            for a in range(nout):
                dst = dst + o[a] * pl.o_ostr[a]
            direct = (pl.out_tc == ctc and pl.c_ostr == <Py_ssize_t>sizeof(ctype)
                      and pl.x_ostr == inner * <Py_ssize_t>sizeof(ctype))
            c0 = 0
            while c0 < nxo * inner:
                nn = nxo * inner - c0
                if nn > pl.chunk * inner:
                    nn = pl.chunk * inner
                acc = (<ctype*>dst) + c0 if direct else accbuf
                jt = 0
                for g in range(pl.ngroups):
                    if pl.grp_set[g]:
                        _g_set(acc, tp + jt, w + jt, c0, nn, pl.grp_k[g])
                    else:
                        _g_acc(acc, tp + jt, w + jt, c0, nn, pl.grp_k[g])
                    jt = jt + pl.grp_k[g]
                if not direct:
                    if inner == 1:
                        store_run(dst + c0 * pl.x_ostr, pl.x_ostr, accbuf, nn, pl.out_tc)
                    else:
                        # c0 is a multiple of inner: whole positions
                        for j in range(nn // inner):
                            store_run(dst + (c0 // inner + j) * pl.x_ostr, pl.c_ostr,
                                      accbuf + j * inner, inner, pl.out_tc)
                c0 = c0 + nn
            # next outer multi-index
            for a in range(nout - 1, -1, -1):
                o[a] += 1
                if o[a] < pl.o_shape[a]:
                    break
                o[a] = 0
    free(slots)
    free(accbuf)
    free(tags)
    free(o)
    free(vr)
    free(rowslot)
    free(tp)
    return status


cdef int _run(const Plan* pl, ctype cval, int nthreads) noexcept nogil:
    """Run every band; returns the number of bands that ran out of memory."""
    cdef int band, failures = 0
    if nthreads <= 1 or pl.nbands <= 1:
        for band in range(pl.nbands):
            failures += _band(pl, band, cval) != 0
        return failures
    for band in prange(pl.nbands, schedule='static', chunksize=1,
                       num_threads=nthreads):
        failures += _band(pl, band, cval) != 0
    return failures


def _groups(Py_ssize_t ntaps):
    """Tap groups: one initialising group of <= 4 taps, then groups of 8."""
    ks, sets = [], []
    if ntaps == 0:
        return [0], [1]
    f = (ntaps - 1) % 8 + 1
    if f <= 4:
        ks.append(f); sets.append(1)
    else:
        ks += [f - 4, 4]; sets += [1, 0]
    ks += [8] * ((ntaps - f) // 8)
    sets += [0] * ((ntaps - f) // 8)
    return ks, sets


def _map_table(Py_ssize_t vlo, Py_ssize_t vhi, Py_ssize_t n, int mode):
    cdef Py_ssize_t v
    tab = np.empty(max(vhi - vlo + 1, 1), dtype=np.intp)
    cdef Py_ssize_t[::1] t = tab
    for v in range(vlo, vhi + 1):
        t[v - vlo] = map_index(v, n, mode)
    return tab


def correlate(inp, out, weights, stride, dilation, base, modes, cval,
              int in_tc, int out_tc, int nthreads, keep=None,
              Py_ssize_t inner_axis=0):
    """Run the engine (validated arguments only; see pyfilter._core).

    ``inp``/``out``: arrays of the same ndim (any strides, native byte
    order, type codes ``in_tc``/``out_tc``); ``weights``: C-contiguous
    float32, float64 or complex128 array of that ndim (the compute type);
    ``stride``, ``dilation``, ``base``, ``modes``: one int per axis;
    ``keep``: None, or a bool array of the kernel's shape selecting the
    taps to apply (the others are skipped, as scipy skips tiny weights);
    ``inner_axis``: 1 to treat an unfiltered last axis as an inner block.
    """
    cdef int ndim = inp.ndim
    cdef Plan pl
    cdef int lax = ndim - 1 - inner_axis          # line axis
    cdef Py_ssize_t a, i, r
    w = weights
    kshape = w.shape[:ndim]
    nout = lax
    # outer axes
    o_shape = np.array([out.shape[a] for a in range(nout)] + [1], dtype=np.intp)
    o_ostr = np.array([out.strides[a] for a in range(nout)] + [0], dtype=np.intp)
    o_istr = np.array([inp.strides[a] for a in range(nout)] + [0], dtype=np.intp)
    o_s = np.array([stride[a] for a in range(nout)] + [1], dtype=np.intp)
    o_d = np.array([dilation[a] for a in range(nout)] + [1], dtype=np.intp)
    o_b = np.array([base[a] for a in range(nout)] + [0], dtype=np.intp)
    spans = [(kshape[a] - 1) * dilation[a] + 1 for a in range(nout)]
    line_len = (out.shape[lax] - 1) * stride[lax] + (kshape[lax] - 1) * dilation[lax] + 1
    slot_len = (line_len + stride[lax]) * (inp.shape[ndim - 1] if inner_axis else 1)
    itemsize = w.itemsize
    nslots_ring = int(np.prod(spans)) if nout else 1
    ring_mode = nslots_ring * slot_len * itemsize <= (32 << 20)
    ring = spans if ring_mode else [kshape[a] for a in range(nout)]
    o_ring = np.array(list(ring) + [1], dtype=np.intp)
    mul = []
    m = 1
    for a in range(nout - 1, -1, -1):
        mul.append(m)
        m *= ring[a]
    nslots = m
    o_mul = np.array(mul[::-1] + [0], dtype=np.intp)
    maps, offs, pos = [], [], 0
    for a in range(nout):
        vhi = (out.shape[a] - 1) * stride[a] + base[a] + (kshape[a] - 1) * dilation[a]
        tab = _map_table(base[a], vhi, inp.shape[a], modes[a])
        maps.append(tab)
        offs.append(pos)
        pos += tab.shape[0]
    o_map = np.concatenate(maps) if maps else np.zeros(1, dtype=np.intp)
    o_mapoff = np.array(offs + [0], dtype=np.intp)
    x_map = _map_table(base[lax], base[lax] + (out.shape[lax] - 1) * stride[lax]
                       + (kshape[lax] - 1) * dilation[lax], inp.shape[lax], modes[lax])
    # taps in C order of the kernel; rows are the distinct outer indices
    wflat = w.reshape(-1) if inner_axis == 0 else w.reshape(w.shape[:lax + 1]).reshape(-1)
    kidx = np.indices(kshape[:lax + 1]).reshape(lax + 1, -1).T
    if keep is None:
        keepflat = np.ones(wflat.shape[0], dtype=bool)
    else:
        keepflat = np.asarray(keep, dtype=bool).reshape(-1)
    kidx = kidx[keepflat]
    tap_w = np.ascontiguousarray(wflat[keepflat])
    rows = {}
    tap_row = np.empty(kidx.shape[0], dtype=np.intp)
    row_k = []
    for i in range(kidx.shape[0]):
        key = tuple(int(k) for k in kidx[i, :nout])
        if key not in rows:
            rows[key] = len(rows)
            row_k.extend(key)
        tap_row[i] = rows[key]
    tap_kx = np.ascontiguousarray(kidx[:, nout], dtype=np.intp) if kidx.shape[0] else np.zeros(1, dtype=np.intp)
    row_k_a = np.array(row_k + [0], dtype=np.intp)
    ntaps = kidx.shape[0]
    nrows = len(rows)
    if nrows == 0:
        nrows = 0
    gk, gs = _groups(ntaps)
    grp_k = np.array(gk, dtype=np.intp)
    grp_s = np.array(gs, dtype=np.intp)
    if ntaps == 0:
        tap_w = np.zeros(1, dtype=w.dtype)
        tap_row = np.zeros(1, dtype=np.intp)
    # work split: lines (and tiles along x when there are few lines)
    nlines = int(np.prod(out.shape[:nout])) if nout else 1
    nx_out = out.shape[lax]
    inner = inp.shape[ndim - 1] if inner_axis else 1
    chunk = max(8, _CHUNK_BYTES // (itemsize * inner))
    ntiles = 1
    if nthreads > 1 and nlines < 4 * nthreads and nx_out >= 2048:
        ntiles = min(4 * nthreads, nx_out // 1024)
    tile_w = (nx_out + ntiles - 1) // ntiles
    ntiles = (nx_out + tile_w - 1) // tile_w
    nbands = max(1, min(nthreads, nlines * ntiles))
    # keep references alive for the nogil call
    keep_alive = (o_shape, o_ostr, o_istr, o_s, o_d, o_b, o_ring, o_mul, o_map,
                  o_mapoff, row_k_a, tap_row, tap_kx, tap_w, grp_k, grp_s, x_map)
    pl.nout = nout
    pl.inp = <const char*>cnp.PyArray_DATA(<cnp.ndarray>inp)
    pl.in_tc = in_tc
    pl.out = <char*>cnp.PyArray_DATA(<cnp.ndarray>out)
    pl.out_tc = out_tc
    pl.o_shape = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_shape)
    pl.o_ostr = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_ostr)
    pl.o_istr = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_istr)
    pl.o_s = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_s)
    pl.o_d = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_d)
    pl.o_b = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_b)
    pl.o_ring = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_ring)
    pl.o_mul = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_mul)
    pl.o_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_map)
    pl.o_mapoff = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>o_mapoff)
    pl.ring_mode = ring_mode
    pl.nrows = nrows
    pl.row_k = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>row_k_a)
    pl.ntaps = ntaps
    pl.tap_row = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tap_row)
    pl.tap_kx = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>tap_kx)
    pl.tap_w = <const void*>cnp.PyArray_DATA(<cnp.ndarray>tap_w)
    pl.ngroups = grp_k.shape[0]
    pl.grp_k = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>grp_k)
    pl.grp_set = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>grp_s)
    pl.nx_out = nx_out
    pl.sx = stride[lax]
    pl.dx = dilation[lax]
    pl.kx = kshape[lax]
    pl.bx = base[lax]
    pl.n_x = inp.shape[lax]
    pl.x_istr = inp.strides[lax]
    pl.x_ostr = out.strides[lax]
    pl.x_map = <const Py_ssize_t*>cnp.PyArray_DATA(<cnp.ndarray>x_map)
    pl.inner = inner
    pl.c_istr = inp.strides[ndim - 1] if inner_axis else 0
    pl.c_ostr = out.strides[ndim - 1] if inner_axis else w.itemsize
    pl.tile_w = tile_w
    pl.ntiles = ntiles
    pl.nlines = nlines
    pl.nslots = nslots
    pl.slot_len = slot_len
    pl.chunk = chunk
    pl.nbands = nbands
    cdef int status
    cdef float cf
    cdef double cd
    cdef cdouble_t cc
    if w.dtype == np.float32:
        cf = cval
        with nogil:
            status = _run(&pl, cf, nthreads)
    elif w.dtype == np.float64:
        cd = cval
        with nogil:
            status = _run(&pl, cd, nthreads)
    else:
        cc = cval
        with nogil:
            status = _run(&pl, cc, nthreads)
    del keep_alive
    if status != 0:
        raise MemoryError("pyfilter: out of memory for the correlation buffers")
    return out
