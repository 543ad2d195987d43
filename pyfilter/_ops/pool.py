"""The pooling op: torch.nn.functional's pooling geometry planned on the
window-reduction engine (``pyfilter/_cext/reduce.pxi``).

Callers (the ``nn`` dialect) pass validated arrays and torch's checked
parameters (kernel, stride, padding, dilation, the output lengths); the
planning lives here: per-axis window tables (first valid tap, valid tap
count, torch's fallback index), the uniform interior windows along x
that the argmax kernel vectorises, average-pooling divisors, adaptive bin
edges, and the (planes, s0, s1, s2) views of the table kernels.  Every
function returns a planned call (:class:`pyfilter._ops.plans.Call`, or
:class:`MultiCall` for several results or a second input array).
"""
import numpy as np

from .._cext import engine
from .._common import codes as C
from .._common import workers as W
from .._common.errors import ArgumentError
from . import plans as P
from . import reduce as R


def _eng():
    return engine("reduce")


# ---------------------------------------------------------------- geometry
def window_tables(n, k, s, p, d, m):
    """Per output index: first valid tap position, number of valid taps
    (positions o*s - p + j*d inside [0, n)), and torch's fallback index
    (the first position >= 0) for windows without a valid tap."""
    o = np.arange(m, dtype=np.intp)
    start = o * s - p
    kf = np.where(start < 0, (-start + d - 1) // d, 0)
    kl = np.minimum(k - 1, np.floor_divide(n - 1 - start, d))
    ct = np.maximum(kl - kf + 1, 0)
    st = start + kf * d
    return st, ct, st.copy()


def adaptive_tables(n, m):
    """torch's adaptive bins: output i covers floor(i n / m) .. ceil((i+1) n / m) - 1."""
    o = np.arange(m, dtype=np.intp)
    start = (o * n) // m
    end = -((-(o + 1) * n) // m)
    return start, end - start, start.copy()


def _unit_table():
    one = np.zeros(1, np.intp)
    return one, np.ones(1, np.intp), one


def avg_divisors(spatial, k, s, p, m, count_include_pad):
    """torch's avg_pool divisor, as a product of one factor per axis."""
    divs = []
    for n, ki, si, pi, mi in zip(spatial, k, s, p, m):
        start = np.arange(mi) * si - pi
        end = np.minimum(start + ki, n + pi)
        if count_include_pad:
            divs.append((end - start).astype(np.float64))
        else:
            divs.append((np.minimum(end, n) - np.maximum(start, 0)).astype(np.float64))
    return divs


def _planes_shape(shape, nd):
    """(..., *spatial) -> (planes, s0, s1, s2), missing leading spatial axes
    of extent 1."""
    sp = tuple(shape[len(shape) - nd:])
    return (int(np.prod(shape[:len(shape) - nd])),) + (1,) * (3 - nd) + sp


def _concat(tables):
    """The engine's concatenated (start, count, fallback) tables."""
    return tuple(np.ascontiguousarray(np.concatenate([t[i] for t in tables]), np.intp)
                 for i in range(3))


def _xwin(n, k, s, p, d, m):
    """(ia, ib, s, -p, k): the outputs ia <= i < ib whose whole window lies
    inside the row along the last axis, or None."""
    ia = -(-p // s)
    lim = n - 1 - (k - 1) * d + p
    ib = min(m, lim // s + 1) if lim >= 0 else 0
    return (ia, ib, s, -p, k) if ib > ia else None


def _table_plan(in_shape, out_shape, tables, dilation, op, dtype, xwin=None):
    cdt = np.dtype(np.uint8) if np.dtype(dtype) == np.bool_ else np.dtype(dtype)
    ia, ib, s2, b2, k2 = xwin if xwin is not None else (0, 0, 1, 0, 1)
    opts = {"op": op, "ctc": C.typecode(cdt), "ia": ia, "ib": ib, "s2": s2, "b2": b2,
            "K2": k2}
    st, ct, fi = _concat(tables)
    return _eng().TablePlan(np.asarray(in_shape, np.intp), np.asarray(out_shape, np.intp),
                            st, ct, fi, np.asarray(dilation, np.intp), opts)


def _argmax_plan(shape, nd, k, s, p, d, m, dtype):
    """A TablePlan of max pooling with indices over (..., *spatial) arrays."""
    spatial = shape[len(shape) - nd:]
    tables = [_unit_table() for _ in range(3 - nd)]
    tables += [window_tables(n, ki, si, pi, di, mi)
               for n, ki, si, pi, di, mi in zip(spatial, k, s, p, d, m)]
    dil = [1] * (3 - nd) + list(d)
    xwin = _xwin(spatial[-1], k[-1], s[-1], p[-1], d[-1], m[-1])
    out_shape = tuple(shape[:len(shape) - nd]) + tuple(m)
    return _table_plan(_planes_shape(shape, nd), _planes_shape(out_shape, nd), tables, dil,
                       R.OP_MAX, dtype, xwin)


# ---------------------------------------------------------------- calls
class MultiCall(P.Call):
    """A planned call with several results (``outs``: [(shape, dtype)]) or
    a second input array ``other`` (a gradient, indices): ``build(input,
    other)`` plans it once, ``run(plan, input, other, results, nthreads)``
    fills the fresh results.  Returns one array or a tuple of them."""

    __slots__ = ("outs",)

    def __init__(self, build, run, outs, work):
        super().__init__(build, run, outs[0][0], outs[0][1], work)
        self.outs = [(tuple(s), np.dtype(d)) for s, d in outs]

    def __call__(self, input, other, workers):
        if P._CAPTURING[0]:
            cap = getattr(P._tls, "capture", None)
            if cap is not None:
                cap.call = self
                raise P.Captured()
        results = [np.empty(s, d) for s, d in self.outs]
        nthreads = W.threads_for(workers, self.work)
        if results[0].size:
            plan = self.plans.get(None)
            if plan is None:
                plan = self.plans.setdefault(None, self.build(input, other))
            self.run(plan, input, other, results, nthreads)
            W.call_done(nthreads)
        return results[0] if len(results) == 1 else tuple(results)


def run_cached_pair(cache, tag, input, other, args, plan_fn, workers, check):
    """:func:`pyfilter._ops.plans.run_cached` for a call that reads two
    arrays: keyed on both layouts (``other`` only when it is a native
    ndarray), validated by ``check(input, other)`` and planned by
    ``plan_fn(input, other)`` on a miss."""
    key = None
    if type(other) is np.ndarray and other.dtype.isnative:
        key = P.call_key(tag, input, other, args)
    call = cache.get(key)
    if call is None:
        input, other = check(input, other)
        call = cache.put(key, plan_fn(input, other))
    return call(input, other, workers)


def _box_run(plan, inp, tgt, nthreads):
    plan.run(inp, tgt, nthreads)


def max_pool_call(x, nd, k, s, p, d, m, indices):
    """Max pooling of ``x`` ((N, C, *spatial) or (C, *spatial), ``nd``
    spatial axes) with torch's parameters and output lengths ``m``;
    padding never wins (-inf / the type's lowest value).  With
    ``indices``: a :class:`MultiCall` returning (values, argmax flat
    indices into each input plane)."""
    lead = x.shape[:x.ndim - nd]
    out_shape = tuple(lead) + tuple(m)
    ndim = x.ndim
    work = int(np.prod(out_shape)) * max(1, int(np.prod(k))) + x.size
    if not indices:
        cval = R.identity(R.OP_MAX, x.dtype)

        def build(inp, tgt):
            z = [0] * len(lead)
            plan = R.box_plan(inp.shape, tgt.shape, [1] * len(lead) + list(k),
                              [1] * len(lead) + list(s), [1] * len(lead) + list(d),
                              z + [-pi for pi in p], [C.MODE_CONSTANT] * ndim, R.OP_MAX,
                              inp.dtype, inp.dtype, inp.dtype)
            return R.Single(plan, cval)
        return P.Call(build, _box_run, out_shape, x.dtype, work)
    pshape = _planes_shape(x.shape, nd)
    oshape = _planes_shape(out_shape, nd)

    def build_i(inp, other):
        return _argmax_plan(inp.shape, nd, k, s, p, d, m, inp.dtype)

    def run_i(plan, inp, other, results, nthreads):
        vals, idx = results
        plan.run(inp.reshape(pshape), vals.reshape(oshape), idx.reshape(oshape), nthreads)
    return MultiCall(build_i, run_i, [(out_shape, x.dtype), (out_shape, np.int64)], work)


def avg_pool_call(x, nd, k, s, p, m, count_include_pad, divisor):
    """Average pooling with torch's divisor (``divisor``: the override, or
    0 for torch's rule with ``count_include_pad``); zero padding."""
    lead = tuple(x.shape[:x.ndim - nd])
    spatial = x.shape[x.ndim - nd:]
    out_shape = lead + tuple(m)
    ndim = x.ndim
    divs = [np.ones(n) for n in lead] + avg_divisors(spatial, k, s, p, m, count_include_pad)
    work = int(np.prod(out_shape)) * max(1, int(np.prod(k))) + x.size

    def build(inp, tgt):
        nl = len(lead)
        plan = R.box_plan(inp.shape, tgt.shape, [1] * nl + list(k), [1] * nl + list(s),
                          [1] * ndim, [0] * nl + [-pi for pi in p], [C.MODE_CONSTANT] * ndim,
                          R.OP_SUM, inp.dtype, inp.dtype, inp.dtype, mean=True,
                          div_const=divisor, divisors=None if divisor else divs)
        return R.Single(plan, 0.0)
    return P.Call(build, _box_run, out_shape, x.dtype, work)


def adaptive_call(x, m, op, indices):
    """2-D adaptive max (``op`` OP_MAX, optionally with indices) or average
    (OP_SUM) pooling of (N, C, H, W) / (C, H, W) into output lengths ``m``."""
    lead = tuple(x.shape[:x.ndim - 2])
    out_shape = lead + tuple(m)
    pshape = _planes_shape(x.shape, 2)
    oshape = _planes_shape(out_shape, 2)
    work = x.size + int(np.prod(out_shape))

    def plan_for(inp):
        tables = [_unit_table()] + [adaptive_tables(n, mi)
                                    for n, mi in zip(inp.shape[inp.ndim - 2:], m)]
        return _table_plan(pshape, oshape, tables, [1, 1, 1], op, inp.dtype)
    if not indices:
        def run(plan, inp, tgt, nthreads):
            plan.run(inp.reshape(pshape), tgt.reshape(oshape), None, nthreads)
        return P.Call(lambda inp, tgt: plan_for(inp), run, out_shape, x.dtype, work)

    def run_i(plan, inp, other, results, nthreads):
        vals, idx = results
        plan.run(inp.reshape(pshape), vals.reshape(oshape), idx.reshape(oshape), nthreads)
    return MultiCall(lambda inp, other: plan_for(inp), run_i,
                     [(out_shape, x.dtype), (out_shape, np.int64)], work)


def global_call(x, op, keepdims):
    """The mean (``op`` OP_SUM) or the maximum (OP_MAX, NaN propagates)
    over every spatial axis of (N, C, *spatial); the spatial axes kept
    with length 1 with ``keepdims``."""
    nd = x.ndim
    spatial = list(x.shape[2:])
    full = x.shape[:2] + (1,) * (nd - 2)
    out_shape = full if keepdims else x.shape[:2]
    if op == R.OP_SUM:
        kw = {"mean": True, "div_const": float(np.prod(spatial))}
        cval = 0.0
    else:
        kw = {}
        cval = R.identity(R.OP_MAX, x.dtype)

    def build(inp, tgt):
        return R.box_plan(inp.shape, full, [1, 1] + spatial, [1, 1] + spatial, [1] * nd,
                          [0] * nd, [C.MODE_CONSTANT] * nd, op, inp.dtype, inp.dtype,
                          inp.dtype, **kw)

    def run(plan, inp, tgt, nthreads):
        plan.run(inp, tgt.reshape(full), cval, nthreads)
    return P.Call(build, run, out_shape, x.dtype, x.size + int(np.prod(full)))


def unpool_call(x, nd, size):
    """max_unpool: each value of ``x`` ((N, C, *spatial) or (C, *spatial))
    written at its flat index (the second array) in a zero-filled plane of
    spatial shape ``size``."""
    lead = tuple(x.shape[:x.ndim - nd])
    planes = int(np.prod(lead))
    nin = int(np.prod(x.shape[x.ndim - nd:]))
    nout = int(np.prod(size))
    out_shape = lead + tuple(size)

    def run(plan, inp, idx, results, nthreads):
        out = results[0]
        x2 = np.ascontiguousarray(inp.reshape(planes, nin))
        i2 = np.ascontiguousarray(idx.reshape(planes, nin), dtype=np.int64)
        bad = _eng().scatter(x2, i2, out.reshape(planes, nout), False, True, nthreads)
        if bad is not None:
            raise ArgumentError(f"indices contains {bad[1]} (plane {bad[0]}), which is "
                                f"outside the unpooled plane of {tuple(size)} = {nout} "
                                "elements")
    return MultiCall(lambda inp, idx: None, run, [(out_shape, x.dtype)], x.size * 8)


def max_pool_backward_call(x, g_dtype, nd, k, s, p, d, m):
    """The gradient of max pooling: every grad_output element (the second
    array, of the pooled shape) added at its window's argmax (recomputed
    from ``x``); the result has x's shape and the gradient's dtype."""
    lead = tuple(x.shape[:x.ndim - nd])
    out_shape = lead + tuple(m)
    planes = int(np.prod(lead))
    nin = int(np.prod(x.shape[x.ndim - nd:]))
    pshape = _planes_shape(x.shape, nd)
    oshape = _planes_shape(out_shape, nd)
    work = int(np.prod(out_shape)) * max(1, int(np.prod(k))) + x.size

    def build(inp, g):
        return _argmax_plan(inp.shape, nd, k, s, p, d, m, inp.dtype)

    def run(plan, inp, g, results, nthreads):
        grad_in = results[0]
        vals = np.empty(oshape, inp.dtype)
        idx = np.empty(oshape, np.int64)
        plan.run(inp.reshape(pshape), vals, idx, nthreads)
        _eng().scatter(np.ascontiguousarray(g.reshape(planes, -1)), idx.reshape(planes, -1),
                       grad_in.reshape(planes, nin), True, True, nthreads)
    return MultiCall(build, run, [(x.shape, g_dtype)], work)


def avg_pool_backward_call(g, shape, nd, k, s, p, m, count_include_pad, divisor):
    """The gradient of average pooling for an input of ``shape`` ((N, C,
    *spatial) or (C, *spatial)) from ``g`` of the pooled shape; a planned
    call on ``g``."""
    lead = tuple(shape[:len(shape) - nd])
    spatial = list(shape[len(shape) - nd:])
    planes = int(np.prod(lead))
    gshape = (planes,) + (1,) * (3 - nd) + tuple(m)
    ishape = (planes,) + (1,) * (3 - nd) + tuple(spatial)
    starts, counts = [], []
    for _ in range(3 - nd):
        starts.append(np.zeros(1, np.intp))
        counts.append(np.ones(1, np.intp))
    for n, ki, si, pi, mi in zip(spatial, k, s, p, m):
        start = np.arange(mi) * si - pi
        lo = np.maximum(start, 0)
        hi = np.minimum(start + ki, n)
        starts.append(lo)
        counts.append(hi - lo)
    divs = [np.ones(1)] * (3 - nd) + avg_divisors(spatial, k, s, p, m, count_include_pad)
    work = int(np.prod(gshape)) * max(1, int(np.prod(k)))

    def build(inp, tgt):
        return _eng().AvgBackwardPlan(
            np.asarray(gshape, np.intp), np.asarray(ishape, np.intp),
            np.ascontiguousarray(np.concatenate(starts), np.intp),
            np.ascontiguousarray(np.concatenate(counts), np.intp),
            np.ascontiguousarray(np.concatenate(divs), np.float64), float(divisor),
            inp.dtype == np.float32)

    def run(plan, inp, tgt, nthreads):
        plan.run(np.ascontiguousarray(inp.reshape(gshape)), tgt.reshape(ishape), nthreads)
    return P.Call(build, run, tuple(shape), g.dtype, work)
