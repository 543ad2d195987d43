"""The window-reduction op (engine ``pyfilter/_cext/reduce.pxi``).

Callers pass validated arrays; everything here plans engine calls (compute
dtype, axis order, temporaries) and composes them.  No arithmetic on array
data happens in Python.
"""
import numpy as np

from .._common import codes as C
from .._common import validate as V
from .._common.workers import threads_for
from .._cext import engine

OP_MAX, OP_MIN, OP_SUM = C.OP_MAX, C.OP_MIN, C.OP_SUM

# Above this product of outer window lengths a separable reduction splits
# into one engine pass per axis instead of combining every row of the box.
_DIRECT_ROWS = 9


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


def _views(inp, out, cdt):
    """Engine views and type codes (bool arrays are read as uint8)."""
    if inp.dtype == np.bool_:
        inp = inp.view(np.uint8)
        if out.dtype == np.bool_ and cdt == np.uint8:
            out = out.view(np.uint8)
    in_tc = V.typecode(inp.dtype)
    out_tc = V.typecode(out.dtype)
    return inp, out, in_tc, out_tc


def box(inp, out, op, L, stride, dilation, base, modes, cval, workers,
        compute, mean=False, divisors=None, div_const=0.0, nthreads=None):
    """One engine call: reduce the separable window over every axis of
    ``inp`` into ``out`` (same ndim).  Per-axis lists as in
    :func:`pyfilter._cext._reduce_base.box`."""
    if out.size == 0:
        return out
    if nthreads is None:
        work = out.size * max(1, int(np.prod(L)) if op == OP_SUM else 4) + inp.size
        nthreads = threads_for(workers, work)
    if inp.ndim == 0:
        inp, out = inp.reshape(1), out.reshape(1)
    i2, o2, in_tc, out_tc = _views(inp, out, np.dtype(compute))
    _eng().box(i2, o2, op, list(L), list(stride), list(dilation), list(base),
               list(modes), cval, in_tc, out_tc, nthreads, mean, divisors,
               float(div_const), np.dtype(compute))
    return out


def _one_pass(src, dst, axes, op, L, base, modes, cval, workers, compute):
    """Reduce ``axes`` (stride 1) of src into dst in one engine call; a
    single reduced outer axis is moved next to the last axis so that long
    windows run the van Herk algorithm."""
    nd = src.ndim
    outer = [a for a in axes if a != nd - 1]
    if nd >= 3 and len(outer) == 1 and outer[0] != nd - 2:
        perm = [a for a in range(nd - 1) if a != outer[0]] + [outer[0], nd - 1]
        src = src.transpose(perm)
        dst = dst.transpose(perm)
        L, base, modes = ([seq[p] for p in perm] for seq in (L, base, modes))
    box(src, dst, op, L, [1] * nd, [1] * nd, base, modes, cval, workers, compute)


def separable_minmax(src, dst, sizes, bases, modes, cval, op, workers):
    """max/min over the box ``sizes`` (one per axis, 1 = not filtered) with
    stride 1; ``bases[a] = -(sizes[a] // 2 + origin[a])``.

    scipy's pass order is reproduced where it matters: when ``dst`` has a
    different dtype, the first filtered axis is reduced and cast into that
    dtype before the others (scipy filters one axis at a time, keeping
    intermediates in the output dtype).
    """
    nd = src.ndim
    axes = [a for a in range(nd) if sizes[a] > 1]
    if not axes:
        np.copyto(dst, src, casting="unsafe")
        return dst
    uses_cval = any(modes[a] == V.MODE_CONSTANT for a in axes)
    if np.dtype(dst.dtype) != np.dtype(src.dtype) and len(axes) > 1:
        tmp = np.empty(src.shape, dtype=dst.dtype)
        _passes(src, tmp, axes[:1], sizes, bases, modes, cval, op, workers,
                minmax_compute_dtype(src.dtype, cval, modes[axes[0]] == V.MODE_CONSTANT))
        src = tmp
        axes = axes[1:]
        uses_cval = any(modes[a] == V.MODE_CONSTANT for a in axes)
    cdt = minmax_compute_dtype(src.dtype, cval, uses_cval)
    _passes(src, dst, axes, sizes, bases, modes, cval, op, workers, cdt)
    return dst


def _passes(src, dst, axes, sizes, bases, modes, cval, op, workers, cdt):
    """Reduce ``axes`` of src into dst: one engine call when the outer box
    is small, else one call per outer axis through temporaries."""
    nd = src.ndim
    outer = [a for a in axes if a != nd - 1]
    rows = int(np.prod([sizes[a] for a in outer])) if outer else 1
    groups = [axes] if (len(outer) <= 1 or rows <= _DIRECT_ROWS) else (
        [[outer[-1]] + ([nd - 1] if nd - 1 in axes else [])] + [[a] for a in outer[:-1]])
    cur = src
    for i, grp in enumerate(groups):
        last = i == len(groups) - 1
        nxt = dst if last else np.empty(src.shape, dtype=dst.dtype)
        L = [sizes[a] if a in grp else 1 for a in range(nd)]
        base = [bases[a] if a in grp else 0 for a in range(nd)]
        mds = [modes[a] for a in range(nd)]
        _one_pass(cur, nxt, grp, op, L, base, mds, cval, workers,
                  cdt if i == 0 else minmax_compute_dtype(nxt.dtype, cval,
                                                          V.MODE_CONSTANT in mds))
        cur = nxt
    return dst


def footprint_minmax(src, dst, fp, bases, mode, cval, op, workers):
    """max/min over a boolean footprint (ndim == src.ndim), stride 1."""
    if dst.size == 0:
        return dst
    nd = src.ndim
    cdt = minmax_compute_dtype(src.dtype, cval, mode == V.MODE_CONSTANT)
    ntaps = int(np.count_nonzero(fp))
    nthreads = threads_for(workers, dst.size * max(ntaps, 1))
    i2, o2, in_tc, out_tc = _views(src, dst, cdt)
    _eng().footprint(i2, o2, op, fp, list(bases), [mode] * nd, cval, in_tc,
                     out_tc, nthreads, cdt)
    return dst


def table(inp, out, idx, op, tables, dilation, ident, workers, xwin=None):
    """Window-table kernel on (P, s0, s1, s2) views (see the engine)."""
    if out.size == 0:
        return out
    work = out.size * max(1, int(np.prod([max(1, int(t[1].max(initial=1))) for t in tables])))
    nthreads = threads_for(workers, work)
    i2, o2 = inp, out
    if inp.dtype == np.bool_:
        i2, o2 = inp.view(np.uint8), out.view(np.uint8)
    _eng().table(i2, o2, idx, op, tables, list(dilation), ident, nthreads, xwin)
    return out


def scatter(x, idx, out, add, workers):
    """out[p, idx[p, i]] (+)= x[p, i]; returns None or (plane, bad index)."""
    nthreads = threads_for(workers, x.size * 8)
    if x.dtype == np.bool_:
        x, out = x.view(np.uint8), out.view(np.uint8)
    return _eng().scatter(x, idx, out, add, nthreads)


def avg_backward(grad_out, grad_in, tables, divisors, div_const, workers):
    work = grad_out.size * max(1, int(np.prod([max(1, int(t[1].max(initial=1))) for t in tables])))
    nthreads = threads_for(workers, work)
    return _eng().avg_backward(grad_out, grad_in, tables, divisors, float(div_const), nthreads)
