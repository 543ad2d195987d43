"""The line-engine op: sequences of 1-D passes.

This module composes the line engine (``pyfilter/_cext/line.pxi``):

* :class:`Pass` describes one 1-D pass (taps, boundary mode and value,
  base offset, stride, output length); :func:`run_passes` runs an ordered
  list of passes, fusing an x pass with a neighbouring pass along another
  axis into one sweep (so a 2-D separable filter reads its input once and
  writes its output once) and keeping intermediates in the working
  precision (or in the output type, scipy's rule for integer outputs).
* :func:`run_components` runs several 2-axis separable filters that share
  their input rows and combines them per row (sum, or the root of the sum
  of squares, optionally with atan2 orientation), e.g. a Sobel gradient
  magnitude in one sweep.

Two semantics are provided for boundary handling of a sequence of passes:
scipy's *cascaded* semantics (every pass extends its own input with
``cval``, as ``scipy.ndimage.sobel`` / ``gaussian_filter`` do) and the
*N-D* semantics of a full kernel (only the input is extended with
``cval``; a pass then sees ``cval`` times the sum of the previous passes'
weights), used by the scikit-image style filters and by
``correlate(method='separable')``.
"""
import numpy as np

from .._common import codes as C
from .._common import dtypes as D
from .._common import workers as W
from .._common.errors import ArgumentError
from .._cext import engine
from .kernel import DBL_EPSILON, taps

# ---------------------------------------------------------------- passes
class Pass:
    """One 1-D pass along ``axis``.

    Output index ``o`` reads the virtual input positions
    ``o * stride + base + offset`` (extended by ``mode`` with ``cval``)
    for the term offsets; ``kind`` is 'single' (taps ``w * x[off1]``),
    'sym' (``(x[off1] + x[off2]) * w``) or 'anti' (``(x[off1] - x[off2]) * w``),
    accumulated after the optional ``center`` tap ``(offset, weight)``;
    ``div`` divides the result.
    """

    __slots__ = ("axis", "kind", "off1", "off2", "w", "center", "div", "base",
                 "stride", "mode", "cval", "n_out", "ntaps", "wsum")

    def __init__(self, axis, kind, off1, off2, w, center, div, base, stride,
                 mode, cval, n_out, wsum):
        self.axis = axis
        self.kind = kind
        self.off1 = list(off1)
        self.off2 = list(off2)
        self.w = list(w)
        self.center = center
        self.div = div
        self.base = base
        self.stride = stride
        self.mode = mode
        self.cval = cval
        self.n_out = n_out
        self.ntaps = len(self.w) * (1 if kind == "single" else 2) + (center is not None)
        self.wsum = wsum

    def engine_dict(self, base=None):
        """The engine's description, with offsets relative to ``base``
        (default: this pass's own base)."""
        sh = 0 if base is None else self.base - base
        c = self.center
        if c is not None and sh:
            c = (c[0] + sh, c[1])
        return {"kind": self.kind, "off1": [o + sh for o in self.off1],
                "off2": [o + sh for o in self.off2], "w": self.w, "center": c,
                "div": self.div}

    def key(self):
        return (self.kind, tuple(self.off1), tuple(self.off2), tuple(self.w),
                self.center, self.div)

    def moved(self, axis):
        p = Pass(axis, self.kind, self.off1, self.off2, self.w, self.center,
                 self.div, self.base, self.stride, self.mode, self.cval,
                 self.n_out, self.wsum)
        return p


def make_pass(axis, weights, mode, cval, n_in, *, origin=0, base=None, stride=1,
              dilation=1, n_out=None, skip_zero=False, div=None):
    """A :class:`Pass` for correlating with ``weights`` along ``axis``.

    ``base`` defaults to scipy's placement ``-(Ld // 2 + origin)`` for the
    dilated length ``Ld``; ``n_out`` defaults to ``n_in``.
    """
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    L = w.shape[0]
    Ld = (L - 1) * dilation + 1
    if base is None:
        base = -(Ld // 2 + origin)
    if n_out is None:
        n_out = n_in
    kind, off1, off2, ws, center = taps(w, dilation, skip_zero)
    kept = np.abs(w) > DBL_EPSILON if skip_zero else np.ones(L, bool)
    wsum = float(np.sum(w[kept]))
    if div is not None:
        wsum = wsum / div
    return Pass(axis, kind, off1, off2, ws, center, div, base, stride, mode,
                cval, n_out, wsum)


def nd_cvals(passes, cval):
    """Boundary values giving the N-D semantics: pass i sees ``cval``
    times the product of the previous passes' weight sums."""
    out = []
    v = cval
    for p in passes:
        p.cval = v
        out.append(v)
        v = v * p.wsum
    return out


# ---------------------------------------------------------------- execution
def _choose_x(src, dst):
    """The axis the engine runs along contiguously: the one with the
    smallest input stride among the long-enough axes."""
    nd = src.ndim
    if nd == 1:
        return 0
    cand = [a for a in range(nd) if src.shape[a] > 1 and dst.shape[a] > 1]
    if not cand:
        return nd - 1
    longest = max(src.shape[a] for a in cand)
    good = [a for a in cand if src.shape[a] >= min(32, longest)]
    return min(good, key=lambda a: (abs(src.strides[a]), -a))


def _plan(passes, x):
    """Group an ordered pass list into stages (one or two passes each)."""
    stages = []
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


def _stage_args(stage, x):
    kind = stage[0]
    if kind == "X":
        p = stage[1]
        return dict(passes=[p.engine_dict()], ca=None,
                    xgeom=(p.base, p.stride, p.mode), cgeom=None, pre=[0],
                    comps=[(0, -1, -1)], cv_src_x=p.cval, cv_plane=[0.0, 0.0])
    if kind == "C":
        p = stage[1]
        return dict(passes=[p.engine_dict()], ca=p.axis, xgeom=None,
                    cgeom=(p.base, p.stride, p.mode), pre=[], comps=[(-1, 0, -1)],
                    cv_plane=[p.cval])
    if kind == "XC":
        px, pc = stage[1], stage[2]
        return dict(passes=[px.engine_dict(), pc.engine_dict()], ca=pc.axis,
                    xgeom=(px.base, px.stride, px.mode),
                    cgeom=(pc.base, pc.stride, pc.mode), pre=[0], comps=[(0, 1, -1)],
                    cv_src_x=px.cval, cv_plane=[pc.cval, pc.cval])
    pc, px = stage[1], stage[2]
    return dict(passes=[pc.engine_dict(), px.engine_dict()], ca=pc.axis,
                xgeom=(px.base, px.stride, px.mode),
                cgeom=(pc.base, pc.stride, pc.mode), pre=[], comps=[(-1, 0, 1)],
                cv_plane=[pc.cval], cv_tmp_x=px.cval)


def run_passes(src, dst, passes, *, dtype, quantize=False, workers=None, x=None):
    """Apply ``passes`` in order to ``src`` (real, any strides), writing
    ``dst`` (real or complex, any strides; shapes follow the passes).

    ``dtype``: working precision (float32 or float64).  ``quantize``:
    store intermediates through ``dst``'s type (scipy's rule for integer
    outputs).
    """
    nd = src.ndim
    if x is None:
        x = _choose_x(src, dst)
    perm = [a for a in range(nd) if a != x] + [x]
    s = src.transpose(perm)
    d = dst.transpose(perm)
    ps = [p.moved(perm.index(p.axis)) for p in passes]
    xa = nd - 1
    stages = _plan(ps, xa)
    ntaps = sum(max(p.ntaps, 1) for p in ps)
    nthreads = W.threads_for(workers, max(d.size, s.size) * ntaps)
    E = engine("line")
    qdt = D.scratch_dtype(dst.dtype) if quantize else None
    shape = list(s.shape)
    cur = s
    for i, st in enumerate(stages):
        for p in st[1:]:
            shape[p.axis] = p.n_out
        last = i == len(stages) - 1
        if last:
            out = d
        else:
            out = np.empty(shape, dtype=qdt if quantize else dtype)
        args = _stage_args(st, xa)
        src_v, out_v = cur, out
        if st[0] == "C" and st[1].axis < nd - 2:
            # a column pass with several unfiltered trailing axes: run it on
            # rows made of those axes merged (long rows, few of them)
            m1 = _merge_trailing(cur, st[1].axis)
            m2 = _merge_trailing(out, st[1].axis)
            if m1 is not None and m2 is not None:
                src_v, out_v = m1, m2
        if quantize:
            args.update(q_pre=st[0] == "XC", q_col=st[0] == "CX",
                        q_tc=C.typecode(qdt), q_size=qdt.itemsize)
        E.run_stage(src_v, out_v, C.typecode(cur.dtype), C.typecode(out.dtype),
                    dtype=dtype, nthreads=nthreads, **args)
        cur = out
    return dst


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


def run_components(src, dst, comps, *, combine, dtype, post_div=None, dst2=None,
                   workers=None):
    """Several separable filters over the same two axes, combined per row.

    ``comps``: list of ``(x_pass, col_pass)``; every x pass runs along the
    last axis, every column pass along one common axis; both orders are
    executed x first (exact when the modes are not 'constant' with a
    non-zero value, see the callers).  ``combine``: 'sum' or 'hypot'.
    ``dst2``: optional orientation output, atan2(component 0, component 1).
    """
    ca = comps[0][1].axis
    # one geometry per axis: offsets are taken relative to the smallest base
    xb = min(px.base for px, pc in comps)
    cb = min(pc.base for px, pc in comps)
    if (len({px.stride for px, pc in comps}) != 1
            or len({pc.stride for px, pc in comps}) != 1
            or any(pc.axis != ca for px, pc in comps)):
        raise ArgumentError("components must share their axes and strides")
    passes, pre, keys = [], [], {}
    cv_plane = []
    ecomps = []
    for px, pc in comps:
        k = (px.key(), px.base)
        if k not in keys:
            keys[k] = len(pre)
            pre.append(len(passes))
            passes.append(px.engine_dict(xb))
            cv_plane.append(pc.cval)
        ci = len(passes)
        passes.append(pc.engine_dict(cb))
        ecomps.append((keys[k], ci, -1))
    cv_plane.append(0.0)
    px0, pc0 = comps[0]
    ntaps = sum(px.ntaps + pc.ntaps for px, pc in comps)
    nthreads = W.threads_for(workers, dst.size * ntaps)
    engine("line").run_stage(
        src, dst, C.typecode(src.dtype), C.typecode(dst.dtype), passes, ca=ca,
        xgeom=(xb, px0.stride, px0.mode), cgeom=(cb, pc0.stride, pc0.mode),
        pre=[p for p in pre], comps=ecomps, combine=combine, post_div=post_div,
        dst2=dst2, cv_src_x=px0.cval, cv_plane=cv_plane, dtype=dtype,
        nthreads=nthreads)
    return dst


def split_complex(input, target, cval, fn):
    """Run ``fn(src, dst, cval)`` on real data: complex input is filtered as
    its real and imaginary parts (scipy's rule); complex output from real
    input gets a zero imaginary part."""
    if input.dtype.kind == "c":
        c = complex(cval)
        fn(input.real, target.real, c.real)
        fn(input.imag, target.imag, c.imag)
    elif target.dtype.kind == "c":
        fn(input, target.real, float(np.real(cval)))
        target.imag[...] = 0
    else:
        fn(input, target, float(cval))
    return target


def copy_into(target, input):
    """``target[...] = input`` with scipy's casting rules (for filters that
    skip every axis)."""
    E = engine("line")
    src = input
    if input.dtype.kind == "c" and target.dtype.kind != "c":
        raise TypeError("cannot store a complex input in a real output")
    if input.dtype.kind == "c":
        copy_into(target.real, input.real)
        copy_into(target.imag, input.imag)
        return target
    if target.dtype.kind == "c":
        copy_into(target.real, input)
        target.imag[...] = 0
        return target
    if input.size == 0:
        return target
    # an identity pass through the engine casts exactly like the filters do
    ident = make_pass(input.ndim - 1, [1.0], C.MODE_CONSTANT, 0.0,
                      input.shape[-1])
    run_passes(src, target, [ident], dtype=np.dtype(np.float64),
               x=input.ndim - 1)
    return target


