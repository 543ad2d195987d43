"""Separable filters on the 1-D line engine, and method selection.

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
* :func:`correlate_method` is the ``method=`` dispatcher of
  ``pyfilter.ndimage.correlate/convolve`` and ``pyfilter.filters``'s:
  the direct N-D engine, the line engine for rank-1 kernels, or an FFT.

Two semantics are provided for boundary handling of a sequence of passes:
scipy's *cascaded* semantics (every pass extends its own input with
``cval``, as ``scipy.ndimage.sobel`` / ``gaussian_filter`` do) and the
*N-D* semantics of a full kernel (only the input is extended with
``cval``; a pass then sees ``cval`` times the sum of the previous passes'
weights), used by the scikit-image style filters and by
``correlate(method='separable')``.
"""
import numpy as np

from . import _core
from . import _validate as V
from . import _workers
from ._cext import engine

DBL_EPSILON = np.finfo(np.float64).eps

# ---------------------------------------------------------------- FFT crossover
# Measured on the development machine (2-core AMD EPYC, AVX2; scipy.fft
# overlap-save with 2 workers against the direct N-D engine; see
# benchmarks/bench_separable.py): on 2048^2 images the FFT wins from about
# 25x25 taps (float32: 19x19 direct 62 ms vs FFT 84 ms, 31x31 167 ms vs
# 81 ms; float64 crosses slightly later), on 128^3 volumes from about 8^3
# (7^3: 62 ms vs 82 ms, 9^3: 124 ms vs 60 ms).  'auto' uses the FFT when a
# non-separable kernel has at least FFT_MIN_TAPS[ndim of the kernel] taps
# and the output at least FFT_MIN_SIZE elements.
FFT_MIN_TAPS = {2: 625, 3: 512}
FFT_MIN_TAPS_DEFAULT = 512
FFT_MIN_SIZE = 1 << 16
# The line engine beats the direct engine for rank-1 kernels spanning at
# least two axes once the kernel has this many taps.
SEPARABLE_MIN_TAPS = 9


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


def taps(weights, dilation=1, skip_zero=False):
    """Tap structure of a 1-D correlation kernel.

    Follows scipy.ndimage.correlate1d: an odd kernel whose weights are
    symmetric (or antisymmetric) within DBL_EPSILON is folded, the centre
    first and then the pairs from the outermost inwards, each pair using
    the left weight; other kernels apply the last tap first, then the
    others in order.  With ``skip_zero`` taps with ``|w| <= DBL_EPSILON``
    (and NaN weights) are dropped, as scipy's N-D correlate drops them.
    Returns ``(kind, off1, off2, w, center)``.
    """
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    L = w.shape[0]
    d = dilation

    def keep(v):
        return (not skip_zero) or abs(v) > DBL_EPSILON

    if L & 1:
        c = L // 2
        left = w[:c][::-1]           # w[c-1], ..., w[0]
        right = w[c + 1:]            # w[c+1], ..., w[L-1]
        kind = None
        if np.all(np.abs(right - left) <= DBL_EPSILON):
            kind = "sym"
        elif np.all(np.abs(right + left) <= DBL_EPSILON):
            kind = "anti"
        if kind is not None:
            off1, off2, ws = [], [], []
            for k in range(c, 0, -1):
                if keep(w[c - k]):
                    off1.append((c - k) * d)
                    off2.append((c + k) * d)
                    ws.append(float(w[c - k]))
            center = (c * d, float(w[c])) if keep(w[c]) else None
            return kind, off1, off2, ws, center
    order = [L - 1] + list(range(L - 1))
    off1, ws = [], []
    for i in order:
        if keep(w[i]):
            off1.append(i * d)
            ws.append(float(w[i]))
    return "single", off1, list(off1), ws, None


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


# ---------------------------------------------------------------- dtypes
_SMALL_INTS = {np.dtype(t) for t in (np.bool_, np.int8, np.uint8, np.int16, np.uint16)}


def real_dtype(dt):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return np.dtype(np.float32) if dt == np.complex64 else np.dtype(np.float64)
    return dt


def work_dtype(in_dtype, out_dtype):
    """Working precision: float32 for a float32 result from float32 (or
    small-integer) data, float64 otherwise (scipy computes in float64)."""
    i = real_dtype(in_dtype)
    o = real_dtype(out_dtype)
    if o == np.float32 and (i == np.float32 or i in _SMALL_INTS):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _quantized(out_dtype):
    return np.dtype(out_dtype).kind in "biu"


def _scratch_dtype(out_dtype):
    """Intermediates stored through the output type (bool: scipy keeps the
    raw wrapped byte, so the intermediate is uint8)."""
    dt = np.dtype(out_dtype)
    return np.dtype(np.uint8) if dt == np.bool_ else dt


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
    nthreads = _core.threads_for(workers, max(d.size, s.size) * ntaps)
    E = engine("line")
    qdt = _scratch_dtype(dst.dtype) if quantize else None
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
                        q_tc=V.typecode(qdt), q_size=qdt.itemsize)
        E.run_stage(src_v, out_v, V.typecode(cur.dtype), V.typecode(out.dtype),
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
        raise ValueError("components must share their axes and strides")
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
    nthreads = _core.threads_for(workers, dst.size * ntaps)
    engine("line").run_stage(
        src, dst, V.typecode(src.dtype), V.typecode(dst.dtype), passes, ca=ca,
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
    ident = make_pass(input.ndim - 1, [1.0], V.MODE_CONSTANT, 0.0,
                      input.shape[-1])
    run_passes(src, target, [ident], dtype=np.dtype(np.float64),
               x=input.ndim - 1)
    return target


# ---------------------------------------------------------------- kernels
def gaussian_kernel1d(sigma, order, radius):
    """Samples of the ``order``-th derivative of a Gaussian on
    ``-radius..radius`` (the convolution kernel scipy.ndimage uses).

    The Gaussian is normalised to sum 1; a derivative is the polynomial
    ``q(x)`` times it, with ``q_0 = 1`` and
    ``q_{n+1}(x) = q_n'(x) - x q_n(x) / sigma**2``.
    """
    sigma2 = sigma * sigma
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / sigma2 * x ** 2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    c = np.zeros(order + 1)
    c[0] = 1.0
    inv = -1.0 / sigma2
    for _ in range(order):
        nxt = np.zeros(order + 1)
        for k in range(order + 1):
            v = 0.0
            terms = []
            if k >= 1:
                terms.append(inv * c[k - 1])
            if k + 1 <= order:
                terms.append((k + 1) * c[k + 1])
            for t in terms:
                v = v + t
            nxt[k] = v
        c = nxt
    # q(x) evaluated as a Vandermonde product (numpy's dot, so the rounding
    # is the same as scipy's evaluation of the same polynomial)
    q = np.vander(x, order + 1, increasing=True).dot(c)
    return q * phi


def gaussian_radius(sigma, truncate, radius):
    if radius is not None:
        return radius
    return int(truncate * float(sigma) + 0.5)


# ---------------------------------------------------------------- method selection
def _rank1_factors(w, rtol=1e-10):
    """Factors of a rank-1 kernel (None if it is not rank 1 to ``rtol``)."""
    from .kernels import separate
    return separate(w, rtol=rtol)


# Rank-1 tolerance: 'auto' accepts a kernel whose rank-1 error is below the
# working precision's rounding; an explicit method='separable' accepts the
# documented 1e-6 (kernels built from float32 factors).
AUTO_RTOL = {np.dtype(np.float32): 1e-7, np.dtype(np.float64): 1e-10}
EXPLICIT_RTOL = 1e-6


def _separable_faithful(w, factors):
    """True when running the factors with zero taps skipped applies exactly
    the taps the direct engine applies (|w| > DBL_EPSILON), so NaN and inf
    propagate alike."""
    keep = np.abs(w) > DBL_EPSILON
    fkeep = [np.abs(f) > DBL_EPSILON for f in factors]
    outer = fkeep[0]
    for f in fkeep[1:]:
        outer = np.multiply.outer(outer, f)
    return np.array_equal(outer.reshape(w.shape), keep)


def correlate_method(method, input, w, output, modes, cval, base, stride,
                     dilation, out_shape, workers, skip_small=True):
    """Correlate with ``method`` in 'auto', 'direct', 'separable', 'fft'.

    Arguments as :func:`pyfilter._core.correlate_nd` (``w`` has
    ``input.ndim`` dimensions; one mode code per axis).
    """
    method = V.check_method(method)
    if method == "direct":
        return _core.correlate_nd(input, w, output, modes, cval, base, stride,
                                  dilation, out_shape, workers, skip_small=skip_small)
    complex_case = input.dtype.kind == "c" or w.dtype.kind == "c"
    faxes = [a for a in range(w.ndim) if w.shape[a] > 1]
    if method == "auto":
        choice = _auto_choice(input, w, output, faxes, out_shape, complex_case,
                              skip_small)
        if choice == "direct":
            return _core.correlate_nd(input, w, output, modes, cval, base, stride,
                                      dilation, out_shape, workers,
                                      skip_small=skip_small)
        method = choice
    if method == "separable":
        return _correlate_separable(input, w, output, modes, cval, base, stride,
                                    dilation, out_shape, workers, skip_small)
    return _correlate_fft(input, w, output, modes, cval, base, stride, dilation,
                          out_shape, workers)


def _target_dtype(output, input, w):
    if isinstance(output, np.ndarray):
        return output.dtype
    complex_out = input.dtype.kind == "c" or w.dtype.kind == "c"
    return V.output_dtype(output, input.dtype, complex_out)


def _auto_choice(input, w, output, faxes, out_shape, complex_case, skip_small):
    if complex_case or input.size == 0:
        return "direct"
    try:
        tdt = _target_dtype(output, input, w)
    except Exception:
        return "direct"   # let the direct path raise the error
    if tdt.kind not in "fc":
        return "direct"   # integer outputs: the direct engine's exact rounding
    if not np.all(np.isfinite(w)):
        return "direct"
    ntaps = int(np.count_nonzero(np.abs(w) > DBL_EPSILON)) if skip_small else w.size
    if len(faxes) >= 2 and w.size >= SEPARABLE_MIN_TAPS:
        f = _rank1_factors(w.reshape([w.shape[a] for a in faxes]),
                           AUTO_RTOL[work_dtype(input.dtype, tdt)])
        if f is not None and (not skip_small or _separable_faithful(
                w.reshape([w.shape[a] for a in faxes]), f)):
            return "separable"
    size = int(np.prod(out_shape)) if len(out_shape) else 1
    nf = max(len(faxes), 1)
    min_taps = FFT_MIN_TAPS.get(nf, FFT_MIN_TAPS_DEFAULT)
    if ntaps >= min_taps and size >= FFT_MIN_SIZE:
        if np.all(np.isfinite(input)):
            return "fft"
    return "direct"


def _correlate_separable(input, w, output, modes, cval, base, stride, dilation,
                         out_shape, workers, skip_small):
    if w.dtype.kind == "c":
        raise ValueError("method='separable' supports real kernels only; got a "
                         "complex kernel (use method='direct' or 'fft')")
    nd = input.ndim
    faxes = [a for a in range(nd) if w.shape[a] > 1]
    if len(faxes) == 0:
        faxes = [nd - 1]
    wf = w.reshape([w.shape[a] for a in faxes])
    factors = _rank1_factors(wf, EXPLICIT_RTOL) if len(faxes) > 1 else [wf.reshape(-1)]
    if factors is None:
        raise ValueError(f"method='separable' needs a separable (rank-1) kernel; the "
                         f"kernel of shape {w.shape} is not (see pyfilter.kernels.separate)")
    complex_out = input.dtype.kind == "c"
    result, target, cval = V.prepare_output(output, input, out_shape, complex_out, cval)
    if target.size == 0:
        return result
    dtype = work_dtype(input.dtype, target.dtype)
    # axes that are not filtered but strided/shifted get an identity pass
    paxes = list(faxes)
    pfac = list(factors)
    for a in range(nd):
        if a not in faxes and (stride[a] != 1 or base[a] != 0
                               or out_shape[a] != input.shape[a]):
            paxes.append(a)
            pfac.append(np.ones(1))
    order = sorted(range(len(paxes)), key=lambda i: paxes[i])

    def fn(src, dst, cv):
        passes = []
        for i in order:
            a = paxes[i]
            passes.append(make_pass(a, pfac[i], modes[a], cv, src.shape[a],
                                    base=base[a], stride=stride[a],
                                    dilation=dilation[a], n_out=out_shape[a],
                                    skip_zero=skip_small))
        nd_cvals(passes, cv)
        run_passes(src, dst, passes, dtype=dtype, workers=workers)

    split_complex(input, target, cval, fn)
    return V.finish_output(result, target)


_NP_PAD = {V.MODE_CONSTANT: "constant", V.MODE_NEAREST: "edge",
           V.MODE_REFLECT: "symmetric", V.MODE_MIRROR: "reflect", V.MODE_WRAP: "wrap"}


def _extend(x, axis, lo, hi, mode, cval):
    """Virtual positions lo..hi-1 of ``x`` along ``axis`` (mode extension)."""
    n = x.shape[axis]
    before = max(0, -lo)
    after = max(0, hi - n)
    if before or after:
        pad = [(0, 0)] * x.ndim
        pad[axis] = (before, after)
        npmode = _NP_PAD[mode]
        if npmode == "reflect" and n == 1:
            npmode = "edge"
        if npmode == "constant":
            x = np.pad(x, pad, mode="constant", constant_values=cval)
        else:
            x = np.pad(x, pad, mode=npmode)
    sl = [slice(None)] * x.ndim
    sl[axis] = slice(lo + before, hi + before)
    return x[tuple(sl)]


def _correlate_fft(input, w, output, modes, cval, base, stride, dilation,
                   out_shape, workers):
    """Correlation by FFT: extend the input per mode over the range the
    kernel reads, multiply spectra, and keep only the strided outputs (the
    spectrum is folded so the inverse transform has the output's size)."""
    import scipy.fft as sfft
    complex_case = input.dtype.kind == "c" or w.dtype.kind == "c"
    result, target, cval = V.prepare_output(output, input, out_shape, complex_case, cval)
    if target.size == 0:
        return result
    nd = input.ndim
    nworkers = _workers.resolve(workers)
    single = (real_dtype(input.dtype) == np.float32
              and real_dtype(target.dtype) == np.float32 and w.dtype.kind != "c")
    fdt = np.complex64 if single else np.complex128
    rdt = np.float32 if single else np.float64
    if complex_case:
        x = input.astype(fdt, copy=False)
    else:
        x = input.astype(rdt, copy=False)
    # dilated kernel
    kd_shape = [(w.shape[a] - 1) * dilation[a] + 1 for a in range(nd)]
    kd = np.zeros(kd_shape, dtype=w.dtype)
    kd[tuple(slice(None, None, dilation[a]) for a in range(nd))] = w
    axes = [a for a in range(nd) if kd_shape[a] > 1 or stride[a] > 1] or [nd - 1]
    if all(s == 1 for s in stride):
        # overlap-save tiles; the extension also covers the last tile
        T = {a: _tile_sizes(out_shape[a], kd_shape[a], complex_case) for a in axes}
        ranges = []
        for a in range(nd):
            if a in T:
                B = T[a] - kd_shape[a] + 1
                M = -(-out_shape[a] // B) * B + kd_shape[a] - 1
            else:
                M = out_shape[a] + kd_shape[a] - 1
            ranges.append((base[a], base[a] + M))
        x = _extend_all(x, ranges, modes, cval)
        y = _fft_tiled(x, kd, kd_shape, T, out_shape, complex_case, fdt, rdt, nworkers)
        store_into(target, y)
        return V.finish_output(result, target)
    sizes = []
    for a in range(nd):
        M = (out_shape[a] - 1) * stride[a] + kd_shape[a]
        x = _extend(x, a, base[a], base[a] + M, modes[a], cval)
        if a in axes:
            s = stride[a]
            sizes.append(s * sfft.next_fast_len(-(-M // s), real=not complex_case))
    # kernel in circular-correlation layout: kp[0] = kd[0], kp[F-i] = kd[i]
    kp = np.zeros([sizes[axes.index(a)] if a in axes else 1 for a in range(nd)],
                  dtype=fdt if (complex_case or w.dtype.kind == "c") else rdt)
    idx = []
    for a in range(nd):
        i = np.arange(kd_shape[a])
        if a in axes:
            idx.append((-i) % sizes[axes.index(a)])
        else:
            idx.append(i)
    kp[np.ix_(*idx)] = kd
    use_real = not complex_case and all(s == 1 for s in stride)
    if use_real:
        X = sfft.rfftn(x, s=sizes, axes=axes, workers=nworkers)
        X *= sfft.rfftn(kp, s=sizes, axes=axes, workers=nworkers)
        y = sfft.irfftn(X, s=sizes, axes=axes, workers=nworkers)
    else:
        X = sfft.fftn(x, s=sizes, axes=axes, workers=nworkers)
        X *= sfft.fftn(kp, s=sizes, axes=axes, workers=nworkers)
        # fold the spectrum for strided outputs: y[o*s] = ifft_G(sum_m X[k+mG]) / s
        gsizes = []
        for j, a in enumerate(axes):
            s = stride[a]
            F = sizes[j]
            if s > 1:
                G = F // s
                shp = list(X.shape)
                shp[a:a + 1] = [s, G]
                X = X.reshape(shp).sum(axis=a) / s
                gsizes.append(G)
            else:
                gsizes.append(F)
        y = sfft.ifftn(X, s=gsizes, axes=axes, workers=nworkers)
        if not complex_case:
            y = y.real
    sl = []
    for a in range(nd):
        if a in axes:
            sl.append(slice(0, out_shape[a]))
        else:
            sl.append(slice(0, (out_shape[a] - 1) * stride[a] + 1, stride[a]))
    y = y[tuple(sl)]
    store_into(target, y)
    return V.finish_output(result, target)


def _tile_sizes(n_out, K, complex_case):
    """Overlap-save tile length for one axis: the fewest transformed points
    with a mild penalty for long transforms (measured with scipy.fft on
    2048^2 float32: tiles of 320-512 beat both small tiles and one
    full-size transform for a 31x31 kernel)."""
    import scipy.fft as sfft
    best = None
    full = sfft.next_fast_len(n_out + K - 1, real=not complex_case)
    T = sfft.next_fast_len(max(2 * K, 16), real=not complex_case)
    while True:
        B = T - K + 1
        ntiles = -(-n_out // B)
        cost = ntiles * T * (1.0 + np.log2(max(T, 2)) / 8.0)
        if best is None or cost < best[0]:
            best = (cost, T)
        if T >= full or T >= 4096:
            break
        T = sfft.next_fast_len(T + 1, real=not complex_case)
    return best[1]


def _extend_all(x, ranges, modes, cval):
    """Virtual positions ``ranges[a]`` of ``x`` along every axis (mode
    extension); one np.pad call when the modes agree."""
    if len(set(modes)) == 1:
        pad, sl = [], []
        for a, (lo, hi) in enumerate(ranges):
            n = x.shape[a]
            before, after = max(0, -lo), max(0, hi - n)
            pad.append((before, after))
            sl.append(slice(lo + before, hi + before))
        if any(p != (0, 0) for p in pad):
            npmode = _NP_PAD[modes[0]]
            if npmode == "reflect" and any(x.shape[a] == 1 and pad[a] != (0, 0)
                                           for a in range(x.ndim)):
                npmode = None
            if npmode == "constant":
                x = np.pad(x, pad, mode="constant", constant_values=cval)
            elif npmode is not None:
                x = np.pad(x, pad, mode=npmode)
            else:
                for a, (lo, hi) in enumerate(ranges):
                    x = _extend(x, a, lo, hi, modes[a], cval)
                return x
        return x[tuple(sl)]
    for a, (lo, hi) in enumerate(ranges):
        x = _extend(x, a, lo, hi, modes[a], cval)
    return x


def _fft_tiled(x, kd, kd_shape, T, out_shape, complex_case, fdt, rdt, nworkers):
    """Overlap-save correlation: the extended input ``x`` (virtual
    positions of the outputs' windows, covering whole tiles) is cut into
    overlapping tiles of size ``T[a]`` along the FFT axes, all transformed
    in one batched scipy.fft call, multiplied by the kernel's spectrum
    (computed once at tile size) and transformed back; each tile keeps its
    alias-free part."""
    import scipy.fft as sfft
    nd = x.ndim
    axes = sorted(T)
    B = {a: T[a] - kd_shape[a] + 1 for a in axes}
    ntl = {a: -(-out_shape[a] // B[a]) for a in axes}
    shape, strides, taxes = [], [], []
    for a in range(nd):
        if a in T:
            shape += [ntl[a], T[a]]
            strides += [B[a] * x.strides[a], x.strides[a]]
            taxes.append(len(shape) - 1)
        else:
            shape.append(x.shape[a])
            strides.append(x.strides[a])
    tiles = np.lib.stride_tricks.as_strided(x, shape=shape, strides=strides,
                                            writeable=False)
    # kernel in circular-correlation layout at tile size
    kshape = [T[a] if a in T else 1 for a in range(nd)]
    kp = np.zeros(kshape, dtype=fdt if (complex_case or kd.dtype.kind == "c") else rdt)
    idx = [((-np.arange(kd_shape[a])) % T[a]) if a in T else np.arange(kd_shape[a])
           for a in range(nd)]
    kp[np.ix_(*idx)] = kd
    tsizes = [T[a] for a in axes]
    if complex_case:
        X = sfft.fftn(tiles, s=tsizes, axes=taxes, workers=nworkers)
        X *= sfft.fftn(kp, s=tsizes, axes=axes, workers=nworkers).reshape(
            _bcast(X.shape, taxes))
        y = sfft.ifftn(X, s=tsizes, axes=taxes, workers=nworkers, overwrite_x=True)
    else:
        X = sfft.rfftn(tiles, s=tsizes, axes=taxes, workers=nworkers)
        X *= sfft.rfftn(kp, s=tsizes, axes=axes, workers=nworkers).reshape(
            _bcast(X.shape, taxes))
        y = sfft.irfftn(X, s=tsizes, axes=taxes, workers=nworkers, overwrite_x=True)
    del X
    return _TiledResult(y, nd, T, B, ntl, out_shape)


class _TiledResult:
    """The valid parts of the tiles, copied block by block into an output
    (no intermediate reassembled array)."""

    def __init__(self, y, nd, T, B, ntl, out_shape):
        self.y, self.nd, self.T, self.B, self.ntl = y, nd, T, B, ntl
        self.out_shape = out_shape
        self.dtype = y.dtype

    def blocks(self):
        fax = [a for a in range(self.nd) if a in self.T]
        for idx in np.ndindex(*[self.ntl[a] for a in fax]):
            src, dst = [], []
            t = dict(zip(fax, idx))
            for a in range(self.nd):
                if a in self.T:
                    lo = t[a] * self.B[a]
                    hi = min(lo + self.B[a], self.out_shape[a])
                    src += [t[a], slice(0, hi - lo)]
                    dst.append(slice(lo, hi))
                else:
                    src.append(slice(None))
                    dst.append(slice(None))
            yield tuple(dst), self.y[tuple(src)]


def _bcast(xshape, taxes):
    """Shape of the kernel spectrum broadcast against the tiles' spectrum."""
    return [xshape[i] if i in taxes else 1 for i in range(len(xshape))]



def store_into(target, y):
    """Store a float result with scipy's casting rules (numpy's copy when
    the types agree)."""
    if isinstance(y, _TiledResult):
        for dst, blk in y.blocks():
            store_into(target[dst], blk)
        return target
    if target.dtype == y.dtype:
        np.copyto(target, y)
    else:
        copy_into(target, y)
    return target
