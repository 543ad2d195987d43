"""The channel-engine op: the CNN layers' jobs (direct register-blocked
kernel or BLAS im2col tiles), their paths and tiles, transposed
convolution as a gather, and the engine calls
(``pyfilter/_cext/channel.pxi``).  Arrays arrive validated, float32 or
float64, (N, C, *spatial).

Threads: OpenMP threads (``workers``) each run single-threaded BLAS on
their own im2col tiles; while a GEMM-based call runs, the BLAS pools are
capped to one thread (pyfilter/_common/blas.py), so BLAS threads and
OpenMP threads never compete for the cores.
"""
import itertools
import math

import numpy as np

from .._common import codes as C
from .._common import workers as W
from .._common.blas import single_thread as _blas_single_thread
from .._cext import engine

PATH_GEMM, PATH_DIRECT, PATH_1X1 = C.PATH_GEMM, C.PATH_DIRECT, C.PATH_1X1

# Tiles and scratch budgets (bytes, per thread).
_GEMM_T = 512
_GEMM_KC = 512
_SEP_BUDGET = 256 << 10
_WGRAD_PARTS_BUDGET = 64 << 20
_MIN_UNITS = 8          # split small problems into at least this many units
_MAX_KD = 64            # direct path: largest kernel extent along depth / height


def _engine():
    return engine("channel")



# ---------------------------------------------------------------- geometry
def as5d(x, nsp):
    """(N, C, *spatial) -> (N, C, D, H, W) view with unit leading axes."""
    return x.reshape(x.shape[:2] + (1,) * (3 - nsp) + x.shape[2:])


def pad3(vals, fill):
    return [fill] * (3 - len(vals)) + list(vals)


def tiles(K, P, units_outer, itemsize):
    """GEMM tile: (T positions, Kc rows per im2col chunk), from the shape only
    (never the thread count, so results do not depend on it).  T = 512 and
    Kc = 512 (a 1 MiB float32 tile) measured best for the large-channel
    layers this path serves (512 -> 512 3x3 on 56^2: 79 GFLOP/s against
    55-70 for other sizes)."""
    T = _GEMM_T
    per = math.ceil(_MIN_UNITS / max(1, units_outer))
    if per > 1:
        T = min(T, max(32, math.ceil(P / per)))
    T = max(16, (T + 15) // 16 * 16) if T < P else max(1, P)
    return int(T), int(max(1, min(K, _GEMM_KC)))


def pack_direct(wm):
    """(G, Cout_g, K) weights -> the direct kernel's layout: per group,
    blocks of OB output channels, each block K x ob (tap-major)."""
    ob = _engine().OB
    G, cg, K = wm.shape
    blocks = [wm[:, o:o + ob, :].transpose(0, 2, 1).reshape(G, -1) for o in range(0, cg, ob)]
    if not blocks:
        return np.ascontiguousarray(wm)
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


def band(no1, units_outer):
    """Direct path: output rows per unit (whole planes, split only so that
    small problems give the threads enough units; from the shape only)."""
    per = math.ceil(_MIN_UNITS / max(1, units_outer))
    return int(max(1, math.ceil(no1 / per))) if per > 1 else int(max(1, no1))


def choose_path(cin_g, cout_g, taps, is_1x1, nt=(1, 1, 1), no2=1, line_bytes=0):
    """Engine path, by measurement on a 2-core AVX2 machine (float32,
    GFLOP/s of one thread, direct vs GEMM): the register-blocked direct
    kernel wins for small and medium channel counts (64 -> 64 3x3 on 128^2:
    82 vs 65; 16 -> 16: 73 vs 34; 8 -> 16 3x3x3: 68 vs 35; 64 -> 128 1x1:
    59 vs 35); the im2col GEMM wins once the input lines one output row
    reads leave the L2 cache (512 -> 512 3x3 on 56^2: 71 vs 48) or rows are
    much shorter than the kernel's 16-wide blocks with many channels
    (2048 -> 512 1x1 on 7^2: 39 vs 22)."""
    if max(nt[0], nt[1]) > _MAX_KD:
        return PATH_1X1 if is_1x1 else PATH_GEMM
    K = cin_g * taps
    fill = no2 / (math.ceil(no2 / 16) * 16)
    if K >= 256 and cout_g >= 32 and (line_bytes > (480 << 10) or fill < 0.75):
        return PATH_1X1 if is_1x1 else PATH_GEMM
    if is_1x1 and cin_g >= 512 and cout_g >= 64:
        return PATH_1X1
    return PATH_DIRECT


def make_job(x5, wm, out5, groups, no, step, offs, modes, ostep, obase, path=None):
    """One job of the channel engine (see channel.pxi): its path, tiles and
    packed weights.  Returns (job tuple, multiply-adds, uses BLAS)."""
    N, C = x5.shape[:2]
    cout = out5.shape[1]
    cin_g, cout_g = C // groups, cout // groups
    taps = len(offs[0]) * len(offs[1]) * len(offs[2])
    K = cin_g * taps
    P = no[0] * no[1] * no[2]
    is_1x1 = (taps == 1 and all(len(o) == 1 and o[0] == 0 for o in offs)
              and list(step) == [1, 1, 1] and list(no) == list(x5.shape[2:])
              and list(no) == list(out5.shape[2:]) and list(ostep) == [1, 1, 1])
    item = x5.itemsize
    span = [max(o) - min(o) + 1 if len(o) else 1 for o in offs]
    vw = (no[2] - 1) * step[2] + span[2]
    line_bytes = cin_g * max(1, len(offs[0])) * span[1] * (vw + 32) * item
    if path is None:
        path = choose_path(cin_g, cout_g, taps, is_1x1, [len(o) for o in offs], no[2],
                            line_bytes)
    T = Kc = bh = 1
    if path == PATH_DIRECT:
        bh = band(no[1], N * groups * no[0])
        wm = pack_direct(wm)
    else:
        T, Kc = tiles(K, P, N * groups, item)
    job = _engine().JobSpec(np.ascontiguousarray(wm), _i3(no), _i3(step),
                            tuple(np.asarray(o, np.intp) for o in offs), _i3(modes),
                            _i3(ostep), _i3(obase),
                            {"path": path, "T": T, "Kc": Kc, "bh": bh})
    return job, N * cout * P * max(K, 1), path != PATH_DIRECT


def _i3(v):
    """Three per-axis integers as the engine's intp array."""
    return np.asarray(v, dtype=np.intp).reshape(3)


def run_jobs(x5, jobs, bias, out5, groups, workers):
    """Run jobs made by _make_job in one engine call (one parallel region)."""
    if not jobs or out5.size == 0:
        return
    nthreads = W.threads_for(workers, sum(j[1] for j in jobs))
    tuples = [j[0] for j in jobs]
    if any(j[2] for j in jobs):
        with _blas_single_thread():
            _engine().forward(x5, tuples, bias, out5, groups, nthreads)
    else:
        _engine().forward(x5, tuples, bias, out5, groups, nthreads)


def run_job(x5, wm, bias, out5, groups, no, step, offs, modes, ostep, obase, workers):
    if 0 in no or x5.shape[0] == 0 or out5.shape[1] == 0:
        return
    run_jobs(x5, [make_job(x5, wm, out5, groups, no, step, offs, modes, ostep, obase)],
              bias, out5, groups, workers)


def transpose(g5, w5, bias, out5, stride, pads_lo, dilation, groups, workers):
    """Transposed convolution (== the input gradient of a convolution), as a
    gather: one job per output phase r (per axis, outputs y = r + s i), each
    an ordinary stride-1 convolution of the input with the taps k for which
    (r + p - k d) is a multiple of s, at input offsets (r + p - k d) / s."""
    cin = g5.shape[1]
    cout_g = w5.shape[1]
    cin_g = cin // groups
    kernel = w5.shape[2:]
    osp = out5.shape[2:]
    wg = w5.reshape((groups, cin_g, cout_g) + tuple(kernel))
    jobs = []
    for phase in itertools.product(*[range(s) for s in stride]):
        no, offs, ks = [], [], []
        for r, s, p, d, k, L in zip(phase, stride, pads_lo, dilation, kernel, osp):
            no.append(len(range(r, L, s)))
            kk = [t for t in range(k) if (r + p - t * d) % s == 0]
            ks.append(kk)
            offs.append(np.array([(r + p - t * d) // s for t in kk], dtype=np.intp))
        if 0 in no:
            continue
        sub = wg[:, :, :, ks[0]][:, :, :, :, ks[1]][:, :, :, :, :, ks[2]]
        wm = np.ascontiguousarray(sub.transpose(0, 2, 1, 3, 4, 5)).reshape(
            groups, cout_g, -1)
        jobs.append(make_job(g5, wm, out5, groups, no, [1, 1, 1], offs, [0, 0, 0],
                              list(stride), list(phase)))
    if g5.shape[0] and out5.shape[1]:
        run_jobs(g5, jobs, bias, out5, groups, workers)




# ---------------------------------------------------------------- ops
def _steps(stride, osp):
    """The strides, 1 along axes with a single output position (where the
    stride is never applied: a stride of 10**15 must not size buffers)."""
    return [1 if n == 1 else s for s, n in zip(stride, osp)]


def conv(x, w, b, out, stride, pads, dilation, groups, code, workers):
    """Convolution (torch's cross-correlation) of validated (N, C, *sp)
    arrays into ``out``; ``pads``: (left, right) per spatial axis, ``code``:
    the boundary mode of the padding."""
    if out.size == 0:
        return out
    nsp = x.ndim - 2
    kernel = list(w.shape[2:])
    cout = w.shape[0]
    x5 = as5d(np.ascontiguousarray(x), nsp)
    offs = [np.arange(k) * d - pl for k, d, (pl, _) in zip(kernel, dilation, pads)]
    offs = [np.zeros(1, np.intp)] * (3 - nsp) + offs
    wm = np.ascontiguousarray(w).reshape(groups, cout // groups, -1)
    run_job(x5, wm, b, as5d(out, nsp), groups, pad3(list(out.shape[2:]), 1),
            pad3(_steps(stride, out.shape[2:]), 1), offs, pad3([code] * nsp, 0), [1, 1, 1], [0, 0, 0], workers)
    return out


def conv_transpose(x, w, b, out, stride, pads_lo, dilation, groups, workers):
    """Transposed convolution (the input gradient of a convolution) of
    validated arrays into ``out``."""
    if out.size == 0:
        return out
    nsp = x.ndim - 2
    transpose(as5d(np.ascontiguousarray(x), nsp), as5d(np.ascontiguousarray(w), nsp), b,
              as5d(out, nsp), pad3(stride, 1), pad3(pads_lo, 0), pad3(dilation, 1), groups,
              workers)
    return out


def depthwise_separable(x, wd, wp, bd, bp, out, mult, stride, pads, dilation, code,
                        workers):
    """Depthwise convolution (multiplier ``mult``) fused with the pointwise
    1x1 convolution ``wp`` (C_out, C * mult), band by band, into ``out``."""
    if out.size == 0:
        return out
    N, Cc = x.shape[:2]
    cout = wp.shape[0]
    kernel = list(wd.shape[2:])
    osp = list(out.shape[2:])
    x5 = as5d(np.ascontiguousarray(x), 2)
    offs = [np.zeros(1, np.intp)] + [np.arange(k) * d - pl
                                     for k, d, (pl, _) in zip(kernel, dilation, pads)]
    no = [1] + osp
    step = [1] + _steps(stride, osp)
    item = x.itemsize
    # band: the (C M x band) depthwise tile of each thread stays in cache
    bh = band(no[1], N)
    bh = max(1, min(bh, _SEP_BUDGET // max(1, Cc * mult * no[2] * item)))
    nthreads = W.threads_for(workers, N * (cout + mult * kernel[0] * kernel[1])
                             * Cc * osp[0] * osp[1])
    _engine().separable(x5, pack_direct(np.ascontiguousarray(wd).reshape(Cc, mult, -1)), bd,
                        pack_direct(np.ascontiguousarray(wp)[None]), bp, as5d(out, 2), mult,
                        _i3(no), _i3(step), tuple(offs), _i3([0, code, code]), bh, nthreads)
    return out


def unfold(x, cols, osp, k, d, p, s, workers):
    """im2col of (N, C, H, W) into ``cols`` (N, C * kH * kW, L), zero padding."""
    if cols.size:
        offs = [np.zeros(1, np.intp)] + [np.arange(kk) * dd - pp for kk, dd, pp in zip(k, d, p)]
        nthreads = W.threads_for(workers, cols.size)
        _engine().unfold(as5d(np.ascontiguousarray(x), 2), cols, _i3([1] + list(osp)),
                         _i3([1] + list(s)), tuple(offs), _i3([0, 0, 0]), nthreads)
    return cols


def fold(c, out, osp, k, d, p, s, workers):
    """col2im of ``c`` (N, C * kH * kW, L) into ``out`` (N, C, H, W)."""
    if out.size:
        offs = [np.zeros(1, np.intp)] + [np.arange(a) * b - q for a, b, q in zip(k, d, p)]
        nthreads = W.threads_for(workers, c.size)
        _engine().fold(np.ascontiguousarray(c), as5d(out, 2), _i3([1] + list(osp)),
                       _i3([1] + list(s)), tuple(offs), nthreads)
    return out


def weight_grad(x, gout, dw, stride, pads, dilation, groups, code, workers):
    """dw = the gradient of a convolution with respect to its weight."""
    if dw.size == 0:
        return dw
    nsp = x.ndim - 2
    N = x.shape[0]
    cout, cin_g = dw.shape[:2]
    kernel = list(dw.shape[2:])
    osp = list(gout.shape[2:])
    x5 = as5d(np.ascontiguousarray(x), nsp)
    g5 = as5d(np.ascontiguousarray(gout), nsp)
    offs = [np.zeros(1, np.intp)] * (3 - nsp) + [
        np.arange(k) * d - pl for k, d, (pl, _) in zip(kernel, dilation, pads)]
    no = pad3(osp, 1)
    K = cin_g * int(np.prod(kernel))
    P = int(np.prod(osp))
    T, Kc = tiles(K, P, N * groups, x.itemsize)
    nunits = N * groups * -(-P // T)
    R = max(1, min(8, nunits, _WGRAD_PARTS_BUDGET // max(1, cout * K * x.itemsize)))
    nthreads = W.threads_for(workers, N * cout * P * K)
    with _blas_single_thread():
        _engine().weight_grad(x5, g5, dw.reshape(groups, cout // groups, K), groups, _i3(no),
                              _i3(pad3(_steps(stride, osp), 1)), tuple(offs),
                              _i3(pad3([code] * nsp, 0)), T, Kc, R, nthreads)
    return dw
