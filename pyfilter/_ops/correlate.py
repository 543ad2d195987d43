"""The N-D correlation op (engine ``pyfilter/_cext/correlate.pxi``).

:func:`call` validates the output and ``cval`` of one correlation, works out
its compute type, tap mask and line layout, and returns a
:class:`pyfilter._ops.plans.Call`; the engine's :class:`CorrelatePlan`
(tap, row and boundary tables) is built once, when the call first runs.
"""
import warnings
from typing import Any

import numpy as np

from .._common import codes as C
from .._common import dtypes as D
from .._common import validate as V
from .._common.errors import ArgumentError
from .._cext import engine
from . import plans as P

DBL_EPSILON = np.finfo(np.float64).eps

CAST_ND, CAST_LINE = C.CAST_ND, C.CAST_LINE

# a short, unfiltered last axis runs as an inner block of each line position
INNER_MAX = 32
# Taps per unit of "work" (pyfilter._common.workers.threads_for), by compute
# type: about how many taps the engine applies in the time of one element
# operation of the other engines (vector FMAs, two lines at a time; a
# complex tap is four real multiply-adds).  Measured with 3x3 float32
# kernels on the 2-core development machine (one thread against two, warm
# team): 128^2 11.8 vs 11.1 us, 181^2 19.0 vs 14.8 us, 256^2 27 vs 19 us;
# so threads from about 181^2.
TAPS_PER_OP = {np.dtype(np.float32): 2, np.dtype(np.float64): 1,
               np.dtype(np.complex128): 1}
_NO_KEEP = np.zeros(0, np.uint8)
_NO_IMAG = np.zeros(0, np.float64)


def result_dtype(output, input_dtype, complex_out):
    """The dtype of the array the engine writes for ``output`` (None, a
    dtype or an ndarray, validated as :func:`pyfilter._common.validate.
    get_output` does), and whether scipy's "promoting to complex" warning
    applies to every call.  Nothing is allocated."""
    if isinstance(output, np.ndarray):
        return output.dtype.newbyteorder("="), False
    if output is None:
        return V.output_dtype(None, input_dtype, complex_out), False
    dt = V.output_dtype(output, input_dtype, False)
    if complex_out and dt.kind != "c":
        return np.promote_types(dt, np.complex64).newbyteorder("="), True
    return dt, False


def check_output(output, x, out_shape, complex_out, cval):
    """Validate ``output`` and ``cval`` for a result of ``out_shape`` from
    ``x``: the target dtype, the checked cval and the warning flag of
    :func:`result_dtype`."""
    if isinstance(output, np.ndarray):
        V.get_output(output, x[(slice(0, 0),) * x.ndim] if x.ndim else x, out_shape,
                     complex_out)
    tdt, warn = result_dtype(output, x.dtype, complex_out)
    cval = V.check_cval(cval, x.dtype.kind == "c")
    if x.size == 0 and int(np.prod(out_shape)) != 0:
        raise ArgumentError(f"input has shape {x.shape}: cannot produce a non-empty "
                            f"output of shape {tuple(out_shape)} from an empty input")
    return tdt, cval, warn


def warn_complex():
    warnings.warn("promoting specified output dtype to complex", UserWarning, stacklevel=6)


def kept_taps(w, skip_small):
    """The taps the engine applies: |w| > DBL_EPSILON (NaN weights are
    dropped too) when ``skip_small``, as scipy.ndimage.correlate skips
    them; else every tap."""
    if skip_small:
        return np.abs(w) > DBL_EPSILON
    return np.ones(w.shape, bool)


def reach(keep, base, dilation):
    """Per axis (below, above): how far an output position reads around it
    (stride 1): the kept taps' extreme offsets ``base + k * d``."""
    out = []
    for a in range(keep.ndim):
        ks = np.nonzero(keep.any(axis=tuple(b for b in range(keep.ndim) if b != a)))[0]
        if ks.size == 0:
            ks = np.zeros(1, int)
        lo = base[a] + int(ks.min()) * dilation[a]
        hi = base[a] + int(ks.max()) * dilation[a]
        out.append((-lo, hi))
    return out


def inner_block(x_shape, out_shape, w_shape, stride, dilation, base):
    """True when the last axis is a short unfiltered block (an HWC image)
    that the engine interleaves into the lines of the axis before it."""
    return (len(x_shape) >= 2 and w_shape[-1] == 1 and stride[-1] == 1
            and dilation[-1] == 1 and base[-1] == 0 and x_shape[-1] == out_shape[-1]
            and x_shape[-1] <= INNER_MAX and out_shape[-2] > 1)


def call(x, weights, output, modes, cval, base, stride, dilation, out_shape,
         skip_small=True, cast_rule=CAST_ND):
    """The planned call of correlating the validated ``x`` with ``weights``
    (float64 or complex128, ndim == x.ndim) into ``output`` (None, a dtype
    or an ndarray).

    ``modes``, ``base``, ``stride``, ``dilation``: one entry per axis (axes
    that are not filtered have a kernel of length 1, stride 1, base 0).
    ``skip_small``: drop taps with |w| <= DBL_EPSILON (and NaN weights), as
    scipy.ndimage.correlate does (correlate1d keeps every tap).
    ``cast_rule``: CAST_ND (scipy's correlate/convolve) or CAST_LINE (its
    1-D filters) for NaN and out-of-range values stored into integers.
    """
    complex_out = x.dtype.kind == "c" or weights.dtype.kind == "c"
    out_shape = tuple(int(n) for n in out_shape)
    tdt, cval, warn = check_output(output, x, out_shape, complex_out, cval)
    if complex_out and tdt.kind == "c":
        return _complex_call(x, weights, tdt, cval, modes, base, stride, dilation, out_shape,
                             skip_small, cast_rule)
    cdt = D.compute_dtype(x.dtype, tdt, weights.dtype)
    keep = kept_taps(weights, skip_small)
    ntaps = int(keep.sum())
    nd = x.ndim
    geom = np.array([[stride[a], dilation[a], base[a], modes[a]] for a in range(nd)],
                    dtype=np.intp).reshape(nd, 4)
    inner = inner_block(x.shape, out_shape, weights.shape, stride, dilation, base)
    # copies: the plan outlives the call (the caller may change its array)
    w = np.array(weights, order="C")
    w_re = np.array(w.real, dtype=np.float64, order="C").reshape(-1)
    w_im = (np.array(w.imag, dtype=np.float64, order="C").reshape(-1)
            if w.dtype.kind == "c" else _NO_IMAG)
    keep_a = (np.ascontiguousarray(keep, dtype=np.uint8).reshape(-1)
              if skip_small else _NO_KEEP)
    args = (np.array(x.shape, np.intp), np.array(out_shape, np.intp),
            np.array(w.shape, np.intp), w_re, w_im, keep_a, geom, inner, int(cast_rule),
            C.typecode(x.dtype), C.typecode(tdt), C.typecode(cdt))
    mod = engine("correlate")
    shared: list[Any] = []

    def build(inp, tgt):
        # one engine plan for every target layout (it holds no strides)
        if not shared:
            shared.append(mod.CorrelatePlan(*args))
        return shared[0]

    if warn:
        def run(pl, inp, tgt, nthreads):
            warn_complex()
            pl.run(inp, tgt, cval, nthreads)
    else:
        def run(pl, inp, tgt, nthreads):
            pl.run(inp, tgt, cval, nthreads)

    halo = reach(keep, base, dilation) if all(s == 1 for s in stride) else None
    work = int(np.prod(out_shape)) * max(ntaps, 1) // TAPS_PER_OP[cdt]
    return P.Call(build, run, out_shape, tdt, work, halo)


def _complex_call(x, weights, tdt, cval, modes, base, stride, dilation, out_shape,
                  skip_small, cast_rule):
    """A complex correlation as scipy.ndimage computes it: real correlations
    of the real and imaginary parts (each skipping its own small weights),
    combined.  So ``inf`` stays ``inf + 0j`` where the other part is finite
    (a complex multiply would give ``inf + nanj``), whatever the layout."""
    rdt = np.dtype(np.float32) if tdt == np.complex64 else np.dtype(np.float64)
    xc, wc = x.dtype.kind == "c", weights.dtype.kind == "c"
    proto = np.broadcast_to(np.zeros((), D.real_dtype(x.dtype)), x.shape)
    cre, cim = float(np.real(cval)), float(np.imag(cval))
    wr = np.ascontiguousarray(weights.real, dtype=np.float64)
    wi = np.ascontiguousarray(weights.imag, dtype=np.float64) if wc else None
    # per output part: [(input part, weights, cval, sign)]
    if xc and wc:
        terms = ([(0, wr, cre, 1.0), (1, wi, cim, -1.0)], [(0, wi, cre, 1.0), (1, wr, cim, 1.0)])
    elif xc:
        terms = ([(0, wr, cre, 1.0)], [(1, wr, cim, 1.0)])
    else:
        terms = ([(0, wr, cre, 1.0)], [(0, wi, cre, 1.0)])
    subs = [[(part, call(proto, w, rdt, modes, c, base, stride, dilation, out_shape,
                         skip_small, cast_rule), sign) for part, w, c, sign in t]
            for t in terms]
    calls = [c for t in subs for _, c, _ in t]

    def parts(inp):
        return (inp.real, inp.imag) if xc else (inp, None)

    def build(inp, tgt):
        src = parts(inp)
        return [[c.build(src[part], dst) for part, c, _ in t]
                for t, dst in zip(subs, (tgt.real, tgt.imag))]

    def run(plans, inp, tgt, nthreads):
        src = parts(inp)
        tmp = None
        for t, pl, dst in zip(subs, plans, (tgt.real, tgt.imag)):
            for k, ((part, c, sign), p) in enumerate(zip(t, pl)):
                if k == 0:
                    c.run(p, src[part], dst, nthreads)
                    continue
                if tmp is None:
                    tmp = np.empty(out_shape, rdt)
                c.run(p, src[part], tmp, nthreads)
                if sign < 0:
                    np.subtract(dst, tmp, out=dst)
                else:
                    np.add(dst, tmp, out=dst)

    halos = [c.halo for c in calls]
    halo = None if any(h is None for h in halos) else [
        (max(h[a][0] for h in halos), max(h[a][1] for h in halos)) for a in range(x.ndim)]
    return P.Call(build, run, out_shape, tdt, sum(c.work for c in calls), halo)
