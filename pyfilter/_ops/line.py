"""The line-engine op: 1-D passes, planned into stages of the line engine
(``pyfilter/_cext/line.pxi``).

* :class:`Pass` describes one 1-D pass: its tap structure, the axis, the
  boundary mode and value, base offset, stride and output length.
* :func:`plan_chain` plans an ordered list of passes (one separable
  filter) into stages: a pass along the contiguous axis "x" is fused with
  a neighbouring pass along another axis into one sweep, so a 2-D
  separable filter reads its input once and writes its output once;
  intermediates stay in the working precision, or go through the output
  type (scipy's rule for integer outputs).
* :func:`plan_fused` plans several separable filters over the same two
  axes into one stage that shares the source rows and combines the
  filters per row into one or more outputs (sums, magnitudes,
  orientations, products, eigenvalues): the filter bank's fast path.

Plans hold the engine's typed :class:`StagePlan` objects (boundary tables,
tap tables) and are cached by their callers on what determines them
(shapes, strides, dtypes, passes).

Boundary semantics of a sequence of passes: scipy's *cascaded* semantics
(every pass extends its own input with ``cval``, as
``scipy.ndimage.gaussian_filter`` does) keep every pass's ``cval``; the
*N-D* semantics of a full kernel (only the input is extended; a later pass
sees ``cval`` times the sum of the earlier passes' weights) come from
:func:`nd_cvals`.
"""
from typing import Any

import numpy as np

from .._common import codes as C
from .._common import dtypes as D
from .._cext import engine
from .kernel import DBL_EPSILON, taps

MAXARG = 8
_KIND = {"single": C.K_SINGLE, "sym": C.K_SYM, "anti": C.K_ANTI}
_CTYPES = {np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.int16): 2}
INT16_MAX = 32767


def divide_by_multiply(d, smax):
    """(mul, shift) with ``(s * mul) >> shift == s // d`` for every
    0 <= s <= smax, and ``smax * mul < 2**31``; checked exhaustively."""
    s = np.arange(smax + 1, dtype=np.int64)
    ref = s // d
    # a 16-bit high multiply first (shift >= 16, mul < 2**16), then any
    for shift in list(range(16, 31)) + list(range(0, 16)):
        mul = -(-(1 << shift) // d)
        if (shift >= 16 and mul >= (1 << 16)) or smax * mul >= (1 << 31):
            continue
        if np.array_equal((s * mul) >> shift, ref):
            return mul, shift
    raise ValueError(f"no 31-bit multiply-and-shift divides by {d} up to {smax}")


# ---------------------------------------------------------------- passes
class Pass:
    """One 1-D pass along ``axis``.

    Output index ``o`` reads the virtual input positions
    ``o * stride + base + offset`` (extended by ``mode`` with ``cval``)
    for the term offsets; ``kind`` is 'single' (taps ``w * x[off1]``),
    'sym' (``(x[off1] + x[off2]) * w``) or 'anti' (``(x[off1] - x[off2]) * w``),
    accumulated after the optional ``center`` tap ``(offset, weight)``;
    ``div`` divides the result.  ``wsum`` is the sum of the applied
    weights (divided by ``div``).  Immutable: use :meth:`replace`.
    """

    __slots__ = ("axis", "kind", "off1", "off2", "w", "center", "div", "base",
                 "stride", "mode", "cval", "n_out", "ntaps", "wsum", "int_bound", "fits")

    def __init__(self, axis, kind, off1, off2, w, center, div, base, stride,
                 mode, cval, n_out, wsum, int_bound=None, fits=False):
        self.axis = axis
        self.kind = kind
        self.off1 = tuple(off1)
        self.off2 = tuple(off2)
        self.w = tuple(w)
        self.center = center
        self.div = div
        self.base = base
        self.stride = stride
        self.mode = mode
        self.cval = cval
        self.n_out = n_out
        self.ntaps = len(self.w) * (1 if kind == "single" else 2) + (center is not None)
        self.wsum = wsum
        self.int_bound = int_bound   # int16 plans: the largest sum the pass reaches
        self.fits = fits             # exact results within the output type: storing them
                                     # through it changes nothing

    def replace(self, **kw):
        d = {k: getattr(self, k) for k in ("axis", "kind", "off1", "off2", "w", "center",
                                          "div", "base", "stride", "mode", "cval",
                                          "n_out", "wsum", "int_bound", "fits")}
        d.update(kw)
        return Pass(**d)

    def taps_key(self):
        """What the tap arithmetic depends on (not the axis or geometry)."""
        return (self.kind, self.off1, self.off2, self.w, self.center, self.div)

    def key(self):
        return (self.axis, self.taps_key(), self.base, self.stride, self.mode,
                self.cval, self.n_out)

    def offsets(self):
        """Every offset the pass reads."""
        o = list(self.off1) + (list(self.off2) if self.kind != "single" else [])
        if self.center is not None:
            o.append(self.center[0])
        return o or [0]

    def reach(self):
        """How far output o's reads extend below and above ``o * stride``:
        (-(base + min offset), base + max offset)."""
        offs = self.offsets()
        return -(self.base + min(offs)), self.base + max(offs)

    def scaled(self, factor):
        """The same pass with every weight multiplied by ``factor``."""
        c = None if self.center is None else (self.center[0], self.center[1] * factor)
        return self.replace(w=[v * factor for v in self.w], center=c,
                            wsum=self.wsum * factor)

    def interleaved(self, block):
        """The same pass along an x axis that interleaves ``block``
        channels (stride-1 passes only): offsets and base scaled."""
        c = None if self.center is None else (self.center[0] * block, self.center[1])
        return self.replace(off1=[o * block for o in self.off1],
                            off2=[o * block for o in self.off2], center=c,
                            base=self.base * block, n_out=self.n_out * block)


# Kernels longer than this many times the axis (plus a margin) are folded
# to the taps the boundary mode makes distinct (fold_window).
FOLD_FACTOR = 4
FOLD_MARGIN = 64


def period(mode, n):
    """The period of the extension of an axis of ``n`` by ``mode`` (None
    for nearest and constant)."""
    if mode == C.MODE_WRAP:
        return n
    if mode == C.MODE_REFLECT:
        return 2 * n
    if mode == C.MODE_MIRROR:
        return max(2 * n - 2, 1)
    return None


def fold_window(L, base, n_in, mode, *, weights=None, dilation=1, stride=1, n_out=None):
    """A window of ``L`` taps (``weights``, or a box of ones when None) that
    reads far beyond an axis of ``n_in`` folded to the taps the boundary
    mode makes distinct: for wrap/reflect/mirror the taps one period apart
    read the same values (at most a period of taps, dilation 1); for
    nearest/constant the taps left (right) of the axis for every output
    read the same value (at most about ``n_in + stride * n_out`` taps).
    Returns ``(weights, base, dilation)``; the same sums up to rounding,
    computed in time and memory bounded by the axis, not by ``L``."""
    if n_out is None:
        n_out = n_in
    P = period(mode, n_in)
    if P is not None:
        if weights is None:
            q, r = divmod(L, P)
            w = np.full(P, float(q))
            w[:r] += 1.0
            if dilation != 1:
                raise ValueError("a dilated box is not folded")
        else:
            w = np.bincount((np.arange(L, dtype=np.int64) * dilation) % P,
                            weights=np.asarray(weights, np.float64), minlength=P)
        return w, base % P - P, 1
    # nearest / constant: taps k with stride*(n_out-1) + base + k*d <= -1 read
    # the left boundary value for every output; k*d >= n_in - base the right
    d = dilation
    kl = (-1 - base - stride * (n_out - 1)) // d
    kr = -((base - n_in) // d)          # ceil((n_in - base) / d)
    start = min(kl, L - 1) if kl >= 1 else 0
    end = max(kr, 0) if kr <= L - 2 else L - 1
    if weights is None:
        w = np.ones(end - start + 1)
        w[0] = float(start + 1)
        w[-1] += float(L - 1 - end)
        if end == start:
            w[0] = float(L)
    else:
        wa = np.asarray(weights, np.float64).reshape(-1)
        w = wa[start:end + 1].copy()
        w[0] = wa[:start + 1].sum()
        if end > start:
            w[-1] = wa[end:].sum()
        else:
            w[0] = wa.sum()
    return w, base + start * d, d


def box_weights(L, origin, n_in, mode):
    """``(weights, origin)`` of a box of ``L`` ones placed with ``origin``
    (scipy's placement): folded when ``L`` is far longer than the axis,
    so that a huge box costs what the axis costs."""
    if n_in <= 0 or not needs_fold(L, 1, n_in):
        return np.ones(L), origin
    w, base, _ = fold_window(L, -(L // 2 + origin), n_in, mode)
    return w, -base - w.shape[0] // 2


def needs_fold(L, dilation, n_in, stride=1, n_out=None):
    """Whether a window of ``L`` taps is long enough to fold (fold_window)."""
    if n_out is None:
        n_out = n_in
    return (L - 1) * dilation + 1 > FOLD_FACTOR * (n_in + stride * n_out) + FOLD_MARGIN


def make_pass(axis, weights, mode, cval, n_in, *, origin=0, base=None, stride=1,
              dilation=1, n_out=None, skip_zero=False, div=None):
    """A :class:`Pass` for correlating with ``weights`` along ``axis``.

    ``base`` defaults to scipy's placement ``-(Ld // 2 + origin)`` for the
    dilated length ``Ld``; ``n_out`` defaults to ``n_in``.  Kernels far
    longer than the axis are folded first (:func:`fold_window`).
    """
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    L = w.shape[0]
    Ld = (L - 1) * dilation + 1
    if base is None:
        base = -(Ld // 2 + origin)
    if n_out is None:
        n_out = n_in
    if n_in > 0 and needs_fold(L, dilation, n_in, stride, n_out):
        w, base, dilation = fold_window(L, base, n_in, mode, weights=w, dilation=dilation,
                                        stride=stride, n_out=n_out)
        L = w.shape[0]
    kind, off1, off2, ws, center = taps(w, dilation, skip_zero)
    kept = np.abs(w) > DBL_EPSILON if skip_zero else np.ones(L, bool)
    wsum = float(np.sum(w[kept]))
    if div is not None:
        wsum = wsum / div
    return Pass(axis, kind, off1, off2, ws, center, div, base, stride, mode,
                cval, n_out, wsum)


def identity_pass(axis, n, mode=C.MODE_CONSTANT):
    """A pass that copies (weight 1 at offset 0; reads no boundary)."""
    return make_pass(axis, [1.0], mode, 0.0, n)


def nd_cvals(passes, cval):
    """The passes with the boundary values of the N-D semantics: pass i
    sees ``cval`` times the product of the earlier passes' weight sums."""
    out = []
    v = cval
    for p in passes:
        out.append(p.replace(cval=v))
        v = v * p.wsum
    return out


def chain_reach(passes, ndim):
    """Per axis (below, above): how far a chain of passes reads around each
    output position (in input indices, stride-1 chains)."""
    lo = [0] * ndim
    hi = [0] * ndim
    for p in passes:
        a, b = p.reach()
        lo[p.axis] += a
        hi[p.axis] += b
    return list(zip(lo, hi))


# ---------------------------------------------------------------- geometry helpers
def choose_x(src, dst, axes=None):
    """The axis the engine runs along contiguously: the one with the
    smallest input stride among the long-enough axes (of ``axes`` when
    given)."""
    nd = src.ndim
    if nd == 1:
        return 0
    cand = [a for a in range(nd) if src.shape[a] > 1 and dst.shape[a] > 1
            and (axes is None or a in axes)]
    if not cand:
        return (max(axes) if axes else nd - 1)
    longest = max(src.shape[a] for a in cand)
    good = [a for a in cand if src.shape[a] >= min(32, longest)]
    return min(good, key=lambda a: (abs(src.strides[a]), -a))


def channel_block(src, dsts, passes, x):
    """The number of channels to interleave along x, or 1: a short,
    unfiltered, contiguous last axis right after x (an HWC image) whose
    (x, channel) block is contiguous in the source and every output, with
    stride-1, same-length passes along x."""
    nd = src.ndim
    if nd < 2 or x != nd - 2:
        return 1
    c = src.shape[-1]
    if not 2 <= c <= 8:
        return 1
    if any(p.axis == nd - 1 for p in passes):
        return 1
    if any(p.axis == x and (p.stride != 1 or p.n_out != src.shape[x]) for p in passes):
        return 1
    for a in (src,) + tuple(dsts):
        if a.shape[-1] != c or a.strides[-1] != a.itemsize or a.strides[-2] != c * a.itemsize:
            return 1
    return c


def merge_last(arr):
    """``arr`` with its last two (contiguous) axes merged, as a view."""
    if arr.strides[-1] != arr.itemsize or arr.strides[-2] != arr.shape[-1] * arr.itemsize:
        raise AssertionError("merge_last: the last two axes are not contiguous")
    return np.lib.stride_tricks.as_strided(
        arr, arr.shape[:-2] + (arr.shape[-2] * arr.shape[-1],),
        arr.strides[:-2] + (arr.itemsize,), writeable=arr.flags.writeable)


def _merge_trailing(arr, a):
    """A view of ``arr`` with the axes after ``a`` merged into one, or None
    when their strides do not allow it without a copy."""
    nd = arr.ndim
    axes = [i for i in range(a + 1, nd) if arr.shape[i] != 1]
    for p, q in zip(axes[:-1], axes[1:]):
        if arr.strides[p] != arr.strides[q] * arr.shape[q]:
            return None
    n = int(np.prod(arr.shape[a + 1:]))
    step = arr.strides[axes[-1]] if axes else arr.itemsize
    shape = arr.shape[:a + 1] + (n,)
    strides = arr.strides[:a + 1] + (step,)
    return np.lib.stride_tricks.as_strided(arr, shape=shape, strides=strides,
                                           writeable=arr.flags.writeable)


# ---------------------------------------------------------------- engine plans
def _pass_tables(plist, bases):
    """The engine's pass tables for ``plist``, offsets taken relative to
    ``bases[i]`` (the stage geometry's base along the pass's axis)."""
    ptab = np.zeros((max(len(plist), 1), 5), np.intp)
    pdiv = np.ones(max(len(plist), 1))
    off1, off2, wts = [], [], []
    start = 0
    for i, (p, base) in enumerate(zip(plist, bases)):
        sh = p.base - base
        nt = len(p.w)
        ptab[i] = (_KIND[p.kind], nt, start, p.center is not None,
                   (p.center[0] + sh) if p.center is not None else 0)
        pdiv[i] = p.div if p.div is not None else 1.0
        off1 += [o + sh for o in p.off1]
        off2 += [o + sh for o in (p.off2 if p.kind != "single" else p.off1)]
        wts += list(p.w) + [p.center[1] if p.center is not None else 0.0]
        start += nt
    return (ptab, pdiv, np.asarray(off1, np.intp), np.asarray(off2, np.intp),
            np.asarray(wts, np.float64))


def _oprog(outputs, dst_tcs):
    """Output programs: (type code, combine, nargs, which, args...) rows and
    divisors, from ``outputs`` = [(comb, args, which, div)]."""
    prog = np.zeros((len(outputs), 4 + MAXARG), np.intp)
    div = np.ones(len(outputs))
    for o, ((comb, args, which, dv), tc) in enumerate(zip(outputs, dst_tcs)):
        prog[o, :4] = (tc, comb, len(args), which)
        prog[o, 4:4 + len(args)] = args
        div[o] = dv if dv is not None else 1.0
    return prog, div


class StageSpec:
    """What one engine stage computes (see :func:`_build_stage`)."""

    def __init__(self, passes, ca, xgeom, cgeom, pre, comps, outputs, cv_src_x,
                 cv_plane, cv_tmp_x, q_pre=False, q_col=False):
        self.passes = passes
        self.ca = ca
        self.xgeom = xgeom
        self.cgeom = cgeom
        self.pre = pre
        self.comps = comps
        self.outputs = outputs
        self.cv_src_x = cv_src_x
        self.cv_plane = cv_plane
        self.cv_tmp_x = cv_tmp_x
        self.q_pre = q_pre
        self.q_col = q_col
        self.tols = [0.0] * len(passes)


def _build_stage(spec, src_shape, dst_shape, src_tc, dst_tcs, dtype, qdt=None):
    xb = spec.xgeom[0] if spec.xgeom else 0
    cb = spec.cgeom[0] if spec.cgeom else 0
    bases = []
    for i, p in enumerate(spec.passes):
        bases.append(cb if (spec.ca is not None and p.axis == spec.ca) else xb)
    ptab, pdiv, off1, off2, wts = _pass_tables(spec.passes, bases)
    ptol = np.zeros(max(len(spec.passes), 1))
    ptol[:len(spec.tols)] = spec.tols
    pmag = np.zeros((max(len(spec.passes), 1), 2), np.intp)
    if dtype == np.int16:
        for i, p in enumerate(spec.passes):
            if p.div is not None and p.div != 1:
                pmag[i] = divide_by_multiply(int(p.div), p.int_bound)
    prog, odiv = _oprog(spec.outputs, dst_tcs)
    xg = spec.xgeom or (0, 1, C.MODE_CONSTANT, 1)
    cg = spec.cgeom or (0, 1, C.MODE_CONSTANT)
    quant = {"pre": bool(spec.q_pre), "col": bool(spec.q_col),
             "tc": C.typecode(qdt) if qdt is not None else -1,
             "size": qdt.itemsize if qdt is not None else 0}
    return engine("line").StagePlan(
        np.asarray(src_shape, np.intp), np.asarray(dst_shape, np.intp), src_tc,
        _CTYPES[np.dtype(dtype)], ptab, pdiv, pmag, ptol, off1, off2, wts,
        {"base": xg[0], "stride": xg[1], "mode": xg[2], "block": xg[3]},
        {"axis": -1 if spec.ca is None else spec.ca, "base": cg[0], "stride": cg[1],
         "mode": cg[2]},
        np.asarray(spec.pre, np.intc).reshape(-1),
        np.asarray(spec.comps, np.intc).reshape(-1, 3),
        prog, odiv, np.asarray(spec.cv_plane, np.float64).reshape(-1),
        {"src_x": spec.cv_src_x, "tmp_x": spec.cv_tmp_x}, quant)


def _group(passes, x):
    """Group an ordered pass list into stages of one or two passes."""
    stages: list[tuple[Any, ...]] = []
    i = 0
    n = len(passes)
    while i < n:
        p = passes[i]
        if i + 1 < n:
            q = passes[i + 1]
            if p.axis == x and q.axis != x:
                stages.append(("XC", p, q))
                i += 2
                continue
            if p.axis != x and q.axis == x:
                stages.append(("CX", p, q))
                i += 2
                continue
        stages.append(("X", p) if p.axis == x else ("C", p))
        i += 1
    return stages


def _chain_stage(st, block, quantize):
    kind = st[0]
    term = [(C.COMB_TERM, [0], 0, None)]
    if kind == "X":
        p = st[1]
        return StageSpec([p], None, (p.base, p.stride, p.mode, block), None, [0],
                         [(0, -1, -1)], term, p.cval, [0.0, 0.0], 0.0)
    if kind == "C":
        p = st[1]
        return StageSpec([p], p.axis, None, (p.base, p.stride, p.mode), [],
                         [(-1, 0, -1)], term, 0.0, [p.cval], 0.0)
    if kind == "XC":
        px, pc = st[1], st[2]
        return StageSpec([px, pc], pc.axis, (px.base, px.stride, px.mode, block),
                         (pc.base, pc.stride, pc.mode), [0], [(0, 1, -1)], term, px.cval,
                         [pc.cval, pc.cval], 0.0, q_pre=quantize and not px.fits)
    pc, px = st[1], st[2]
    return StageSpec([pc, px], pc.axis, (px.base, px.stride, px.mode, block),
                     (pc.base, pc.stride, pc.mode), [], [(-1, 0, 1)], term, 0.0, [pc.cval],
                     px.cval, q_col=quantize and not pc.fits)


class Chain:
    """A planned sequence of stages applying passes in order (one
    separable filter); :meth:`run` on arrays of the planned shapes,
    dtypes and strides."""

    def __init__(self, perm, block, stages, halo):
        self.perm = perm            # transposition putting x last
        self.block = block          # channels interleaved along x
        self.stages = stages        # [(StagePlan, merge_axis or None, out shape, out dtype)]
        self.halo = halo

    def run(self, src, dst, nthreads):
        s = _engine_view(src, self.perm, self.block)
        d = _engine_view(dst, self.perm, self.block)
        if len(self.stages) == 1 and self.stages[0][1] is None:
            self.stages[0][0].run(s, (d,), nthreads)
            return dst
        cur = s
        last = len(self.stages) - 1
        for i, (plan, merge, shape, dt) in enumerate(self.stages):
            out = d if i == last else np.empty(shape, dtype=dt)
            sv, ov = cur, out
            if merge is not None:
                sv, ov = _merge_trailing(cur, merge), _merge_trailing(out, merge)
            plan.run(sv, (ov,), nthreads)
            cur = out
        return dst


def _orient(src, dsts, passes, x):
    """The transposition and channel interleave a stage runs with: x last,
    or (x, channels) last and merged for an HWC image.  Returns (perm,
    block, source shape, output shape, passes moved to the engine's axes)."""
    nd = src.ndim
    block = channel_block(src, dsts, passes, x)
    if block > 1:
        perm = list(range(nd))
        moved = [p.interleaved(block) if p.axis == x else p for p in passes]
        s_shape = list(src.shape[:-2]) + [src.shape[-2] * block]
        d_shape = list(dsts[0].shape[:-2]) + [dsts[0].shape[-2] * block]
    else:
        perm = [a for a in range(nd) if a != x] + [x]
        moved = [p.replace(axis=perm.index(p.axis)) for p in passes]
        s_shape = [src.shape[a] for a in perm]
        d_shape = [dsts[0].shape[a] for a in perm]
    return perm, block, s_shape, d_shape, moved


def _engine_view(arr, perm, block):
    if block > 1:
        return merge_last(arr)
    if perm[-1] == len(perm) - 1:
        return arr
    return arr.transpose(perm)


# A bound on |float32 result - float64 result| of a pass over integer
# data (exact integers in the buffers): every weight rounded to float32
# (relative 2**-24), and one rounding per fused multiply-add, the centre's
# product and the division, each of magnitude <= sum |w| * max |x|; twice
# that for margin (float64's own rounding is a million times smaller).
_TOL_PER_TERM = 2 * 2.0 ** -24
# verified passes must stay far below 2**21 (float32 keeps a quarter step)
VERIFY_MAX = 1 << 20


def verify_tol(p, vmax):
    """The verification tolerance of pass ``p`` reading integers of
    magnitude <= ``vmax`` in float32 (see the engine's ``_verify``), or
    None when float32 cannot be verified for it."""
    wabs = sum(abs(v) for v in p.w) * (1 if p.kind == "single" else 2)
    if p.center is not None:
        wabs += abs(p.center[1])
    if p.div:
        wabs /= p.div
    big = wabs * vmax
    tol = _TOL_PER_TERM * (len(p.w) + 4) * max(big, 1.0)
    if big >= VERIFY_MAX or tol >= 0.125:
        return None
    return tol


def chain_verifiable(passes, vmax_in, vmax_q):
    """Whether every pass of a chain over integers (input magnitude <=
    ``vmax_in``, intermediates and output <= ``vmax_q``) can be verified."""
    v = vmax_in
    for p in passes:
        if verify_tol(p, v) is None:
            return False
        v = vmax_q
    return True


def plan_chain(src, dst, passes, *, dtype, quantize=False, x=None, verify=None):
    """Plan ``passes`` (in order) from ``src`` (real, any strides) into
    ``dst`` (real, any strides; shapes follow the passes' ``n_out``).

    ``dtype``: the working precision (float32 or float64); ``quantize``:
    intermediates go through ``dst``'s type (scipy's rule for integer
    outputs).  ``x``: the axis to run contiguously (default: chosen from
    the strides).  ``verify``: (max |input|, max |intermediate|) for
    integer data filtered in float32 into integers: every truncated pass
    result is verified against float64 (see :func:`verify_tol`).
    """
    if x is None:
        x = choose_x(src, dst)
    perm, block, s_shape, d_shape, ps = _orient(src, (dst,), passes, x)
    s = _engine_view(src, perm, block)
    d = _engine_view(dst, perm, block)
    nd = s.ndim
    xa = nd - 1
    halo = chain_reach(passes, src.ndim)
    qdt = D.scratch_dtype(dst.dtype) if quantize else None
    shape = list(s_shape)
    cur_shape, cur_dtype, cur_strides = list(s_shape), s.dtype, s.strides
    stages = []
    groups = _group(ps, xa)
    for i, st in enumerate(groups):
        for p in st[1:]:
            shape[p.axis] = p.n_out
        last = i == len(groups) - 1
        out_dtype = d.dtype if last else (qdt if quantize else dtype)
        spec = _chain_stage(st, block, quantize)
        if verify is not None and dtype == np.float32:
            # every pass of an integer chain ends truncated (an intermediate
            # through the output type, or the output itself)
            spec.tols = []
            for p in spec.passes:
                v = verify[0] if p is ps[0] else verify[1]
                spec.tols.append(verify_tol(p, v))
        in_shape = list(cur_shape)
        out_shape = list(shape)
        merge = None
        if st[0] == "C" and st[1].axis < nd - 2:
            # a column pass with several unfiltered trailing axes: run it on
            # rows made of those axes merged (long rows, few of them)
            probe_in = np.lib.stride_tricks.as_strided(np.empty(1, cur_dtype), cur_shape,
                                                       cur_strides)
            probe_out = d if last else np.empty(out_shape, out_dtype)
            if (_merge_trailing(probe_in, st[1].axis) is not None
                    and _merge_trailing(probe_out, st[1].axis) is not None):
                merge = st[1].axis
                in_shape = in_shape[:merge + 1] + [int(np.prod(in_shape[merge + 1:]))]
                out_shape = out_shape[:merge + 1] + [int(np.prod(out_shape[merge + 1:]))]
        plan = _build_stage(spec, in_shape, out_shape, C.typecode(cur_dtype),
                            [C.typecode(out_dtype)], dtype, qdt if quantize else None)
        stages.append((plan, merge, tuple(shape), out_dtype))
        cur_shape = list(shape)
        cur_dtype = out_dtype
        cur_strides = d.strides if last else np.empty(shape, out_dtype).strides
    return Chain(perm, block, stages, halo)


# ---------------------------------------------------------------- fused stages
class Fused:
    """One planned stage computing several separable filters over the same
    two (or one) axes and combining them into outputs."""

    def __init__(self, perm, block, plan, halo):
        self.perm = perm
        self.block = block
        self.plan = plan
        self.halo = halo

    def run(self, src, dsts, nthreads):
        self.plan.run(_engine_view(src, self.perm, self.block),
                      tuple(_engine_view(d, self.perm, self.block) for d in dsts), nthreads)
        return dsts


def _is_identity(p):
    return p is None or (len(p.w) == 0 and p.center is not None and p.center[0] == 0
                         and p.base == 0 and p.center[1] == 1.0 and p.div is None)


def plan_fused(src, dsts, terms, outputs, x, ca, *, dtype):
    """Plan terms that each filter (at most) the axes ``x`` and ``ca`` (or
    only ``x`` when ``ca`` is None) into one stage.

    ``terms``: per term a pair (x pass or None, column pass or None) with
    the boundary values set; the x passes run first, so the caller
    guarantees that the order does not change the result (boundary modes
    other than a non-zero 'constant', or the N-D semantics).  Every term's
    x passes share one stride, its column passes another.
    ``outputs``: per destination (comb, term ids, which, div).
    """
    nd = src.ndim
    n_x = dsts[0].shape[x]
    full = []
    for px, pc in terms:
        full.append((px if px is not None else identity_pass(x, n_x), pc))
    flat = [p for t in full for p in t if p is not None]
    perm, block, s_shape, d_shape, _ = _orient(src, dsts, flat, x)
    xa = len(s_shape) - 1
    cap = (ca if block > 1 else perm.index(ca)) if ca is not None else None
    moved = []
    for px, pc in full:
        px = px.interleaved(block) if block > 1 else px
        px = px.replace(axis=xa)
        if pc is not None and cap is not None:
            pc = pc.replace(axis=cap)
        moved.append((px, pc))
    # one boundary mode per axis: identity passes read no boundary
    xmodes = {px.mode for px, _ in moved if not _is_identity(px)}
    xmode = xmodes.pop() if len(xmodes) == 1 else moved[0][0].mode
    xb = min(px.base for px, _ in moved)
    xs = moved[0][0].stride
    passes: list[Any] = []
    pre: list[int] = []
    keys: dict[Any, int] = {}
    cv_plane: list[Any] = []
    comps: list[tuple[int, int, int]] = []
    for px, _ in moved:
        k = (px.taps_key(), px.base)
        if k not in keys:
            keys[k] = len(pre)
            pre.append(len(passes))
            passes.append(px)
    if cap is None:
        comps = [(keys[(px.taps_key(), px.base)], -1, -1) for px, _ in moved]
        spec = StageSpec(passes, None, (xb, xs, xmode, block), None, pre, comps, outputs,
                         moved[0][0].cval, [0.0] * (len(pre) + 1), 0.0)
    else:
        cols = [pc for _, pc in moved if pc is not None]
        cmodes = {pc.mode for pc in cols if not _is_identity(pc)}
        cmode = cmodes.pop() if len(cmodes) == 1 else C.MODE_CONSTANT
        cb = min(pc.base for pc in cols) if cols else 0
        cs = cols[0].stride if cols else 1
        cv_plane = [None] * (len(pre) + 1)
        for px, pc in moved:
            if pc is None:
                pc = identity_pass(cap, d_shape[cap], cmode)
            r = keys[(px.taps_key(), px.base)]
            if not _is_identity(pc):
                # (the callers' semantics give every column pass reading the
                # same x-filtered rows one boundary value)
                assert cv_plane[r] is None or cv_plane[r] == pc.cval
                cv_plane[r] = pc.cval
            ci = len(passes)
            passes.append(pc)
            comps.append((r, ci, -1))
        cv_plane = [0.0 if v is None else v for v in cv_plane]
        spec = StageSpec(passes, cap, (xb, xs, xmode, block), (cb, cs, cmode), pre, comps,
                         outputs, moved[0][0].cval, cv_plane, 0.0)
    plan = _build_stage(spec, s_shape, d_shape, C.typecode(src.dtype),
                        [C.typecode(d.dtype) for d in dsts], dtype)
    halo = [(0, 0)] * nd
    for t in terms:
        r = chain_reach([p for p in t if p is not None], nd)
        halo = [(max(a[0], b[0]), max(a[1], b[1])) for a, b in zip(halo, r)]
    return Fused(perm, block, plan, halo)


# ---------------------------------------------------------------- elementwise
def combine(srcs, dsts, outputs, *, dtype, nthreads):
    """``dsts[o]`` = ``outputs[o]`` = (comb, source ids, which, div) of the
    real arrays ``srcs`` (one shape), elementwise in ``dtype``."""
    prog, div = _oprog(outputs, [C.typecode(d.dtype) for d in dsts])
    engine("line").combine(tuple(srcs), np.asarray([C.typecode(s.dtype) for s in srcs],
                                                   np.intc),
                           tuple(dsts), prog, div, dtype == np.float32, nthreads)
    return dsts


def copy_into(target, input, nthreads=1):
    """``target[...] = input`` with the line filters' cast (scipy's rule
    for filters that skip every axis); complex handled by parts."""
    if input.dtype.kind == "c" and target.dtype.kind != "c":
        raise TypeError("cannot store a complex input in a real output")
    if input.dtype.kind == "c":
        copy_into(target.real, input.real, nthreads)
        copy_into(target.imag, input.imag, nthreads)
        return target
    if target.dtype.kind == "c":
        copy_into(target.real, input, nthreads)
        target.imag[...] = 0
        return target
    if input.size == 0:
        return target
    if input.ndim == 0:
        input, target = input.reshape(1), target.reshape(1)
    combine([input], [target], [(C.COMB_TERM, [0], 0, None)], dtype=np.dtype(np.float64),
            nthreads=nthreads)
    return target
