"""The window-reduction op (engine ``pyfilter/_cext/reduce.pxi``).

Callers pass validated arrays and get a planned call
(:class:`pyfilter._ops.plans.Call`): everything here plans engine runs
(compute dtype, the order of the passes, axis order, channel interleave,
temporaries) into typed engine plans (:class:`BoxPlan`,
:class:`FootprintPlan`) built once per layout, and composes them.  No
arithmetic on array data happens in Python.

Layout rules (per engine step, from the shapes and strides):

* unfiltered axes of length 1 are dropped;
* a short (2..8), unfiltered, contiguous last axis (an HWC image's
  channels) is merged with x and interleaved: along the merged axis a
  window of L pixels is L taps spaced by the channel count (as the line
  engine does, :func:`pyfilter._ops.line.channel_block`);
* a single reduced outer axis is moved next to x, so that a long window
  along it runs the van Herk algorithm over whole rows.
"""
from typing import Any

import numpy as np

from .._cext import engine
from .._common import codes as C
from .._common import dtypes as D
from . import line as L_
from . import plans as P

OP_MAX, OP_MIN, OP_SUM, OP_RANK = C.OP_MAX, C.OP_MIN, C.OP_SUM, C.OP_RANK
_TC_UINT8 = C.TYPECODES[np.dtype(np.uint8)]

# Above this product of outer window lengths a separable reduction splits
# into one engine pass per axis instead of combining every row of the box.
_DIRECT_ROWS = 9
# A window of at least this length along the last outer axis runs van
# Herk (3 row operations per output row); shorter ones combine their rows
# directly (5 rows in one pass, 4 more per pass).  Narrow types keep more
# rows in L1, so the direct combination wins for longer windows (measured
# on 1080x1920x3 and 2048^2 images).
_VH_MIN = 5
_VH_MIN_NARROW = 7


def _vh_min(cdt):
    return _VH_MIN if np.dtype(cdt).itemsize >= 4 else _VH_MIN_NARROW
# Outputs at least this large are written with streaming stores (on two
# threads; the correlate engine's threshold too).  At 16 MiB (4096^2
# uint8, 2048^2 float32) streaming measured 20-30 % slower when the data
# stayed in a large last-level cache and 7-15 % faster when it did not;
# at 64 MiB (4096^2 float32) 20-30 % faster either way.
_STREAM_BYTES = 32 << 20
# channel counts interleaved along x
_MAX_BLOCK = 8


def _eng():
    return engine("reduce")


def identity(op, dtype):
    """The value that never changes an ``op`` reduction in ``dtype``."""
    dtype = np.dtype(dtype)
    if op == OP_SUM:
        return 0
    if dtype.kind == "f":
        return -np.inf if op == OP_MAX else np.inf
    if dtype.kind == "b":
        return 0 if op == OP_MAX else 1
    info = np.iinfo(dtype)
    return int(info.min) if op == OP_MAX else int(info.max)


def minmax_compute_dtype(dtype, cval, uses_cval):
    """dtype a max/min reduction runs in.

    The input's own type (bool as uint8: exact, no conversion), unless the
    constant-mode fill value ``cval`` is not exactly representable in it;
    then float64, which is what scipy.ndimage computes in.
    """
    dt = np.dtype(np.uint8) if np.dtype(dtype) == np.bool_ else np.dtype(dtype)
    if not uses_cval or np.isnan(cval):
        return dt if (not uses_cval or dt.kind == "f") else np.dtype(np.float64)
    if dt.kind == "f":
        with np.errstate(over="ignore"):
            ok = float(dt.type(cval)) == cval
        return dt if ok else np.dtype(np.float64)
    info = np.iinfo(dt)
    if float(cval).is_integer() and info.min <= cval <= info.max:
        return dt
    return np.dtype(np.float64)


def _codes(in_dtype, out_dtype, cdt):
    """Engine type codes (compute, input, output): bool arrays are read as
    uint8, and written as uint8 when the reduction runs in uint8."""
    cdt = np.dtype(cdt)
    in_tc = _TC_UINT8 if np.dtype(in_dtype) == np.bool_ else C.typecode(in_dtype)
    if np.dtype(out_dtype) == np.bool_ and cdt == np.uint8:
        out_tc = _TC_UINT8
    else:
        out_tc = C.typecode(out_dtype)
    return C.typecode(cdt), in_tc, out_tc


def _cval_in(cdt, cval):
    """``cval`` as the Python number the engine converts to ``cdt``.  An
    integer ``cdt`` holds every cval that is used (minmax_compute_dtype);
    one it cannot hold is unused and passed as 0."""
    dt = np.dtype(cdt)
    if dt.kind not in "biu":
        return float(cval)
    info = np.iinfo(dt)
    c = float(cval)
    if c != c or not c.is_integer() or not info.min <= cval <= info.max:
        return 0
    return int(cval)


def _ip(v):
    return np.asarray(list(v), dtype=np.intp)


def box_plan(in_shape, out_shape, L, stride, dilation, base, modes, op, cdt, in_dtype,
             out_dtype, *, block=1, mean=False, div_const=0.0, divisors=None, vh_min=None,
             stream_bytes=_STREAM_BYTES):
    """An engine :class:`BoxPlan` (per-axis lists; ``block``: channels
    interleaved along the last axis, whose length is then pixels x block)."""
    ctc, in_tc, out_tc = _codes(in_dtype, out_dtype, cdt)
    opts = {"op": op, "ctc": ctc, "in_tc": in_tc, "out_tc": out_tc, "mean": bool(mean),
            "div_const": float(div_const), "block": int(block), "van_herk": True,
            "vh_min": _vh_min(cdt) if vh_min is None else vh_min, "tile_bytes": 8 << 20,
            "x_tile": 0, "stream_bytes": stream_bytes}
    dv = None if divisors is None else np.ascontiguousarray(
        np.concatenate([np.asarray(d, np.float64).reshape(-1) for d in divisors]))
    return _eng().BoxPlan(_ip(in_shape), _ip(out_shape), _ip(L), _ip(stride), _ip(dilation),
                          _ip(base), np.asarray(list(modes), np.intc), opts, dv)


# ---------------------------------------------------------------- steps
class Step:
    """One engine run: ``plan`` from array slot ``src`` into slot ``dst``
    (0: the input, 1: the target, 2...: temporaries), both viewed through
    ``reshape`` (dropped or merged axes, always a view) then ``perm``."""

    __slots__ = ("plan", "src", "dst", "shape", "perm", "cval")

    def __init__(self, plan, src, dst, shape, perm, cval):
        self.plan = plan
        self.src = src
        self.dst = dst
        self.shape = shape
        self.perm = perm
        self.cval = cval


def _view(a, shape, perm):
    if shape is not None:
        a = a.reshape(shape, copy=False)
    if perm is not None:
        a = a.transpose(perm)
    return a


class Steps:
    """A planned reduction: engine steps over views of the input, the
    target and temporaries ``temps`` [(shape, dtype)] made per run."""

    __slots__ = ("steps", "temps")

    def __init__(self, steps, temps):
        self.steps = steps
        self.temps = temps

    def run(self, inp, tgt, nthreads):
        arrs = [inp, tgt]
        for shape, dt in self.temps:
            arrs.append(np.empty(shape, dt))
        for st in self.steps:
            st.plan.run(_view(arrs[st.src], st.shape, st.perm),
                        _view(arrs[st.dst], st.shape, st.perm), st.cval, nthreads)
        return tgt


class Single:
    """A planned reduction of one engine run on the arrays themselves (the
    common case: no views, no temporaries)."""

    __slots__ = ("plan", "cval")

    def __init__(self, plan, cval):
        self.plan = plan
        self.cval = cval

    def run(self, inp, tgt, nthreads):
        self.plan.run(inp, tgt, self.cval, nthreads)
        return tgt


def _simplest(steps):
    """``steps`` as a :class:`Single` when that is all it does."""
    if (len(steps.steps) == 1 and not steps.temps and steps.steps[0].shape is None
            and steps.steps[0].perm is None and steps.steps[0].src == 0
            and steps.steps[0].dst == 1):
        return Single(steps.steps[0].plan, steps.steps[0].cval)
    return steps


def _run(plan, inp, tgt, nthreads):
    plan.run(inp, tgt, nthreads)


def _copy(plan, inp, tgt, nthreads):
    np.copyto(tgt, inp, casting="unsafe")


def _no_plan(inp, tgt):
    return None


class _Slot:
    """An array slot while planning: index, shape, dtype, strides."""

    __slots__ = ("index", "shape", "dtype", "strides")

    def __init__(self, index, shape, dtype, strides):
        self.index = index
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.strides = tuple(strides)


def _c_strides(shape, itemsize):
    out = []
    step = itemsize
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def _temp(temps, shape, dtype):
    """A temporary slot (C order, made per run)."""
    dtype = np.dtype(dtype)
    temps.append((tuple(shape), dtype))
    return _Slot(1 + len(temps), shape, dtype, _c_strides(shape, dtype.itemsize))


def _layout(shape, filtered, slots):
    """The engine's view of arrays of ``shape`` (every one of ``slots``):
    (kept axes, channel block).  ``filtered[a]``: whether axis a has a
    window (a length-1 unfiltered axis is dropped; a short unfiltered
    contiguous last axis is merged with the axis before it)."""
    nd = len(shape)
    keep = [a for a in range(nd) if filtered[a] or shape[a] != 1]
    if not keep:
        keep = [nd - 1]
    block = 1
    if len(keep) >= 2:
        c, a = keep[-1], keep[-2]
        n = shape[c]
        # (the axes between a and c, if any, have length 1)
        if not filtered[c] and 2 <= n <= _MAX_BLOCK and all(
                s.strides[c] == s.dtype.itemsize and s.strides[a] == n * s.dtype.itemsize
                for s in slots):
            block = n
    return keep, block


def _engine_shape(shape, keep, block):
    """The shape of the engine's view (the channel axis merged into x)."""
    sh = [shape[a] for a in keep]
    if block > 1:
        sh = sh[:-2] + [sh[-2] * sh[-1]]
    return tuple(sh)


def _squeezed(seq, keep, block):
    """A per-axis list on the engine's axes (the channel axis dropped)."""
    out = [seq[a] for a in keep]
    return out[:-1] if block > 1 else out


# ---------------------------------------------------------------- separable max / min
def _box_steps(src, dst, sizes, bases, modes, op, cdt, cval, steps):
    """One engine run reducing the box ``sizes`` from ``src`` into ``dst``
    (slots of one shape), stride 1."""
    shape = src.shape
    nd = len(shape)
    filtered = [sizes[a] > 1 for a in range(nd)]
    keep, block = _layout(shape, filtered, (src, dst))
    esh = _engine_shape(shape, keep, block)
    L = _squeezed(sizes, keep, block)
    base = _squeezed(bases, keep, block)
    mds = _squeezed(modes, keep, block)
    end = len(esh)
    # a single reduced outer axis goes next to x (van Herk over whole rows)
    perm = None
    outer = [i for i in range(end - 1) if L[i] > 1]
    if end >= 3 and len(outer) == 1 and outer[0] != end - 2:
        perm = [i for i in range(end - 1) if i != outer[0]] + [outer[0], end - 1]
        L, base, mds = ([seq[p] for p in perm] for seq in (L, base, mds))
    eshape = tuple(esh[p] for p in perm) if perm else esh
    plan = box_plan(eshape, eshape, L, [1] * end, [1] * end, base, mds, op, cdt,
                    src.dtype, dst.dtype, block=block)
    steps.append(Step(plan, src.index, dst.index, esh if esh != shape else None,
                      tuple(perm) if perm else None, _cval_in(cdt, cval)))


def _group_steps(src, dst, axes, sizes, bases, modes, cval, op, cdt, temps, steps):
    """Reduce ``axes`` of src into dst: one engine run when the outer box
    is small, else one run per outer axis through temporaries."""
    nd = len(src.shape)
    filtered = [sizes[a] > 1 and a in axes for a in range(nd)]
    keep, block = _layout(src.shape, filtered, (src, dst))
    xaxis = keep[-2] if block > 1 else keep[-1]
    outer = [a for a in axes if a != xaxis]
    rows = int(np.prod([sizes[a] for a in outer])) if outer else 1
    if len(outer) <= 1 or rows <= _DIRECT_ROWS:
        groups = [axes]
    else:
        groups = [[outer[-1]] + ([xaxis] if xaxis in axes else [])] + [[a] for a in outer[:-1]]
    cur = src
    for i, grp in enumerate(groups):
        last = i == len(groups) - 1
        nxt = dst if last else _temp(temps, src.shape, dst.dtype)
        L = [sizes[a] if a in grp else 1 for a in range(nd)]
        base = [bases[a] if a in grp else 0 for a in range(nd)]
        c = cdt if i == 0 else minmax_compute_dtype(
            nxt.dtype, cval, any(modes[a] == C.MODE_CONSTANT for a in grp))
        _box_steps(cur, nxt, L, base, modes, op, c, cval, steps)
        cur = nxt


def _plan_separable(inp, tgt, sizes, bases, modes, cval, op, first=None):
    nd = inp.ndim
    axes = [a for a in range(nd) if sizes[a] > 1]
    temps: list[Any] = []
    steps: list[Any] = []
    src = _Slot(0, inp.shape, inp.dtype, inp.strides)
    dst = _Slot(1, tgt.shape, tgt.dtype, tgt.strides)
    if dst.dtype != src.dtype and len(axes) > 1:
        if first in axes:
            axes.remove(first)
            axes.insert(0, first)
        # scipy's pass order: the first filtered axis is reduced and cast
        # into the output dtype before the others
        tmp = _temp(temps, src.shape, dst.dtype)
        _group_steps(src, tmp, axes[:1], sizes, bases, modes, cval, op,
                     minmax_compute_dtype(src.dtype, cval, modes[axes[0]] == C.MODE_CONSTANT),
                     temps, steps)
        src = tmp
        axes = sorted(axes[1:])
    cdt = minmax_compute_dtype(src.dtype, cval, any(modes[a] == C.MODE_CONSTANT for a in axes))
    _group_steps(src, dst, axes, sizes, bases, modes, cval, op, cdt, temps, steps)
    return _simplest(Steps(steps, temps))


def _distinct_windows(shape, sizes, bases, modes):
    """Box lengths and bases of a max/min with every window far longer
    than its axis cut to what the boundary mode makes distinct (the same
    result, at the cost of the axis): a whole period for wrap, reflect and
    mirror; for nearest and constant the window clipped to one position
    beyond each end."""
    sizes, bases = list(sizes), list(bases)
    for a, n in enumerate(shape):
        L, b = sizes[a], bases[a]
        if L <= 1 or n <= 0 or not L_.needs_fold(L, 1, n):
            continue
        P = L_.period(modes[a], n)
        if P is not None:
            sizes[a], bases[a] = P, -(P // 2)
        else:
            lo, hi = max(b, -n), min(b + L - 1, n)
            sizes[a], bases[a] = hi - lo + 1, lo
    return sizes, bases


def minmax_call(x, target, sizes, bases, modes, cval, op, first=None):
    """The planned call of a separable max/min over the box ``sizes`` (one
    per axis of ``x``, 1 = not filtered), stride 1, into arrays like
    ``target``: ``bases[a] = -(sizes[a] // 2 + origin[a])``, ``modes`` one
    code per axis, ``cval`` a float.

    scipy's pass order is reproduced where it matters: when the output
    has a different dtype, the axis ``first`` (default: the lowest
    filtered axis) is reduced and cast into that dtype before the others
    (scipy filters one axis at a time in the order of its ``axes``,
    keeping intermediates in the output dtype)."""
    nd = x.ndim
    sizes, bases, modes = list(sizes), list(bases), list(modes)
    halo = [(-bases[a], bases[a] + sizes[a] - 1) if sizes[a] > 1 else (0, 0)
            for a in range(nd)]
    if not any(s > 1 for s in sizes):
        return P.Call(_no_plan, _copy, target.shape, target.dtype, target.size, halo)
    # about one engine run over the box (a few element operations per output)
    work = target.size * 4 + x.size

    def build(inp, tgt):
        sz, bs = _distinct_windows(inp.shape, sizes, bases, modes)
        return _plan_separable(inp, tgt, sz, bs, modes, cval, op, first)
    return P.Call(build, _run, target.shape, target.dtype, work, halo)


# ---------------------------------------------------------------- footprints
def _plan_footprint(inp, tgt, fp, bases, mode, cval, op, cdt, rank=0, cast=C.CAST_ND,
                    add=None):
    src = _Slot(0, inp.shape, inp.dtype, inp.strides)
    dst = _Slot(1, tgt.shape, tgt.dtype, tgt.strides)
    nd = inp.ndim
    filtered = [fp.shape[a] > 1 for a in range(nd)]
    keep, block = _layout(inp.shape, filtered, (src, dst))
    esh = _engine_shape(inp.shape, keep, block)
    kept = keep[:-1] if block > 1 else keep
    efp = fp.reshape([fp.shape[a] for a in kept])
    ebase = [bases[a] if filtered[a] else 0 for a in kept]
    ctc, in_tc, out_tc = _codes(inp.dtype, tgt.dtype, cdt)
    opts = {"op": op, "ctc": ctc, "in_tc": in_tc, "out_tc": out_tc, "block": block,
            "rank": rank, "cast": cast}
    tap_add = None
    if add is not None:
        # the addend of each True tap, in the footprint's C order (the
        # engine's taps are enumerated in that order)
        tap_add = np.ascontiguousarray(np.asarray(add, np.float64).reshape(efp.shape)[efp])
    plan = _eng().FootprintPlan(_ip(esh), np.ascontiguousarray(efp, np.uint8).reshape(-1),
                                _ip(efp.shape), _ip(ebase),
                                np.full(len(esh), mode, np.intc), opts, tap_add,
                                C.typecode(inp.dtype))
    step = Step(plan, 0, 1, esh if esh != inp.shape else None, None, _cval_in(cdt, cval))
    return _simplest(Steps([step], []))


def footprint_call(x, target, fp, bases, mode, cval, op):
    """The planned call of a max/min over the boolean footprint ``fp``
    (ndim == x.ndim; not all True), stride 1, into arrays like ``target``;
    ``bases[a]``: the virtual index of the footprint's first tap for
    output 0; ``mode``: one code."""
    nd = x.ndim
    fp = np.ascontiguousarray(fp, dtype=bool)
    halo = []
    for a in range(nd):
        hit = np.nonzero(fp.any(axis=tuple(b for b in range(nd) if b != a)))[0]
        lo, hi = int(hit[0]), int(hit[-1])
        halo.append((max(0, -(bases[a] + lo)), max(0, bases[a] + hi)))
    if nd == 0:
        return P.Call(_no_plan, _copy, target.shape, target.dtype, target.size, [])
    if mode == C.MODE_CONSTANT and x.dtype.kind in "biu":
        # scipy's N-D path converts cval to the input's type, then compares
        # in that type (300 -> 44 for uint8); for bool only its truth counts
        cdt = np.dtype(np.uint8) if x.dtype == np.bool_ else x.dtype
        cval = D.c_cast(cval, cdt)
        if x.dtype == np.bool_:
            cval = int(cval != 0)
    else:
        cdt = minmax_compute_dtype(x.dtype, cval, mode == C.MODE_CONSTANT)
    work = target.size * max(int(np.count_nonzero(fp)), 1)
    bases = list(bases)

    def build(inp, tgt):
        return _plan_footprint(inp, tgt, fp, bases, mode, cval, op, cdt)
    return P.Call(build, _run, target.shape, target.dtype, work, halo)


def rank_call(x, target, fp, bases, mode, cval, rank, wide_ints=False):
    """The planned call of the ``rank``-th smallest value (0: the smallest)
    over the boolean footprint ``fp`` (ndim == x.ndim, ``0 < rank <
    count - 1``: the extreme ranks are max/min calls), stride 1, into
    arrays like ``target``; ``bases`` and ``mode`` as :func:`footprint_call`.

    scipy.ndimage's two rules for integer (and bool) inputs: its N-D rank
    filter converts a constant-mode ``cval`` to the input's type and
    selects in that type; its 1-D one (``wide_ints``) selects in int64,
    the input and ``cval`` converted to int64 (so a uint8 cval of 300
    ranks above every value, and uint64 values beyond 2**63 wrap, as in
    scipy).  Floats select in their own type, or in float64 when a
    constant-mode ``cval`` is not exactly representable in it: a rank
    commutes with the monotone rounding, so the results are scipy's.  NaN
    ranks above every number.
    """
    nd = x.ndim
    fp = np.ascontiguousarray(fp, dtype=bool)
    halo = []
    for a in range(nd):
        hit = np.nonzero(fp.any(axis=tuple(b for b in range(nd) if b != a)))[0]
        lo, hi = int(hit[0]), int(hit[-1])
        halo.append((max(0, -(bases[a] + lo)), max(0, bases[a] + hi)))
    constant = mode == C.MODE_CONSTANT
    cdt: np.dtype[Any]
    if x.dtype.kind in "biu":
        if wide_ints:
            cdt = np.dtype(np.int64)
        else:
            cdt = np.dtype(np.uint8) if x.dtype == np.bool_ else x.dtype
        if constant:
            cval = D.c_cast(cval, cdt)
            if x.dtype == np.bool_ and not wide_ints:
                cval = int(cval != 0)
    else:
        cdt = minmax_compute_dtype(x.dtype, cval, constant)
    ntaps = int(np.count_nonzero(fp))
    work = target.size * max(ntaps, 1) * 4
    bases = list(bases)
    rank = int(rank)

    # scipy's 1-D rank filter casts its int64 result as numpy does
    cast = C.CAST_WRAP if cdt.kind in "iu" and wide_ints else C.CAST_ND

    def build(inp, tgt):
        return _plan_footprint(inp, tgt, fp, bases, mode, cval, OP_RANK, cdt, rank, cast)
    return P.Call(build, _run, target.shape, target.dtype, work, halo)


def structure_call(x, target, fp, structure, bases, mode, cval, op):
    """The planned call of scipy's max/min over a non-flat structuring
    element: ``max(x + structure)`` (OP_MAX) or ``min(x - structure)``
    (OP_MIN) over the True entries of ``fp`` (``structure`` of its shape)
    in scipy's arithmetic (the engine's ``_plus_row``: the first tap in
    float64, the others' sums converted to the input's type before they
    are compared), stored with its N-D cast; a constant-mode ``cval`` is
    first converted to an integer input's type (scipy's rule)."""
    nd = x.ndim
    fp = np.ascontiguousarray(fp, dtype=bool)
    add = np.array(structure, np.float64)
    if op == OP_MIN:
        add = -add
    # scipy adds the first tap's addend in float64 and every other one
    # converted to the input's type first (C's conversion)
    first = int(np.flatnonzero(fp)[0])
    raw = float(add.flat[first])
    if x.dtype.kind in "biu":
        add = np.array([D.c_cast(v, x.dtype) for v in add.flat], np.float64).reshape(add.shape)
    elif x.dtype == np.float32:
        add = add.astype(np.float32).astype(np.float64)
    add.flat[first] = raw
    halo = []
    for a in range(nd):
        hit = np.nonzero(fp.any(axis=tuple(b for b in range(nd) if b != a)))[0]
        lo, hi = int(hit[0]), int(hit[-1])
        halo.append((max(0, -(bases[a] + lo)), max(0, bases[a] + hi)))
    if mode == C.MODE_CONSTANT and x.dtype.kind in "biu":
        cval = D.c_cast(cval, x.dtype)
        if x.dtype == np.bool_:
            cval = int(cval != 0)
    cdt = np.dtype(np.float64)
    work = target.size * max(int(np.count_nonzero(fp)), 1) * 2
    bases = list(bases)

    def build(inp, tgt):
        return _plan_footprint(inp, tgt, fp, bases, mode, cval, op, cdt, add=add)
    return P.Call(build, _run, target.shape, target.dtype, work, halo)


def select_call(x, target, fp, bases, mode, cval, rank, wide_ints=False):
    """The planned call of the ``rank``-th smallest value over the boolean
    footprint ``fp`` (ndim == x.ndim) with one ``mode`` code: the extreme
    ranks are max/min calls (separable for an all-True footprint), the
    others :func:`rank_call`."""
    n = int(np.count_nonzero(fp))
    if 0 < rank < n - 1:
        return rank_call(x, target, fp, bases, mode, cval, rank, wide_ints)
    op = OP_MIN if rank == 0 else OP_MAX
    if fp.all():
        return minmax_call(x, target, list(fp.shape), bases, [mode] * x.ndim, cval, op)
    return footprint_call(x, target, fp, bases, mode, cval, op)


# ---------------------------------------------------------------- blocks
def block_call(x, blocks, kind, fill):
    """The planned call of scikit-image's block_reduce with ``kind`` 'max',
    'min', 'sum' or 'mean' over non-overlapping ``blocks`` (one per axis),
    the image padded at the end of every axis with ``fill`` (a value of
    x's dtype); numpy's result dtypes."""
    nd = x.ndim
    out_shape = tuple(-(-n // b) for n, b in zip(x.shape, blocks))
    modes = [C.MODE_CONSTANT] * nd
    if kind in ("max", "min"):
        op = OP_MAX if kind == "max" else OP_MIN
        out_dtype = x.dtype
        cdt = np.dtype(np.uint8) if x.dtype == np.bool_ else x.dtype
        cval = int(fill) if x.dtype.kind in "biu" else float(fill)
        kw = {}
        work = int(np.prod(out_shape)) * 4 + x.size
    else:
        op = OP_SUM
        out_dtype = (np.sum if kind == "sum" else np.mean)(np.zeros(1, x.dtype)).dtype
        cdt = np.dtype(np.float32) if (x.dtype == np.float32 and out_dtype == np.float32) \
            else np.dtype(np.float64)
        cval = float(fill)
        kw = {"mean": kind == "mean", "div_const": float(np.prod(blocks))}
        work = x.size + int(np.prod(out_shape))

    def build(inp, tgt):
        plan = box_plan(inp.shape, tgt.shape, blocks, blocks, [1] * nd, [0] * nd, modes, op,
                        cdt, inp.dtype, tgt.dtype, **kw)
        return Single(plan, cval)
    return P.Call(build, _run, out_shape, out_dtype, work)
